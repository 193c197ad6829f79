"""How far each field can be trusted: confidence, and the doubts a reader must see."""

from __future__ import annotations

import math
from itertools import product

from ..record import FIELD_NAMES
from .cells import allowed_probability
from .charmaps import BLIND_PAIRS, LETTER_TO_DIGIT, LOOKALIKE_TWINS
from .checks import covered_positions, evaluate, find_overflow
from .formats import Layout
from .reading import Corrected, Reading

# Characters the recogniser was less sure of than this (among the characters the layout
# allows) make an unchecked field doubtful.
LOW_CONFIDENCE = 0.8
# A check digit also accepts one wrong reading in ten. A field whose characters are, taken
# together, less likely than this all right (the product of their probabilities) is in doubt
# even when its check passes: the chance that it is wrong though checked then exceeds ~5 %.
CHECKED_FIELD_MIN_LIKELIHOOD = 0.65
# An MRZ with at least DEGRADED_ZONE_CHARS characters read below DEGRADED_CHAR_CONFIDENCE is
# from a rough image, where even confident readings of look-alikes may be wrong.
DEGRADED_CHAR_CONFIDENCE = 0.9
DEGRADED_ZONE_CHARS = 1
# How many of a number's first characters are tried as their look-alike twins.
MAX_TWIN_PREFIX = 3
UNCHECKED_LETTER_FIELDS = frozenset({"surname", "given_names", "document_code", "document_type", "issuing_country", "nationality", "sex"})


def _letter_or_filler(char: str) -> bool:
    return char.isalpha() or char == "<"


def field_positions(layout: Layout, texts: list[str]) -> dict[str, set[tuple[int, int]]]:
    """Positions of each record field (the document number includes its overflow)."""
    positions = {}
    for spec in layout.fields:
        positions[spec.name] = {(spec.line, p) for p in range(spec.start, spec.end)}
    overflow = find_overflow(layout, texts)
    if overflow is not None:
        line, check_pos = overflow.check_position
        spec = layout.field(layout.overflow_field)
        continuation = {(line, p) for p in range(spec.start, check_pos)}
        positions["document_number"] |= continuation
        positions[spec.name] -= continuation | {(line, check_pos)}
    if "name" in positions:
        # Each name part is judged on its own letters (and inner separators).
        spec = layout.field("name")
        name = texts[spec.line][spec.start : spec.end].rstrip("<")
        split = name.find("<<")
        surname_end = len(name) if split < 0 else split
        positions.pop("name")
        positions["surname"] = {(spec.line, spec.start + i) for i in range(surname_end)}
        positions["given_names"] = {(spec.line, spec.start + i) for i in range(surname_end + 2, len(name))}
    return positions


def _flag_letters_among_digits(reading: Reading) -> None:
    """Digit look-alike letters enclosed by digits of a number ('9BB0', '0O0') are more likely
    misread digits; some such swaps ('G'/'6', two 'B'/'8') leave every check digit unchanged."""
    for spec in reading.layout.fields:
        if spec.kind != "alnum":
            continue
        text = reading.text(spec)
        start = None
        for i, char in enumerate(text):
            if char in LETTER_TO_DIGIT:
                if start is None:
                    start = i
                continue
            if start is not None and start > 0 and text[start - 1].isdigit() and char.isdigit():
                target = spec.name if spec.name in FIELD_NAMES else None
                run = text[start:i]
                reading.warn(
                    "ambiguous_character",
                    f"{run!r} between digits may be misread {''.join(LETTER_TO_DIGIT[c] for c in run)!r}",
                    target,
                )
                break
            start = None


def _flag_shifted_fields(reading: Reading, positions: dict[str, set[tuple[int, int]]]) -> None:
    """Fields no check digit covers, moved by an inserted or deleted character before or in
    them: the alignment chose where the character went, nothing confirmed it."""
    moves = [c for c in reading.corrections if c.reason in ("filler", "alignment") and (c.read == "" or c.corrected == "")]
    checked_positions = set()
    for check in reading.layout.checks:
        checked_positions |= set(covered_positions(check)) | {(check.line, check.position)}
    for name in ("document_code", "issuing_country", "surname", "given_names", "nationality", "sex"):
        cells_at = positions.get(name) or positions.get("name", set())
        if not cells_at or cells_at & checked_positions:
            continue
        line = next(iter(cells_at))[0]
        last = max(p for _, p in cells_at)
        if name in ("surname", "given_names"):
            # Fillers added or dropped after the name's last letter move nothing.
            name_spec = reading.layout.field("name")
            last = name_spec.start + len(reading.text(name_spec).rstrip("<")) - 1
        if any(m.line == line and m.position <= last for m in moves):
            reading.warn("low_confidence", "a character was inserted or removed here to fit the line length", name)
            if name == "document_code":
                reading.warn("low_confidence", "a character was inserted or removed here to fit the line length", "document_type")


