"""Finding the MRZ lines among OCR lines and bringing each to its fixed length.

OCR drops or adds fillers inside long '<' runs, splits a line in two, or returns the whole
page. The fixed positions of the layout (digits where dates and check digits sit, letters
where codes sit, the country table, the check digits of a line) tell which repair makes sense.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations_with_replacement, product

from ..record import Correction
from .cells import Cell, line_cells, mrz_likeness, space_variants, text_of
from .charmaps import DIGIT_TO_LETTER, LETTER_TO_DIGIT
from .checkdigit import check_digit
from .countries import is_known_country
from .dates import parse_yymmdd
from .formats import DIGIT_KINDS, LINE_LENGTHS, Layout, layouts_for, position_kinds
from ..ocr_types import OcrLine

# A line this many characters off its format's length is still taken for that format.
LENGTH_TOLERANCE = 4
# Beyond this many missing/extra fillers only padding/truncation at the end is tried.
MAX_COMBINED_EDITS = 2
# Runner-up repairs kept per line: structure alone cannot always tell, the checks decide.
ALIGNMENTS_PER_LINE = 2


@dataclass
class Block:
    """The MRZ lines as read (raw) and re-aligned to the layout's fixed length."""

    layout: Layout
    raw_lines: list[str]  # the OCR's text of each line (pieces of a split line joined)
    lines: list[list[Cell]]
    corrections: list[Correction] = field(default_factory=list)
    plausibility: float = 0.0  # mean fit per character (see line_plausibility)
    edit_penalty: float = 0.0  # how unlikely the chosen filler insertions/deletions are


def _position_score(kind: str, char: str) -> float:
    if kind in DIGIT_KINDS:
        if char.isdigit():
            return 1.0
        if char in LETTER_TO_DIGIT:
            return 0.3
        return 0.0 if (char == "<" and kind == "digit") else -1.0
    if kind == "sex":
        return 1.0 if char in "MFX<" else -1.0
    if kind == "code_first":
        return 1.0 if char.isalpha() else -1.0
    if kind in ("code", "country"):
        if char.isalpha() or char == "<":
            return 0.5
        return 0.0 if char in DIGIT_TO_LETTER else -0.5
    if kind == "name":
        return 0.1 if (char.isalpha() or char == "<") else -0.3
    return 0.1


def _as_digits(text: str) -> str:
    return "".join(LETTER_TO_DIGIT.get(c, c) for c in text)


def line_plausibility(text: str, layout: Layout, line_index: int, kinds: list[str]) -> float:
    """How well `text` (already of the layout's length) fits the layout's line."""
    kinds = ["code_first", *kinds[1:]] if kinds[0] == "code" else kinds
    score = sum(_position_score(kind, char) for kind, char in zip(kinds, text))
    for spec in layout.fields:
        if spec.line != line_index:
            continue
        value = text[spec.start : spec.end]
        if spec.kind == "country":
            letters = "".join(DIGIT_TO_LETTER.get(c, c) for c in value).rstrip("<")
            if "<" in letters:
                score -= 1.5  # fillers only ever pad a code at its end
            score += 1.5 if is_known_country(letters) else 0.0
        elif spec.kind == "name":
            # Every name has the '<<' that separates surname and given names.
            score += 0.5 if "<<" in value.rstrip("<") else 0.0
        elif spec.kind == "date":
            score += 1.0 if parse_yymmdd(_as_digits(value)) is not None else 0.0
    for check in layout.checks:
        if check.line != line_index or any(seg[0] != line_index for seg in check.segments):
            continue
        covered = "".join(
            _as_digits(c) if kinds[pos] in DIGIT_KINDS else c
            for seg in check.segments
            for pos, c in zip(range(seg[1], seg[2]), text[seg[1] : seg[2]])
        )
        printed = _as_digits(text[check.position])
        try:
            # Worth less than the prior of where fillers go: one check digit in ten agrees by chance.
            if check_digit(covered) == printed:
                score += 1.0
        except ValueError:
            pass
    return score


