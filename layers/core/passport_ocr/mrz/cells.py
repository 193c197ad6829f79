"""OCR lines turned into MRZ text that keeps, per character, the recogniser's evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ocr_types import OcrLine
from .charmaps import FILLER_GLYPHS
from .checkdigit import is_mrz_char


@dataclass
class Cell:
    """One MRZ character with the OCR's confidence and runners-up (already normalised)."""

    char: str
    confidence: float = 1.0
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    inserted: bool = False  # added by the aligner, the OCR never saw it


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
        source = [(c.char, c.confidence, c.alternatives) for c in line.chars]
    else:
        source = [(c, line.confidence, []) for c in line.text]
    cells = []
    for char, confidence, alternatives in source:
        normal = normalise_char(char)
        alts = [(normalise_char(a), p) for a, p in alternatives]
        alts = [(a, p) for a, p in alts if is_mrz_char(a) and a != normal]
        cells.append(Cell(normal, float(confidence), alts))
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
    as_fillers = [Cell("<", min(c.confidence, 0.9)) if c.char == " " else c for c in stripped]
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
