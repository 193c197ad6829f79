"""Several readings of one MRZ zone combined character by character into one more reading.

On rough print each crop of a zone (as found, stretched, binarised, wider characters) misreads
a few characters, not always the same ones. Averaged position by position, the recogniser's
probabilities give each character the support of the readings, and the runners-up of all of
them are there for the check-digit search when the consensus is parsed like any other
reading. Where the readings read a place differently the consensus is doubted there: the
character keeps at most DISPUTED_CONFIDENCE, and its field is flagged unless a passing check
digit tells the rival characters apart (flag_disputes).

The readings are compared on their lines as read_mrz aligned them to the layout's length,
before correction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..ocr_types import OcrChar, OcrLine
from ..record import Warning
from .cells import Cell, text_of
from .charmaps import DIGIT_TO_LETTER, LETTER_TO_DIGIT
from .checkdigit import char_value
from .checks import covered_positions, effective_checks, evaluate
from .formats import DIGIT_KINDS, LAYOUTS, position_kinds
from .read import MrzResult, flag_ambiguous_reading
from .review import field_positions

# The most confidence a character keeps when the readings read it differently: the crops all
# come from the same pixels, and the one that differs may be the one that saw them best.
# Under the corrector's LOW_CONFIDENCE (0.8).
DISPUTED_CONFIDENCE = 0.6
# Runners-up below this share of the votes are dropped, as the recogniser lists nothing under 1 %.
MIN_ALTERNATIVE = 0.01
# Kinds of position where only letters (and fillers) are printed: a digit read there is the
# look-alike letter, which the corrector restores (mrz.correct.apply_field_types).
LETTER_KINDS = frozenset({"name", "code", "country", "sex"})


@dataclass
class Consensus:
    """The voted lines, and the places (line, position) the readings read differently with
    the characters they read there (as the layout makes them: 'O' for a '0' in a name)."""

    lines: list[OcrLine]
    disputed: dict[tuple[int, int], set[str]] = field(default_factory=dict)


def _read_at_full_length(result: MrzResult, index: int) -> bool:
    """Line `index` was read with as many characters as the layout has: nothing inserted or dropped."""
    cells = result.aligned[index]
    return not any(cell.inserted for cell in cells) and len(result.info.raw_lines[index].replace(" ", "")) == len(cells)


def _distribution(cell: Cell) -> dict[str, float]:
    """The recogniser's probability of each character it saw at this place."""
    odds = {cell.char: cell.read_confidence}
    for char, probability in cell.alternatives:
        odds[char] = odds.get(char, 0.0) + probability
    return odds


def vote_character(cells: list[Cell]) -> OcrChar:
    """The character the cells (one per reading, same position) give most probability on
    average, with that average as its confidence (at most DISPUTED_CONFIDENCE when the
    readings read it differently) and the other characters as runners-up."""
    total: dict[str, float] = defaultdict(float)
    for cell in cells:
        for char, probability in _distribution(cell).items():
            total[char] += probability / len(cells)
    # Ties go to the first reading's character (the likeliest reading comes first).
    ranked = sorted(total.items(), key=lambda item: (-item[1], item[0] != cells[0].char))
    (char, confidence), rest = ranked[0], ranked[1:]
    if any(cell.char != char for cell in cells):
        confidence = min(confidence, DISPUTED_CONFIDENCE)
    return OcrChar(char, confidence, [(c, p) for c, p in rest if p >= MIN_ALTERNATIVE])


def _as_printed(char: str, kind: str) -> str:
    """What a character read at a position of `kind` stands for once the layout is applied."""
    if kind in DIGIT_KINDS:
        return LETTER_TO_DIGIT.get(char, char)
    if kind in LETTER_KINDS:
        return DIGIT_TO_LETTER.get(char, char)
    return char


def consensus(results: list[MrzResult]) -> Consensus | None:
    """The readings of one zone voted into one, or None when no line was read two ways.

    `results` are parsed readings of the same zone, likeliest first; those of another layout
    than the first are ignored, and so are invalid ones when some are valid: a failed check
    says a reading misread something, and it would outvote the readings that did not.
    Each line is voted on by the readings that read it at its full length (a filler the
    aligner inserted may hide a dropped name letter that no check digit sees), each text
    once, as the likeliest reading of it read it: crops of the same pixels that read a line
    alike (as found and with wider characters, or a line a hypothesis did not read again)
    are one piece of evidence, not two, and would outvote a repaired crop that read it
    otherwise. A line only one reading read at full length is taken from it; one none read
    so leaves no consensus.
    """
    if not results or not results[0].aligned or results[0].info.format not in LAYOUTS:
        return None
    first = results[0]
    kinds = position_kinds(LAYOUTS[first.info.format])
    voters = [r for r in results if r.info.format == first.info.format and len(r.aligned) == len(first.aligned)]
    if any(r.info.valid for r in voters):
        voters = [r for r in voters if r.info.valid]
    voted = Consensus([])
    read_two_ways = False
    for index in range(len(first.aligned)):
        by_text: dict[str, list[Cell]] = {}
        for result in voters:
            if _read_at_full_length(result, index):
                by_text.setdefault(text_of(result.aligned[index]), result.aligned[index])
        if not by_text:
            return None
        read_two_ways |= len(by_text) > 1
        columns = [list(column) for column in zip(*by_text.values())]
        chars = [vote_character(column) for column in columns]
        voted.lines.append(OcrLine("".join(c.char for c in chars), chars))
        for pos, column in enumerate(columns):
            printed = {_as_printed(cell.char, kinds[index][pos]) for cell in column}
            if len(printed) > 1:
                voted.disputed[(index, pos)] = printed
    return voted if read_two_ways else None


def _told_apart(chars: set[str]) -> bool:
    """A check digit changes whenever one of these characters is read for another."""
    values = [char_value(c) % 10 for c in chars]
    return len(set(values)) == len(values)


DISPUTE_MESSAGE = "the readings of the zone read a character here differently"


def flag_disputes(result: MrzResult, disputed: dict[tuple[int, int], set[str]]) -> None:
    """Flag the fields of the parsed consensus that hold a place the readings read differently,
    unless a passing check digit covers it and tells the rival characters apart (no check
    sees a swap between characters whose values differ by a multiple of 10, 'G' for '6')."""
    layout = LAYOUTS.get(result.info.format)
    if layout is None or not disputed:
        return
    texts = result.info.lines
    confirmed: set[tuple[int, int]] = set()
    for check in effective_checks(layout, texts):
        if evaluate(check, texts).ok:
            confirmed.update(covered_positions(check))
            confirmed.add((check.line, check.position))
    for name, positions in field_positions(layout, texts).items():
        if any(
            place not in confirmed or not _told_apart(disputed[place] | {texts[place[0]][place[1]]})
            for place in positions & disputed.keys()
        ):
            if name in result.fields:
                flag_ambiguous_reading(result, name, DISPUTE_MESSAGE)
            elif not any(w.code == "ambiguous_reading" and w.field is None for w in result.warnings):
                # Data the record does not hold as a field (TD1 optional data): the record is in doubt.
                result.warnings.append(Warning("ambiguous_reading", DISPUTE_MESSAGE))