def _flag_invisible_number_rivals(reading: Reading, checked) -> None:
    """A document number whose first characters, turned into their look-alike twins, still
    satisfies every check ('250000177' / 'ZS0000177': the two swaps change the weighted sum
    by 300), read from a degraded line: the recogniser's confidence is no evidence there
    (such a misread was seen at 0.98 on a rough photo), and no check digit can tell.

    Only the prefix is tried, as numbers are letters then digits; on a zone read without
    doubt elsewhere the reading is trusted.
    """
    layout = reading.layout
    spec = layout.field("document_number")
    cells = [c for line in reading.lines for c in line if not c.inserted]
    if not any(c.evidence for c in cells):
        return  # an engine without per-character confidences (OCR.Space) cannot show roughness
    # A character of a kind the layout forbids there (a digit in a name) was misread however
    # sure the recogniser was: the zone is rough all the same. Not so the blind pairs (O/0,
    # I/1), which it confuses on the cleanest print.
    misreads = sum(c.reason == "field_type" and BLIND_PAIRS.get(c.read) != c.corrected for c in reading.corrections)
    read_doubts = sum(c.read_confidence < DEGRADED_CHAR_CONFIDENCE for c in cells) + misreads
    if read_doubts < DEGRADED_ZONE_CHARS:
        return
    if not all(result.ok for _, result in checked):
        return
    texts = reading.texts()
    number = texts[spec.line][spec.start : spec.end]
    for length in range(1, MAX_TWIN_PREFIX + 1):
        prefix = number[:length]
        if "<" in prefix or not (prefix.isdigit() or prefix.isalpha()):
            break
        choices = [LOOKALIKE_TWINS.get(c, "") for c in prefix]
        if not all(choices):
            break
        for twins in product(*choices):
            rival = "".join(twins) + number[length:]
            line = texts[spec.line]
            rival_texts = list(texts)
            rival_texts[spec.line] = line[: spec.start] + rival + line[spec.end :]
            if all(evaluate(check, rival_texts).ok for check, _ in checked):
                reading.warn(
                    "ambiguous_character",
                    f"{rival.rstrip('<')!r} passes every check as well and looks alike on a rough image",
                    "document_number",
                )
                return


def review(corrected: Corrected, fields: dict[str, str | None]) -> dict[str, float]:
    """Flag doubtful fields (warnings go to the reading) and return each filled field's confidence."""
    reading, checked, ambiguous = corrected.reading, corrected.checked, corrected.ambiguous
    _flag_letters_among_digits(reading)
    _flag_invisible_number_rivals(reading, checked)
    positions = field_positions(reading.layout, reading.texts())
    _flag_shifted_fields(reading, positions)
    confidence = {}
    for name, value in fields.items():
        if value is None or not positions.get(name):
            continue
        if name == "document_type":
            cells_at = {(0, 0)}
        else:
            cells_at = positions[name]
        covering = [(c, r) for c, r in checked if cells_at & (set(covered_positions(c)) | {(c.line, c.position)})]
        cells = [reading.lines[l][p] for l, p in sorted(cells_at)]
        if name not in ("surname", "given_names"):
            # A filler's confidence is about its glyph ('<', '«', ...), not the value; in a
            # name the separators are part of the value.
            cells = [c for c in cells if c.char != "<"] or cells
        if name in UNCHECKED_LETTER_FIELDS:
            # Judged on what the layout allows here: a digit runner-up of a letter in a name
            # is no doubt about the name.
            probabilities = [allowed_probability(c, _letter_or_filler) for c in cells]
        else:
            probabilities = [c.confidence for c in cells]
        low = min(probabilities)
        base = 0.5 * low + 0.5 * sum(probabilities) / len(probabilities)
        if any(not r.ok for _, r in covering):
            confidence[name] = min(base, 0.45) * 0.9
            reading.warn("check_digit_failed", "a check digit covering this field does not match", name)
        elif cells_at & ambiguous:
            confidence[name] = min(base, 0.3)
            reading.warn("ambiguous_correction", "two corrections satisfy the check digits equally well", name)
        elif covering:
            confidence[name] = 1 - (1 - base) * 0.25
            # Only the recogniser's own per-character evidence says how unsure it was; an
            # engine that reports one flat confidence (OCR.Space) says nothing here. A
            # character with its whole distribution has evidence even when its listed
            # runners-up leave mass unexplained (the CTC blank takes it on rough print).
            with_evidence = all(c.evidence or c.distribution for c in cells)
            if with_evidence and math.prod(probabilities) < CHECKED_FIELD_MIN_LIKELIHOOD:
                confidence[name] = min(confidence[name], 0.6)
                reading.warn("low_confidence", "several characters were unsure: the check digit may agree by chance", name)
        else:
            confidence[name] = base
            if low < LOW_CONFIDENCE:
                reading.warn("low_confidence", "the OCR was unsure of some characters", name)
    for w in reading.warnings:
        if w.severity == "error" and w.field in confidence:
            confidence[w.field] = min(confidence[w.field], 0.45)

    return confidence
