"""A second reading of the value lines PP-OCR read unsure, by the project's own line network.

PP-OCRv6 reads clean print of the visual zone well and rough print badly ('08 MAR/MARS 19'
as '03 1|AR M585 19'); the line network (viz.line_net), trained on rendered lines in many
fonts degraded from clean to beyond a worn scan, reads dates better and knows base letters
only. So a value line is read again only when PP-OCR was unsure of it, and the network's
reading replaces PP-OCR's only where it makes a date of it (better_reading). Labels are
left to PP-OCR: they are small, mixed-case, in many languages, and found by spelling
(viz.labels) from what PP-OCR reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..ocr_types import OcrLine
from .alphabets import base_letter
from .dates import DAY_SOMETHING_YEAR, find_dates
from .line_net import LINE_ALPHABET, LineNet
from .recognize import decode_line_at, letter_table
from .spot import FrameColumns


@dataclass(frozen=True)
class SecondReadingPolicy:
    # A value line PP-OCR read with a mean confidence below this is read again.
    read_below: float = 0.85
    # Lines PP-OCR read with more of their letters in lower case than this are left to it.
    max_lowercase_share: float = 0.3


def plain_text(text: str) -> str:
    """`text` with every letter's marks taken off ('KLAIPĖDA' -> 'KLAIPEDA')."""
    return "".join(base_letter(c) if c.isalpha() else c for c in text)


def date_shape(text: str) -> int:
    """How much `text` reads as a date: 2 a date (viz.dates), 1 a day and a year around
    something that is no month ('25.58.2026', read.py finds the month from the validity), 0
    neither."""
    if find_dates(text):
        return 2
    return 1 if DAY_SOMETHING_YEAR.fullmatch(text.strip()) else 0


def lowercase_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.islower() for c in letters) / len(letters) if letters else 0.0


def better_reading(first: OcrLine, second: OcrLine) -> OcrLine:
    """PP-OCR's reading `first` or the network's `second` of the same line image: the one
    that reads more as a date; of two dates, the surer; else PP-OCR's.

    Only dates: the network reads them better than PP-OCR at every level of print (on lines
    of unseen fonts, clean to rough: scripts/viz_model/README.md), other text only on rough
    print. Trusting its surer readings of other text mended a few heavy pages' places and
    broke the place of birth of 8 real Czech pages, whose capital labels ('MÍSTO NAROZENÍ /
    PLACE OF BIRTH'), read in part by PP-OCR and found by likeness, it garbled further."""
    if not second.text or plain_text(first.text) == second.text:
        return first  # the same letters: PP-OCR's reading keeps its marks
    # Either reading may lose a date the other reads ('16 N0V 1946' as '16 NON 1946', or
    # '03 1|AR M585 19' as '09 MAR/MAS 19'), and a date is what read.py needs most.
    first_shape, second_shape = date_shape(first.text), date_shape(second.text)
    if first_shape != second_shape:
        return second if second_shape > first_shape else first
    if first_shape == 2 and second.confidence >= first.confidence:
        return second
    return first


class SecondReader:
    """The line network's session and its CTC decoding into OcrLines."""

    def __init__(self, threads: int = 1, model_file=None, policy: SecondReadingPolicy = SecondReadingPolicy()):
        self.net = LineNet.shared(model_file, threads)
        self.policy = policy

    @property
    def available(self) -> bool:
        return self.net.available

    def wanted(self, line: OcrLine) -> bool:
        """Whether `line` (a value line as PP-OCR read it) is worth reading again: read unsure,
        and in capitals and digits, as values print. A line PP-OCR reads mostly in small
        letters is a label it could not match ('Dae ot brt /ute'), whose reading the label
        search scores by likeness: the network's would garble it further."""
        return line.confidence < self.policy.read_below and lowercase_share(line.text) <= self.policy.max_lowercase_share

    def read(self, crops: list[Image.Image]) -> list[OcrLine]:
        """The network's readings of `crops`, as OcrLines (box unset)."""
        return [network_line(p) for p in self.net.probabilities(crops)] if crops else []

    def reread(self, crops: list[Image.Image], lines: list[OcrLine]) -> None:
        """Replace, in place, the text of each of `lines` (read from `crops`) that the network
        reads better (better_reading); the box stays. Each line keeps the network's frames
        beside PP-OCR's (OcrLine.frames): two readings a blurred date may fit."""
        for line, second in zip(lines, self.read(crops)):
            line.frames = (*line.frames, *second.frames)
            chosen = better_reading(line, second)
            if chosen is second:
                line.text, line.chars, line.confidence = second.text, second.chars, second.confidence
                line.char_x, line.unreadable, line.spotted_label = second.char_x, frozenset(), None


_SYMBOLS = ["", *LINE_ALPHABET]
_LETTERS = letter_table(_SYMBOLS)
_COLUMNS = FrameColumns(_SYMBOLS)


def network_line(probabilities: np.ndarray) -> OcrLine:
    """The line network's (T, classes) probabilities as an OcrLine (box unset): the reader's
    CTC decoding (recognize.decode_line_at), without spaces at either end. Training and the
    evaluation of the network decode with it too, so they measure what the reader gets."""
    located = decode_line_at(probabilities, _SYMBOLS, _LETTERS)
    # decode_line_at keeps a space the network put first or last; a line has none there.
    while located and located[0][0].char == " ":
        located.pop(0)
    while located and located[-1][0].char == " ":
        located.pop()
    chars = [char for char, _ in located]
    frames = max(1, probabilities.shape[0])
    return OcrLine(
        text="".join(c.char for c in chars),
        chars=chars,
        confidence=float(np.mean([c.confidence for c in chars])) if chars else 0.0,
        char_x=[frame / frames for _, frame in located],
        frames=(_COLUMNS.log_ratios(probabilities),),
    )


__all__ = ["SecondReader", "SecondReadingPolicy", "better_reading", "network_line", "plain_text"]
