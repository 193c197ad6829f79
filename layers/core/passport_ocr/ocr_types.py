"""What OCR engines hand to the parsers: text lines with per-character evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class OcrChar:
    """One recognised character and the recogniser's runners-up at the same place.

    `alternatives` are (character, probability) pairs other than `char`, best first; the MRZ
    corrector searches them when check digits fail. Engines that give no per-character
    evidence (OCR.Space) leave them empty and report a flat confidence.

    `distribution`, from an engine that has it, is the probability of every character of
    its alphabet at that place, however small: where the layout forbids the kind of
    character read (a digit in a name), the likeliest allowed one is what the recogniser
    saw there, which its top three runners-up (often all digits) do not tell.
    """

    char: str
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    distribution: dict[str, float] = field(default_factory=dict)
    # A letter's marks as read from its image (viz.marks): the probability of each letter
    # of its base and case, the plain one included; empty when they were not read.
    marks: dict[str, float] = field(default_factory=dict)


@dataclass
class OcrLine:
    """One line of text as read, top to bottom order within a page.

    `box` is (x0, y0, x1, y1) in the coordinates of the (upright, deskewed) page image the
    engine worked on, or None when unknown. `unreadable` holds the letters the engine cannot
    output at all (missing from its recogniser's dictionary): where the page can print one,
    the engine's reading of a letter of the same base cannot rule it out. `spotted_label` is
    (field, fit) when the line was read as a label candidate and its frames fit that field's
    label phrases clearly best although its text may not (viz.spot).
    """

    text: str
    chars: list[OcrChar] = field(default_factory=list)
    box: tuple[float, float, float, float] | None = None
    confidence: float = 1.0
    unreadable: frozenset[str] = frozenset()
    spotted_label: tuple[str, float] | None = None
    # Where each of `chars` is centred, as a fraction of the line image's width (from the
    # recogniser's frames), when the engine knows: where to look at a letter's marks.
    char_x: list[float] = field(default_factory=list)
    # The recognisers' frames folded to letters, digits and gaps (viz.spot.FrameColumns
    # log-ratios, time by column), one array per recogniser that read the line, when the
    # engine has them: what a phrase the text does not spell may still fit (a misread label,
    # a blurred date).
    frames: tuple[Any, ...] = ()

    @classmethod
    def plain(cls, text: str, confidence: float = 1.0, box=None) -> "OcrLine":
        """A line from an engine without per-character evidence."""
        return cls(text=text, chars=[OcrChar(c, confidence) for c in text], box=box, confidence=confidence)
