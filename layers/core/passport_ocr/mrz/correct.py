"""Corrections: field-type maps, the country table as referee, and a check-digit search.

The search only accepts a reading in which every check digit (the composite too) agrees, and
prefers the fewest and most probable changes. When another reading that also satisfies every
check is about as likely, the fields where the two differ are reported as ambiguous rather
than silently picking one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from itertools import combinations, product

from ..record import Correction
from .cells import Cell
from .charmaps import ALNUM_CONFUSIONS, BLIND_PAIRS, DIGIT_CONFUSIONS, DIGIT_TO_LETTER, LETTER_CONFUSIONS, LETTER_TO_DIGIT
from .checkdigit import is_mrz_char
from .checks import covered_positions, digit_value, evaluate, position_weights, weighted_value
from .countries import COUNTRY_CODES, is_known_country
from .dates import parse_yymmdd
from .formats import DIGIT_KINDS, LETTER_KINDS, CheckSpec, Layout

MAX_CHANGES_PER_CHECK = 2
# Below this recogniser confidence (or after a field-type map, which lowers it) a character
# of a country code may be settled by the country table.
UNSURE_CONFIDENCE = 0.85
# More changes than this in one reading is no longer a correction but a different text:
# the checks then stay failed and the fields flagged.
MAX_TOTAL_CHANGES = 3
MAX_CANDIDATES_PER_POSITION = 6
# Readings whose costs differ by less than this are "about equally likely". With the
# recogniser's evidence the costs are log-likelihood ratios: a reading is taken only when it
# is ten times likelier than any rival that passes the same checks (posterior >= ~0.9), so
# '2S' read with '25' and 'ZS' both passing every check (0.43 vs 0.24) is flagged, not
# picked, and so is a reading as read whose rival the checks cannot see ('22' / 'ZZ').
# Without evidence the costs are look-alike priors, tuned on the noise tests.
AMBIGUITY_MARGIN = 2.3
AMBIGUITY_MARGIN_WITHOUT_EVIDENCE = 1.0
# Priors of a look-alike / digit misread the recogniser did not list among its runners-up
# (it lists everything above 1%): small, so that such a change needs the checks' full weight.
UNSUPPORTED_LOOKALIKE = 0.05
UNSUPPORTED_DIGIT = 0.02
MIN_UNSUPPORTED_COST = 2.0
# Costs of swapping a blind pair (O/0, I/1) in an alphanumeric field, whatever the recogniser
# said: its probabilities are no evidence there (seen on generated and real pages alike: a
# document number 'O1275418' read '01275418' at 0.99). Below what one check digit vouches
# for, so the check digit settles the pair. Numbers are letters then digits, and issuers
# avoid O and I among digits: a letter read as its digit twin is the cheap direction, a
# digit turned letter costs more, and much more right after a digit ('S0002068' keeps its 0s).
BLIND_TO_DIGIT_COST = 0.7
BLIND_TO_LETTER_COST = 1.2
BLIND_TO_LETTER_AFTER_DIGIT_COST = 3.0
# The most change cost (summed log-likelihood ratios) a reading may carry, by how many check
# digits confirm it: one check digit passes by chance one time in ten (cost ~2.3), so a field
# only its own check confirms takes one well supported change, while a field the composite
# confirms as well may take one unsupported look-alike (~2.9) or two supported changes, but
# not a digit misread the recogniser gave no weight (~3.9: seen to pick the wrong date).
MAX_COST_ONE_CHECK = 2.0
MAX_COST_TWO_CHECKS = 3.5
# Variants kept per check and per residue of the composite sum in the joint search.
KEEP_PER_CHECK = 20
KEEP_PER_RESIDUE = 8

Position = tuple[int, int]


def _set(lines: list[list[Cell]], line: int, pos: int, char: str, confidence: float | None = None) -> None:
    old = lines[line][pos]
    lines[line][pos] = replace(old, char=char, confidence=old.confidence if confidence is None else confidence)


# Letters a digit read in a letter position may stand for ('0': O, and D, Q in OCR-B).
LOOKALIKE_LETTERS = {**DIGIT_TO_LETTER, "0": "ODQ"}
# Weight of an allowed character the recogniser did not list (it lists all above 0.01).
UNLISTED_PROBABILITY = 0.005
# How much more often the look-alike map's letter is the truth than another look-alike.
MAP_PRIOR = 3.0


def _allowed(kind: str):
    if kind in DIGIT_KINDS:
        return lambda c: c.isdigit()
    return lambda c: c.isalpha()


def _type_evidence(cell: Cell, kind: str, mapped: str, mapped_confidence: float) -> tuple[str, float]:
    """What a character the layout forbids here really is, and how sure that is.

    Among the characters of the allowed type that look like it (and any the recogniser
    listed), each weighs its runner-up probability, or the reporting floor when unlisted; the
    look-alike map's choice weighs more, being by far the usual misread. So '8' with an 'S'
    runner-up in a name is an 'S', '0' with 'O' at 0.03 is a sure 'O', and '0' with only
    'Q' at 0.05 is a doubtful 'Q' (it could be D or O).
    """
    if cell.distribution:
        return _likeliest_allowed(cell, kind, mapped, mapped_confidence)
    allowed = _allowed(kind)
    listed = {a: p for a, p in cell.alternatives if allowed(a)}
    if not cell.evidence and not listed:
        return mapped, mapped_confidence
    looks_like = set(LOOKALIKE_LETTERS.get(cell.char, mapped) if kind in LETTER_KINDS else mapped)
    weights = {a: listed.get(a, UNLISTED_PROBABILITY) for a in looks_like | set(listed) if allowed(a)}
    if not weights:
        return mapped, mapped_confidence  # no look-alike of the allowed type: stays failed
    if mapped in weights:
        weights[mapped] *= MAP_PRIOR
    best = max(weights, key=weights.get)
    confidence = weights[best] / sum(weights.values())
    if not listed:
        # The recogniser saw no allowed character here: the map alone speaks.
        confidence = min(confidence, mapped_confidence)
    if kind == "country":
        # The country table referees codes (and warns on unknown ones).
        confidence = max(confidence, mapped_confidence)
    return best, confidence


def _likeliest_allowed(cell: Cell, kind: str, mapped: str, mapped_confidence: float) -> tuple[str, float]:
    """_type_evidence from the recogniser's whole distribution: the allowed character it
    rated highest, as sure as its share of the allowed characters' probability.

    On rough print the recogniser reads letters as digits ('R' as '8') with all three
    runners-up digits too; the letters' probabilities, small as they are, still rank the
    letters: on the generated heavy pages the likeliest letter was right for 162 of 214
    letters read as digits (the look-alike map for about half), and every one whose share
    was 0.6 or more was right, so the share serves as the confidence.
    """
    allowed = _allowed(kind)
    weights = {a: p for a, p in cell.distribution.items() if allowed(a)}
    total = sum(weights.values())
    if total <= 0:
        return mapped, mapped_confidence
    best = max(weights, key=weights.get)
    confidence = weights[best] / total
    if kind == "country":
        # The country table referees codes (and warns on unknown ones).
        confidence = max(confidence, mapped_confidence)
    return best, confidence


def apply_field_types(lines: list[list[Cell]], layout: Layout, kinds: list[list[str]]) -> list[Correction]:
    """Digits where only digits belong, letters where only letters belong.

    The recogniser's own runner-up of the allowed type wins over the look-alike map ('8' with
    an 'S' runner-up in a name is an 'S', not a 'B'): the layout only forbids the read char.
    """
    corrections = []
    filler_digits = {(c.line, c.position) for c in layout.checks if c.filler_allowed}
    if layout.overflow_field:
        number_check = layout.check("document_number")
        filler_digits.add((number_check.line, number_check.position))
    for line_index, cells in enumerate(lines):
        for pos, cell in enumerate(cells):
            kind = kinds[line_index][pos]
            char = cell.char
            if kind in DIGIT_KINDS:
                if char == "K" and (line_index, pos) in filler_digits:
                    new, reason = "<", "filler"
                else:
                    new, reason = LETTER_TO_DIGIT.get(char, char), "field_type"
            elif kind in LETTER_KINDS:
                new, reason = DIGIT_TO_LETTER.get(char, char), "field_type"
            else:
                new, reason = char, ""
            confidence = min(cell.confidence, 0.9) * 0.9
            if reason == "field_type" and char.isalnum() and not _allowed(kind)(char):
                new, confidence = _type_evidence(cell, kind, new, confidence)
            if new != char:
                # The OCR was wrong here: whatever it was sure of, it is less sure now.
                _set(lines, line_index, pos, new, confidence)
                corrections.append(Correction(line_index, pos, char, new, reason))
    return corrections


def fix_country_code(lines: list[list[Cell]], line: int, start: int, length: int) -> list[Correction]:
    """When a code is not in the table and the OCR was unsure of some of its characters, the
    single nearest reading that is in the table wins (never a guess between two): with the
    recogniser's distributions, the clearly likeliest known code (_likeliest_country), else
    the one known code fewest look-alike changes away."""
    cells = lines[line][start : start + length]
    code = "".join(c.char for c in cells)
    if is_known_country(code.rstrip("<")):
        return []
    if all(cell.distribution for cell in cells):
        winner = _likeliest_country(cells)
        return [] if winner is None else _set_code(lines, line, start, code, winner)
    options = []
    for cell in cells:
        # Only characters the OCR was unsure of may change: a code read clearly stays as read
        # (and is flagged unknown) even if a known code is one letter away.
        unsure = cell.confidence < UNSURE_CONFIDENCE or cell.alternatives or cell.char == "K"
        alts = [a for a, _ in cell.alternatives if a.isalpha() or a == "<"]
        alts += [a for a in LETTER_CONFUSIONS.get(cell.char, "") if a not in alts]
        options.append([(cell.char, 0)] + ([(a, 1) for a in alts] if unsure else []))
    found = []
    for combo in product(*options):
        changes = sum(cost for _, cost in combo)
        if 0 < changes <= 2:
            candidate = "".join(c for c, _ in combo)
            stripped = candidate.rstrip("<")
            if "<" not in stripped and is_known_country(stripped):
                found.append((changes, candidate))
    if not found:
        return []
    best = min(c for c, _ in found)
    winners = {cand for c, cand in found if c == best}
    if len(winners) != 1:
        return []
    (winner,) = winners
    return _set_code(lines, line, start, code, winner)


# A known code may replace an unknown reading only if the recogniser found the reading at
# most this much likelier (a log-likelihood ratio, summed over the changed characters): as
# for a field only its own check digit confirms, one well supported change or two faint ones.
MAX_COUNTRY_CHANGE_COST = MAX_COST_ONE_CHECK


def _likeliest_country(cells: list[Cell]) -> str | None:
    """The known code the recogniser's distributions make likeliest, when it is clearly so.

    Each code weighs the product of its characters' probabilities among letters and '<'
    (a code's only characters). It must be AMBIGUITY_MARGIN likelier than the next known
    code (else the checks-free choice would be a guess) and not much less likely than what
    was read (a code read clearly stays as read and is flagged unknown).
    """
    shares = []
    for cell in cells:
        allowed = {a: p for a, p in cell.distribution.items() if a.isalpha() or a == "<"}
        total = sum(allowed.values())
        shares.append({a: max(p / total, 1e-12) for a, p in allowed.items()} if total > 0 else {})
    if not all(shares):
        return None
    scored = []
    for code in COUNTRY_CODES:
        padded = code.ljust(len(cells), "<")
        if len(padded) == len(cells):
            scored.append((sum(math.log(share[c]) for share, c in zip(shares, padded)), padded))
    scored.sort(reverse=True)
    (best_score, best), (second_score, _) = scored[0], scored[1]
    read_score = sum(math.log(share.get(cell.char, 1e-12)) for share, cell in zip(shares, cells))
    if best_score - second_score < AMBIGUITY_MARGIN or read_score - best_score > MAX_COUNTRY_CHANGE_COST:
        return None
    return best


def _set_code(lines: list[list[Cell]], line: int, start: int, code: str, winner: str) -> list[Correction]:
    corrections = []
    for offset, (old, new) in enumerate(zip(code, winner)):
        if old != new:
            _set(lines, line, start + offset, new, 0.6)
            corrections.append(Correction(line, start + offset, old, new, "field_type"))
    return corrections


# --- the check-digit search ------------------------------------------------------------


def _candidates(
    cell: Cell, kind: str, between_digits: bool = False, digit_misreads: bool = True, after_digit: bool = False
) -> list[tuple[str, float]]:
    """Other characters this cell may really be, with a cost (lower = more likely).

    The cost is the log-likelihood ratio of the read character over the new one. With the
    recogniser's evidence, a runner-up costs what its probability says and a look-alike it
    did not list gets only a small prior; without evidence the look-alike maps are all there is.
    `between_digits`: both neighbours in the field are digits, where a letter is more likely
    a misread digit than the other way round (document numbers are letters then digits);
    `after_digit`: the character before it in the field is a digit.
    """
    confidence = min(max(cell.confidence, 0.01), 1.0)
    allowed = (lambda c: c.isdigit()) if kind in DIGIT_KINDS else (lambda c: is_mrz_char(c) and c != "<")
    options: dict[str, float] = {}
    for alt, probability in cell.alternatives:
        if allowed(alt) and alt != cell.char:
            cost = min(max(math.log(confidence / max(probability, 1e-3)), 0.05), 4.0)
            options[alt] = min(options.get(alt, 9.0), cost)
    # Digit/digit misreads are rarer than look-alike letter/digit ones: they cost more, and
    # the ambiguity margin makes a look-alike fix that competes with one stay flagged.
    confusions = [(alt, 1.0) for alt in DIGIT_CONFUSIONS.get(cell.char, "")] if digit_misreads else []
    if kind not in DIGIT_KINDS:
        confusions += [(alt, 0.5) for alt in ALNUM_CONFUSIONS.get(cell.char, "")]
    blind = BLIND_PAIRS.get(cell.char) if kind not in DIGIT_KINDS else None
    if blind:
        if blind.isdigit():
            cost = BLIND_TO_DIGIT_COST
        else:
            cost = BLIND_TO_LETTER_AFTER_DIGIT_COST if after_digit else BLIND_TO_LETTER_COST
        options[blind] = min(options.get(blind, 9.0), cost)
    for alt, base in confusions:
        if alt in options:
            continue
        if cell.evidence:
            # The recogniser gave this character less than its reporting floor here.
            prior = UNSUPPORTED_LOOKALIKE if base < 1.0 else UNSUPPORTED_DIGIT
            options[alt] = max(math.log(confidence / prior), MIN_UNSUPPORTED_COST)
            continue
        cost = base + confidence
        if between_digits and kind not in DIGIT_KINDS and base < 1.0:
            cost = 0.3 + confidence * 0.5 if alt.isdigit() else 1.5 + confidence
        options[alt] = cost
    ranked = sorted(options.items(), key=lambda kv: kv[1])
    return ranked[:MAX_CANDIDATES_PER_POSITION]


def _after_digit(texts: list[str], position: Position, field: list[Position]) -> bool:
    line, pos = position
    return (line, pos - 1) in set(field) and texts[line][pos - 1].isdigit()


def _between_digits(texts: list[str], position: Position, field: list[Position]) -> bool:
    line, pos = position
    inside = set(field)
    neighbours = [texts[line][p] for p in (pos - 1, pos + 1) if (line, p) in inside]
    return bool(neighbours) and all(c.isdigit() for c in neighbours)


@dataclass
class Variant:
    changes: tuple[tuple[Position, str], ...]
    cost: float
    composite_delta: int = 0  # change of the composite's weighted sum, mod 10
    printed: int | None = None  # for the composite digit itself: the digit it now reads


@dataclass
class SearchOutcome:
    changes: dict[Position, str] = field(default_factory=dict)
    ambiguous_positions: set[Position] = field(default_factory=set)
    searched: bool = False


def _texts(lines: list[list[Cell]]) -> list[str]:
    return ["".join(c.char for c in cells) for cells in lines]


def _group_variants(
    check: CheckSpec,
    lines: list[list[Cell]],
    kinds: list[list[str]],
    composite_weights: dict[Position, int],
    date_spans: list[tuple[int, int, int]],
) -> list[Variant]:
    """Readings of one check's field (and digit) that satisfy it, cheapest first."""
    texts = _texts(lines)
    covered = covered_positions(check)
    digit_at = (check.line, check.position)
    weights = position_weights(check)
    positions = covered + [digit_at]
    options = {
        p: _candidates(
            lines[p[0]][p[1]], kinds[p[0]][p[1]], _between_digits(texts, p, covered), after_digit=_after_digit(texts, p, covered)
        )
        for p in positions
    }
    options = {p: o for p, o in options.items() if o}
    base_sum = sum(weighted_value(texts[l][p]) * weights[(l, p)] for l, p in covered)
    printed_now = texts[check.line][check.position]
    date_positions = {(line, i) for line, start, end in date_spans for i in range(start, end)}

    # Per candidate: (position, char, cost, change of this check's sum, change of the composite's).
    moves = {
        p: [
            (
                p,
                char,
                cost,
                (weighted_value(char) - weighted_value(texts[p[0]][p[1]])) * weights.get(p, 0),
                (weighted_value(char) - weighted_value(texts[p[0]][p[1]])) * composite_weights.get(p, 0),
            )
            for char, cost in opts
        ]
        for p, opts in options.items()
    }

    def passes(picks) -> bool:
        total = base_sum
        printed = printed_now
        for p, char, _, own, _ in picks:
            if p == digit_at:
                printed = char
            else:
                total += own
        if check.filler_allowed and printed == "<":
            changed = {p: char for p, char, *_ in picks}
            return all(changed.get(p, texts[p[0]][p[1]]) == "<" for p in covered)
        return printed.isdigit() and total % 10 == int(printed)

    def dates_valid(picks) -> bool:
        if not any(p in date_positions for p, *_ in picks):
            return True
        changed = {p: char for p, char, *_ in picks}
        for line, start, end in date_spans:
            if any(p[0] == line and start <= p[1] < end for p in changed):
                text = "".join(changed.get((line, i), texts[line][i]) for i in range(start, end))
                if parse_yymmdd(text) is None:
                    return False
        return True

    variants = []
    max_changes = MAX_CHANGES_PER_CHECK
    if passes(()):
        variants.append(Variant((), 0.0, 0))
        # A field its own check accepts changes only to satisfy the composite: one change;
        # with evidence two, so that a misread its own check accepted by chance (a digit
        # and its check digit both misread) is found as a rival when it is supported.
        if not any(lines[p[0]][p[1]].evidence for p in positions):
            max_changes = 1
    for count in range(1, max_changes + 1):
        for chosen in combinations(sorted(moves), count):
            for picks in product(*(moves[p] for p in chosen)):
                if passes(picks) and dates_valid(picks):
                    variants.append(
                        Variant(
                            tuple((p, char) for p, char, *_ in picks),
                            sum(m[2] for m in picks),
                            sum(m[4] for m in picks) % 10,
                        )
                    )
    variants.sort(key=lambda v: v.cost)
    return variants[:KEEP_PER_CHECK]


def _free_variants(
    positions: list[Position], lines: list[list[Cell]], kinds: list[list[str]], composite_weights: dict[Position, int]
) -> list[Variant]:
    """Positions only the composite covers (optional data): at most one change.

    Any such change can fix any composite residue, so these compete with the changes in
    checked fields on cost alone; a tie between them is reported as ambiguous.
    """
    texts = _texts(lines)
    variants = [Variant((), 0.0, 0)]
    for p in positions:
        cell = lines[p[0]][p[1]]
        neighbours = [texts[p[0]][q] for q in (p[1] - 1, p[1] + 1) if (p[0], q) in set(positions)]
        between_digits = bool(neighbours) and all(c.isdigit() for c in neighbours)
        # Only look-alike swaps and the recogniser's own runners-up: with a digit/digit
        # misread allowed, some change here would satisfy almost any composite.
        after_digit = _after_digit(texts, p, positions)
        for char, cost in _candidates(cell, kinds[p[0]][p[1]], between_digits, digit_misreads=False, after_digit=after_digit):
            change_delta = (weighted_value(char) - weighted_value(cell.char)) * composite_weights[p] % 10
            variants.append(Variant(((p, char),), cost, change_delta))
    return variants


def _digit_variants(check: CheckSpec, lines: list[list[Cell]]) -> list[Variant]:
    cell = lines[check.line][check.position]
    variants = []
    if digit_value(cell.char) is not None:
        variants.append(Variant((), 0.0, printed=int(cell.char)))
    for char, cost in _candidates(cell, "digit"):
        variants.append(Variant((((check.line, check.position), char),), cost, printed=int(char)))
    return variants


def _differing_positions(a: list[Variant], b: list[Variant]) -> set[Position]:
    changes_a = {p: c for v in a for p, c in v.changes}
    changes_b = {p: c for v in b for p, c in v.changes}
    return {p for p in set(changes_a) | set(changes_b) if changes_a.get(p) != changes_b.get(p)}


def search(lines: list[list[Cell]], layout: Layout, checks: list[CheckSpec], kinds: list[list[str]]) -> SearchOutcome:
    """The cheapest set of changes that makes every check pass, if one is clearly best."""
    texts = _texts(lines)
    all_pass = all(evaluate(c, texts).ok for c in checks)
    if all_pass and not any(cell.evidence for cells in lines for cell in cells):
        return SearchOutcome()
    # With the recogniser's evidence a reading that passes as read is searched too: a rival
    # reading its runners-up support about as well, that also passes every check, makes the
    # fields where they differ doubtful (a misread the check digits happen to accept).
    outcome = SearchOutcome(searched=not all_pass)
    has_evidence = any(cell.evidence for cells in lines for cell in cells)
    margin = AMBIGUITY_MARGIN if has_evidence else AMBIGUITY_MARGIN_WITHOUT_EVIDENCE
    date_spans = [(f.line, f.start, f.end) for f in layout.fields if f.kind == "date"]
    composite = next((c for c in checks if c.name == layout.composite), None)
    simple = [c for c in checks if c is not composite]
    composite_weights = position_weights(composite) if composite else {}
    groups = [_group_variants(c, lines, kinds, composite_weights, date_spans) for c in simple]

    if composite is None:
        # No joint check: each check settles its own field.
        for variants in groups:
            _settle_alone(variants, outcome, margin)
        return outcome
    if any(not g for g in groups):
        # A check no reading satisfies: nothing is confirmed, the text stays as read.
        return outcome

    in_groups = {p for c in simple for p in covered_positions(c) + [(c.line, c.position)]}
    free = [p for p in covered_positions(composite) if p not in in_groups]
    groups.append(_free_variants(free, lines, kinds, composite_weights))
    base = sum(weighted_value(texts[l][p]) * w for (l, p), w in composite_weights.items())

    # Joint search over the composite's residue: keep the cheapest few per residue.
    states: dict[int, list[tuple[float, list[Variant]]]] = {base % 10: [(0.0, [])]}
    for variants in groups:
        next_states: dict[int, list[tuple[float, list[Variant]]]] = {}
        for residue, partials in states.items():
            for cost, chosen in partials:
                for variant in variants:
                    key = (residue + variant.composite_delta) % 10
                    next_states.setdefault(key, []).append((cost + variant.cost, chosen + [variant]))
        states = {r: sorted(p, key=lambda x: x[0])[:KEEP_PER_RESIDUE] for r, p in next_states.items()}

    readings = []
    for digit in _digit_variants(composite, lines):
        for cost, chosen in states.get(digit.printed, []):
            readings.append((cost + digit.cost, chosen + [digit]))
    readings.sort(key=lambda r: r[0])
    if not readings or not _acceptable(readings[0][1], checks, _confirmed_twice(readings[0][1], simple, composite_weights)):
        return outcome
    best_cost, best = readings[0]
    for position, char in (pc for v in best for pc in v.changes):
        outcome.changes[position] = char
    for cost, other in readings[1:]:
        if cost - best_cost >= margin:
            break
        outcome.ambiguous_positions |= _differing_positions(best, other)
    return outcome


def _confirmed_twice(reading: list[Variant], simple: list[CheckSpec], composite_weights: dict[Position, int]) -> list[bool]:
    """Per field check, whether the composite confirms the field's changes on its own.

    Where the composite weighs the changed characters exactly as the field's check does (the
    document number, which both start with), any change the field's check accepts the
    composite accepts too: it adds nothing.
    """
    confirmed = []
    for variant, check in zip(reading, simple):
        own = position_weights(check)
        confirmed.append(any(composite_weights.get(p) != own.get(p) for p, _ in variant.changes))
    return confirmed


def _acceptable(reading: list[Variant], checks: list[CheckSpec], confirmed_twice: list[bool]) -> bool:
    """Few enough changes to be a correction, at most one printed check digit rewritten
    (rewriting two, a field's and the composite, would make the data confirm itself), and
    no part of the reading more costly than the check digits confirming it can vouch for.

    `reading` is the joint search's: one variant per field check, then the composite-only
    positions, then the composite digit; `confirmed_twice` says, per field check, whether
    the composite adds a confirmation of its own.
    """
    changes = [p for v in reading for p, _ in v.changes]
    digits = {(c.line, c.position) for c in checks}
    if len(changes) > MAX_TOTAL_CHANGES or sum(p in digits for p in changes) > 1:
        return False
    *fields, free, composite_digit = reading
    # A rewritten composite digit confirms nothing: each field then rests on its own check.
    two_checks = not composite_digit.changes
    return (
        all(v.cost <= (MAX_COST_TWO_CHECKS if two_checks and twice else MAX_COST_ONE_CHECK) for v, twice in zip(fields, confirmed_twice))
        and free.cost <= MAX_COST_ONE_CHECK
        and composite_digit.cost <= MAX_COST_ONE_CHECK
    )


def _settle_alone(variants: list[Variant], outcome: SearchOutcome, margin: float) -> None:
    if not variants:
        return
    best = variants[0]
    if best.cost > MAX_COST_ONE_CHECK:
        # More change than one check digit can vouch for: the check stays failed.
        return
    for position, char in best.changes:
        outcome.changes[position] = char
    for other in variants[1:]:
        if other.cost - best.cost >= margin:
            break
        outcome.ambiguous_positions |= _differing_positions([best], [other])


def apply_search(lines: list[list[Cell]], outcome: SearchOutcome) -> list[Correction]:
    corrections = []
    for (line, pos), char in sorted(outcome.changes.items()):
        corrections.append(Correction(line, pos, lines[line][pos].char, char, "check_digit"))
        _set(lines, line, pos, char, 0.9)
    return corrections
