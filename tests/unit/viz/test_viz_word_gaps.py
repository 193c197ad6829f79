"""Gaps between words in a line's image, and the spaces the recogniser may have left out
(viz.word_gaps)."""

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from passport_ocr.ocr_types import OcrLine
from passport_ocr.viz.word_gaps import MISSING_SPACE_CONFIDENCE, doubt_missing_spaces, missing_spaces, word_gaps

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _reading(printed: str, read: str) -> tuple[Image.Image, OcrLine]:
    """`printed` drawn as a detector's box holds it, and a reading `read` of it that leaves
    out none or some of its spaces, each character at its centre (a fraction of the width)."""
    font = ImageFont.truetype(DEJAVU, 32)
    width = int(font.getlength(printed)) + 16
    image = Image.new("L", (width, 48), 235)
    ImageDraw.Draw(image).text((8, 6), printed, font=font, fill=30)
    centres = [(8 + font.getlength(printed[:k]) + font.getlength(printed[k]) / 2) / width for k in range(len(printed))]
    kept, k = [], 0
    for x, c in zip(centres, printed):
        if k < len(read) and read[k] == c:
            kept.append(x)
            k += 1
    line = OcrLine.plain(read, 0.95)
    line.char_x = kept
    return image, line


def test_gaps_between_words_are_found_and_none_inside_words():
    image, _ = _reading("AFFARI ESTERI", "AFFARI ESTERI")
    gaps = word_gaps(np.asarray(image, dtype=np.float32))
    assert len([g for g in gaps if 0.1 * image.width < g[0] < 0.9 * image.width]) == 1
    assert word_gaps(np.full((40, 200), 200.0)) is None  # no ink to tell from paper


def test_the_letters_beside_a_space_the_recogniser_left_out_are_doubted_not_mended():
    image, line = _reading("MINISTERO DEGLI AFFARI ESTERI", "MINISTERO DEGLI AFFARIESTERI")
    doubt_missing_spaces([image], [line])
    assert line.text == "MINISTERO DEGLI AFFARIESTERI"
    doubted = [k for k, c in enumerate(line.chars) if c.confidence == MISSING_SPACE_CONFIDENCE]
    assert doubted == [21, 22]  # the 'I' and the 'E' either side of the gap


def test_the_gap_after_a_hyphen_is_found_however_late_the_hyphens_frame():
    line = OcrLine.plain("UDLENDINGE-OG IN", 0.95)
    line.char_x = [0.05 + 0.06 * k for k in range(10)] + [0.66, 0.7, 0.76, 0.83, 0.9, 0.96]
    read = (800, 860)  # where the space was read: 1.0 pitch wide
    assert missing_spaces(line, [(620, 680), read], 1000) == [10]
    # No space read on the line: nothing to measure its spaces by.
    joined = OcrLine.plain("NEWYORK")
    joined.char_x = [0.1 + 0.13 * k for k in range(7)]
    assert missing_spaces(joined, [(44, 56)], 100) == []


def test_a_reading_with_its_spaces_or_of_digits_is_not_doubted():
    for printed, read in (("KØBENHAVN", "KØBENHAVN"), ("MINISTERO DEGLI AFFARI ESTERI", None), ("12 08 2012", "12 082012")):
        image, line = _reading(printed, read or printed)
        doubt_missing_spaces([image], [line])
        assert all(c.confidence == 0.95 for c in line.chars)