def _filler_runs(text: str) -> list[tuple[int, int]]:
    runs, start = [], None
    for i, c in enumerate(text + "\0"):
        if c == "<" and start is None:
            start = i
        elif c != "<" and start is not None:
            runs.append((start, i))
            start = None
    return runs


def _insert(cells: list[Cell], sites: tuple[int, ...]) -> list[Cell]:
    out, previous = [], 0
    for site in sorted(sites):
        out.extend(cells[previous:site])
        out.append(Cell("<", 0.5, inserted=True))
        previous = site
    out.extend(cells[previous:])
    return out


def _delete(cells: list[Cell], sites: tuple[int, ...]) -> list[Cell] | None:
    drop = set(sites)
    if len(drop) != len(sites):
        return None
    return [c for i, c in enumerate(cells) if i not in drop]


def _candidates(cells: list[Cell], length: int, line_index: int) -> list[tuple[list[Cell], float, str]]:
    """(aligned cells, penalty, reason) for the repairs worth scoring."""
    text = text_of(cells)
    diff = length - len(text)
    if diff == 0:
        return [(cells, 0.0, "")]
    runs = _filler_runs(text)
    out: list[tuple[list[Cell], float, str]] = []
    if diff > 0:
        # Where a dropped filler may go, with a small prior: in a filler run or at the end
        # is usual, in the document code / issuing state area less so, before the line rare.
        sites = {0: 1.0}
        for start, end in runs:
            prior = 0.1 if end - start > 2 else 0.3
            sites[start] = min(sites.get(start, prior), prior)
            sites[end] = min(sites.get(end, prior), prior)
        sites[len(text)] = 0.05
        if line_index == 0:
            for site in range(1, 6):
                sites.setdefault(site, 0.8)
        if diff <= MAX_COMBINED_EDITS:
            for combo in combinations_with_replacement(sorted(sites), diff):
                out.append((_insert(cells, combo), sum(sites[s] for s in combo), "filler"))
    else:
        extra = -diff
        # Deleting any '<' of a run gives the same text: one site per run and count.
        # '<' and '<<' are usually separators that belong there; long filler runs absorb extras.
        run_sites = {s: (0.1 if end - start > 2 else 1.2) for start, end in runs for s in range(start, min(end, start + extra))}
        if extra <= MAX_COMBINED_EDITS:
            for combo in {tuple(sorted(c)) for c in combinations_with_replacement(run_sites, extra)}:
                deleted = _delete(cells, combo)
                if deleted is not None:
                    out.append((deleted, sum(run_sites[s] for s in combo), "filler"))
            if extra == 1:
                # A spurious non-filler character (a speck read as a letter).
                for i, cell in enumerate(cells):
                    if cell.char != "<":
                        # Costlier than a lucky check digit is worth in line_plausibility.
                        out.append((_delete(cells, (i,)), 3.5, "alignment"))
    # Last resort: pad or truncate at the end.
    if diff > 0:
        out.append((cells + [Cell("<", 0.5, inserted=True) for _ in range(diff)], 0.5 * diff, "alignment"))
    else:
        out.append((cells[:length], 0.5 * -diff, "alignment"))
    return out


def _edit_corrections(before: list[Cell], after: list[Cell], line_index: int, reason: str) -> list[Correction]:
    """The inserted and deleted characters between two versions of a line."""
    if not reason:
        return []
    corrections = []
    kept = {id(c) for c in after}
    for pos, cell in enumerate(after):
        if cell.inserted and all(cell is not b for b in before):
            corrections.append(Correction(line_index, pos, "", "<", reason))
    position = 0
    for cell in before:
        if id(cell) in kept:
            position += 1
        else:
            corrections.append(Correction(line_index, position, cell.char, "", reason))
    return corrections


