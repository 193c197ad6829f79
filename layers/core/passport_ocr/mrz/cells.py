"""OCR lines turned into MRZ text that keeps, per character, the recogniser's evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ocr_types import OcrLine
from .charmaps import FILLER_GLYPHS
from .checkdigit import is_mrz_char


# Probability a character's reported runners-up may leave unaccounted for while the
# recogniser's evidence is still complete (it lists everything above 1%, at most three).
UNEXPLAINED_MASS = 0.12


@dataclass
class Cell:
    """One MRZ character with the OCR's confidence and runners-up (already normalised)."""

    char: str
    confidence: float = 1.0
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    inserted: bool = False  # added by the aligner, the OCR never saw it
    # The engine reported runners-up on this line: an alternative it did not list had a
    # negligible probability. Without evidence (OCR.Space) nothing can be said either way.
    evidence: bool = False
    # The recogniser's own confidence in what it read, kept when a correction lowers `confidence`.
    read_confidence: float | None = None
    # Every MRZ character's probability at this place, when the engine gave them (OcrChar).
    distribution: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        if self.read_confidence is None:
            self.read_confidence = self.confidence


# How probable '<' must be among a character's runners-up for it to pass for a blurred
# filler: the recogniser lists a faint '<' (1-2 %) behind many plainly printed letters.
FILLER_RUNNER_UP = 0.05


def filler_odds(cell: Cell) -> float:
    """The probability the recogniser gave '<' as a runner-up of this cell (0 if unlisted)."""
    return max((p for a, p in cell.alternatives if a == "<"), default=0.0)


def allowed_probability(cell: Cell, allowed) -> float:
    """The recogniser's probability of the cell's character among the characters the layout
    allows at its position: a '0' runner-up cannot make an 'O' in a name doubtful."""
    if not allowed(cell.char):
        return min(cell.confidence, 0.5)
    ruled_out = sum(p for a, p in cell.alternatives if not allowed(a))
    return min(cell.confidence / max(1.0 - ruled_out, 1e-6), 1.0)


def normalise_char(char: str) -> str:
    """Upper case, every filler-like glyph as '<'; spaces are kept for the caller to decide."""
    if char in FILLER_GLYPHS:
        return "<"
    if char.isspace():
        return " "
    return char.upper()


def line_cells(line: OcrLine) -> list[Cell]:
    """The line's characters as cells; falls back to its text when the engine gave no chars."""
    if line.chars and "".join(c.char for c in line.chars) == line.text:
        source = [(c.char, c.confidence, c.alternatives, c.distribution) for c in line.chars]
    else:
        source = [(c, line.confidence, [], {}) for c in line.text]
    # An engine that gives each character's whole distribution, or lists runners-up anywhere in
    # the line, reports its evidence: a line read so plainly that nothing is listed has some.
    evidence = any(alternatives or distribution for _, _, alternatives, distribution in source)
    cells = []
    for char, confidence, alternatives, distribution in source:
        normal = normalise_char(char)
        alts = [(normalise_char(a), p) for a, p in alternatives]
        alts = [(a, p) for a, p in alts if is_mrz_char(a) and a != normal]
        # The runners-up must account for the rest of the probability: a character read at
        # 0.7 with nothing listed has lost its evidence somewhere (a merged frame, an engine
        # that reports only some runners-up) and is judged by the look-alike maps instead.
        unexplained = 1.0 - float(confidence) - sum(p for _, p in alternatives)
        cells.append(
            Cell(normal, float(confidence), alts, evidence=evidence and unexplained <= UNEXPLAINED_MASS, distribution=distribution)
        )
    return cells


def text_of(cells: list[Cell]) -> str:
    return "".join(c.char for c in cells)


def space_variants(cells: list[Cell]) -> list[list[Cell]]:
    """Spaces inside a line are either OCR word breaks (drop them) or read fillers ('<')."""
    if not any(c.char == " " for c in cells):
        return [cells]
    dropped = [c for c in cells if c.char != " "]
    # Trailing spaces are never fillers the OCR saw: recognisers strip them.
    stripped = list(cells)
    while stripped and stripped[-1].char == " ":
        stripped.pop()
    as_fillers = [Cell("<", min(c.confidence, 0.9), evidence=c.evidence) if c.char == " " else c for c in stripped]
    return [dropped, as_fillers]


def mrz_likeness(cells: list[Cell]) -> float:
    """0..1: how much a line looks like MRZ text (length, alphabet, fillers and digits)."""
    text = text_of(cells).replace(" ", "")
    if len(text) < 8:
        return 0.0
    alphabet = sum(is_mrz_char(c) for c in text) / len(text)
    if alphabet < 0.8:
        return 0.0
    structure = 1.0 if ("<" in text or sum(c.isdigit() for c in text) >= 5 or len(text) >= 25) else 0.0
    return alphabet * structure
