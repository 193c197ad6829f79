"""A second reading of the value lines PP-OCR read unsure, by the project's own line network.

PP-OCRv6 reads clean print of the visual zone well and rough print badly ('08 MAR/MARS 19'
as '03 1|AR M585 19'); the line network (viz.line_net), trained on rendered lines in many
fonts degraded from clean to beyond a worn scan, reads dates better and knows base letters
only. So a value line is read again only when PP-OCR was unsure of it, and the network's
reading replaces PP-OCR's only where it makes a date of it (better_reading). Labels are
left to PP-OCR: they are small, mixed-case, in many languages, and found by spelling
(viz.labels) from what PP-OCR reads.

On a page that prints letters PP-OCR's dictionary lacks (Vietnamese 'Ụ', 'Ấ', 'Ộ'), PP-OCR
drops them ('CC QUÅN LÝ XUT NHÂP' for 'CỤC QUẢN LÝ XUẤT NHẬP'); the network, which reads
base letters, reads 'CUC QUAN LY XUAT NHAP'. Every value line of such a page is read by
both, and the letters only the network read are put in PP-OCR's reading (fill_dropped), where
they could be such a letter, for the mark network to give them their marks.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from ..ocr_types import OcrChar, OcrLine
from .alphabets import PageAlphabet, base_letter, unreadable_bases
from .dates import DAY_SOMETHING_YEAR, find_dates
from .line_net import LINE_ALPHABET, LineNet
from .recognize import DROPPED_GAP_PITCHES, decode_line_at, letter_table
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


# A letter only the network read is given for review: its base is the network's reading
# (it reads base letters only) and its marks are still to be read.
FILLED_LETTER_CONFIDENCE = 0.5


def _same_letters(read: str, plain: str) -> bool:
    """Whether `read` (a character PP-OCR read) is `plain` (one the network read) but for
    its marks and case."""
    if not read.isalpha() or not plain.isalpha():
        return read == plain
    return base_letter(read) == base_letter(plain)


def _in_case_of(read: OcrChar, plain: str) -> OcrChar:
    """PP-OCR's marked letter `read` in the case of the network's `plain`: PP-OCR reads a
    capital with a mark as a small letter now and then ('CHí MINH'). A plain letter keeps
    PP-OCR's case: 'C' and 'c', 'O' and 'o' differ in size only, which the network gets wrong
    as often."""
    if read.char.isascii() or read.char.isupper() == plain.isupper():
        return read
    if len(cased := read.char.upper() if plain.isupper() else read.char.lower()) != 1:
        return read
    return replace(read, char=cased, alternatives=[])


def fill_dropped(first: OcrLine, second: OcrLine, bases: frozenset[str]) -> OcrLine | None:
    """PP-OCR's reading `first` with the letters of the network's reading `second` of the
    same image that PP-OCR left out put back, or None when there are none to put back or the
    readings disagree otherwise. Every character of `first` (its marks and case aside) must
    be in `second`, in order (a marked letter takes its case from there); the others of
    `second` must be letters whose base is in `bases` (capitals: alphabets.unreadable_bases),
    where PP-OCR's neighbours leave room for them."""
    if len(second.chars) <= len(first.chars) or len(first.char_x) != len(first.chars):
        return None
    if len(second.char_x) != len(second.chars):
        return None
    if len(first.char_x) < 2:
        return None
    # A letter dropped between two PP-OCR read leaves them as far apart as recognize's
    # letter_gaps asks (a letter squeezed between two that stand a pitch apart is the
    # network's misreading: 'ABSUJA' for 'ABUJA' on a Nigerian page, whose Yoruba 'Ṣ' PP-OCR
    # cannot output). PP-OCR's and the network's positions of a letter differ by up to half a
    # pitch, so where the letter lies between them is not asked.
    gap = DROPPED_GAP_PITCHES * statistics.median(b - a for a, b in zip(first.char_x, first.char_x[1:]))
    chars: list[OcrChar] = []
    xs: list[float] = []
    k = 0
    for char, x in zip(second.chars, second.char_x):
        if k < len(first.chars) and _same_letters(first.chars[k].char, char.char):
            chars.append(_in_case_of(first.chars[k], char.char))
            xs.append(first.char_x[k])
            k += 1
            continue
        after = first.char_x[k] if k < len(first.chars) else math.inf
        before = first.char_x[k - 1] if k > 0 else -math.inf
        if not char.char.isalpha() or base_letter(char.char) not in bases or after - before < gap:
            return None
        chars.append(OcrChar(char.char, min(char.confidence, FILLED_LETTER_CONFIDENCE), [], {}))
        xs.append(x)
    if k < len(first.chars):
        return None
    text = "".join(c.char for c in chars)
    confidence = float(np.mean([c.confidence for c in chars]))
    return replace(first, text=text, chars=chars, confidence=min(first.confidence, confidence), char_x=xs)


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

    def reread(self, crops: list[Image.Image], lines: list[OcrLine], alphabet: PageAlphabet | None = None) -> None:
        """Read again, in place, the value `lines` (read from `crops`) worth it: the text of
        each the network reads better (better_reading) is replaced, the box stays; on a page of
        `alphabet` that prints letters PP-OCR cannot output, every line gets back the letters
        PP-OCR dropped (fill_dropped). Each unsure line keeps the network's frames beside
        PP-OCR's (OcrLine.frames): two readings a blurred date may fit."""
        asked = [(k, self.wanted(line), unreadable_bases(alphabet, line.unreadable)) for k, line in enumerate(lines)]
        asked = [item for item in asked if item[1] or item[2]]
        for (k, unsure, bases), second in zip(asked, self.read([crops[k] for k, _, _ in asked])):
            line = lines[k]
            if unsure:
                line.frames = (*line.frames, *second.frames)
            if unsure and better_reading(line, second) is second:
                line.text, line.chars, line.confidence = second.text, second.chars, second.confidence
                line.char_x, line.unreadable, line.spotted_label = second.char_x, frozenset(), None
            elif bases and (filled := fill_dropped(line, second, bases)) is not None:
                line.text, line.chars, line.confidence, line.char_x = filled.text, filled.chars, filled.confidence, filled.char_x


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


__all__ = ["SecondReader", "SecondReadingPolicy", "better_reading", "fill_dropped", "network_line", "plain_text"]