def align_line(
    cells: list[Cell], layout: Layout, line_index: int, keep: int = ALIGNMENTS_PER_LINE
) -> list[tuple[list[Cell], list[Correction], float, float]]:
    """The best repairs of one line to the layout's length (best first), each with its
    corrections, its fit and the prior penalty of its edits."""
    kinds = position_kinds(layout)[line_index]
    # Different edits can give the same text (a filler added at either end of a run): each
    # text counts once, with its most likely edit.
    by_text: dict[str, tuple[float, int, list[Cell], str]] = {}
    fit: dict[str, float] = {}
    for order, (candidate, penalty, reason) in enumerate(_candidates(cells, layout.line_length, line_index)):
        text = text_of(candidate)
        if text not in fit:
            fit[text] = line_plausibility(text, layout, line_index, kinds)
        score = fit[text] - penalty
        if text not in by_text or score > by_text[text][0]:
            by_text[text] = (score, order, candidate, reason)
    scored = sorted(by_text.values(), key=lambda s: (-s[0], s[1]))
    return [
        (c, _edit_corrections(cells, c, line_index, r), score, fit[text_of(c)] - score)
        for score, _, c, r in scored[:keep]
    ]


@dataclass
class _Piece:
    """One MRZ-looking OCR line: its text as read and its space variants."""

    raw: str
    variants: list[list[Cell]]


def _mrz_lines(lines: list[OcrLine]) -> list[_Piece]:
    """Each MRZ-looking OCR line (junk lines dropped)."""
    out = []
    for line in lines:
        variants = space_variants(line_cells(line))
        # Judged without spaces, so that page text ("12 AUG 74") cannot pass for fillers.
        if mrz_likeness(variants[0]) > 0:
            out.append(_Piece(line.text, variants))
    return out


def _nearest(variants: list[list[Cell]], length: int) -> list[Cell]:
    return min(variants, key=lambda v: abs(len(v) - length))


def _groupings(pieces: list[_Piece], line_count: int, length: int):
    """Consecutive runs of lines (a line split in two joined back) shaped line_count x length:
    yields (cells per line, raw text per line)."""
    for start in range(len(pieces)):
        group, raws, index = [], [], start
        while len(group) < line_count and index < len(pieces):
            cells = _nearest(pieces[index].variants, length)
            raw = pieces[index].raw
            if len(cells) < length - LENGTH_TOLERANCE:
                # A piece of a split line: its spaces are where the OCR broke words.
                cells = pieces[index].variants[0]
            index += 1
            # A short piece followed by another short piece: the OCR split one MRZ line.
            while len(cells) < length - LENGTH_TOLERANCE and index < len(pieces):
                following = pieces[index].variants[0]
                if len(cells) + len(following) > length + LENGTH_TOLERANCE:
                    break
                cells = cells + following
                raw += pieces[index].raw
                index += 1
            if abs(len(cells) - length) > LENGTH_TOLERANCE:
                break
            group.append(cells)
            raws.append(raw)
        if len(group) == line_count:
            yield group, raws


def find_blocks(lines: list[OcrLine]) -> list[Block]:
    """Every plausible MRZ block in the OCR lines, best fitting first."""
    mrz_lines = _mrz_lines(lines)
    blocks = []
    seen = set()
    for length in LINE_LENGTHS:
        line_count = 3 if length == 30 else 2
        for group, raws in _groupings(mrz_lines, line_count, length):
            key = (length, tuple(text_of(c) for c in group))
            if key in seen:
                continue
            seen.add(key)
            layout = layouts_for(line_count, length, text_of(group[0])[:1])[0]
            options = [align_line(cells, layout, index) for index, cells in enumerate(group)]
            for choice in product(*options):
                blocks.append(
                    Block(
                        layout=layout,
                        raw_lines=list(raws),
                        lines=[aligned for aligned, _, _, _ in choice],
                        corrections=[fix for _, fixes, _, _ in choice for fix in fixes],
                        plausibility=sum(fit for _, _, fit, _ in choice) / (line_count * length),
                        edit_penalty=sum(penalty for _, _, _, penalty in choice),
                    )
                )
    blocks.sort(key=lambda b: b.plausibility, reverse=True)
    return blocks
