"""Gaps between words in a line's image, and the spaces the recogniser may have left out.

A run of blank columns at least WORD_GAP heights of the line's ink wide separates words: a
space is about 0.35 of a capital's height, the gap between two letters rarely over 0.2.
The page reader cuts long lines at such a gap (local_text._first_part). PP-OCRv6 now and then
reads two words as one ('AFFARIESTERI', 'NEWYORK', 'UDLÆNDINGE-OG' for 'UDLÆNDINGE- OG'),
which no check catches: a value line whose image has a gap as wide as its spaces where no
space was read is doubted there (doubt_missing_spaces), so the field is reviewed. It is not
mended: on blurred, up-scaled print the letters' own strokes part as widely ('KØBE N H AV N'
when spaces were put in such gaps, on generated low-resolution pages).
"""

from __future__ import annotations

import statistics
from dataclasses import replace

import numpy as np
from PIL import Image

from ..imaging.morphology import true_runs
from ..ocr_types import OcrLine

WORD_GAP = 0.3  # in heights of the line's ink
MIN_INK_CONTRAST = 40.0  # grey levels between ink and paper
# A gap where no space was read is a missing space only if it is this many of the line's
# letter pitches wide (false gaps measured 0.24-0.77 pitches on generated low-resolution and
# photo pages, the spaces left out 0.87 and 1.37, the spaces read 0.62-0.93) ...
MISSING_SPACE_PITCHES = 0.8
# ... and at least this share of the narrowest gap in which the recogniser read a space on the
# same line (a line with none read is not judged).
MISSING_SPACE_OF_READ = 0.9
# The letters either side of a space that may be missing: below merge.REVIEW_PRINT_BELOW of
# places and authorities (a field's confidence leaves spaces out).
MISSING_SPACE_CONFIDENCE = 0.6


def word_gaps(grey: np.ndarray) -> list[tuple[int, int]] | None:
    """The gaps between words of a grey line image (H, W), as [start, end) column runs, or
    None when the image has too little contrast to tell ink from paper."""
    if grey.size == 0:
        return None
    # Ink: pixels darker than halfway between the darkest and the paper level, so a tinted
    # or patterned background does not count.
    darkest, paper = float(grey.min()), float(np.percentile(grey, 90))
    if paper - darkest < MIN_INK_CONTRAST:
        return None
    dark = grey < (darkest + paper) / 2
    empty = dark.sum(axis=0) <= 1
    inked_rows = np.flatnonzero(dark.sum(axis=1) > 1)
    ink_height = float(inked_rows[-1] - inked_rows[0] + 1) if len(inked_rows) else float(grey.shape[0])
    return [(a, b) for a, b in true_runs(empty) if b - a >= WORD_GAP * ink_height]


def missing_spaces(line: OcrLine, gaps: list[tuple[int, int]], width: int) -> list[int]:
    """Indices of `line`'s characters after which a word gap of its image (`gaps`, columns
    of an image `width` wide) holds no space the recogniser read, though as wide as the
    spaces it read on the line (MISSING_SPACE_PITCHES, MISSING_SPACE_OF_READ): where neither
    neighbour is a space or a digit, and no space was read within a letter's pitch of it."""
    xs = line.char_x
    if len(xs) != len(line.chars) or len(xs) < 2:
        return []
    pitch = statistics.median(b - a for a, b in zip(xs, xs[1:]))
    spaces = [x for x, c in zip(xs, line.chars) if c.char == " "]
    read_at = [(a, b) for a, b in gaps if any(abs(x - (a + b) / 2 / width) <= pitch for x in spaces)]
    if not read_at:
        return []  # no space read to measure the line's spaces by
    wide_enough = max(MISSING_SPACE_PITCHES * pitch * width, MISSING_SPACE_OF_READ * min(b - a for a, b in read_at))
    after = []
    for start, end in gaps:
        if end - start < wide_enough or (start, end) in read_at:
            continue
        centre = (start + end) / 2 / width
        k = next((k for k in range(len(xs) - 1) if xs[k] < centre < xs[k + 1]), None)
        if k is None:
            continue  # before the first character or after the last: the box's margin
        left, right = line.chars[k].char, line.chars[k + 1].char
        if right == "-" and k + 2 < len(line.chars) and line.chars[k + 2].char != " ":
            # A hyphen is narrow and its frame lands late: the gap is after it ('UDLÆNDINGE- OG').
            k, left, right = k + 1, right, line.chars[k + 2].char
        if " " in (left, right) or left.isdigit() or right.isdigit():
            continue
        after.append(k)
    return sorted(set(after))


def doubt_missing_spaces(crops: list[Image.Image], lines: list[OcrLine]) -> None:
    """Lower, in place, to MISSING_SPACE_CONFIDENCE the letters of `lines` (read from
    `crops`) either side of a word gap of the image where no space was read."""
    for crop, line in zip(crops, lines):
        if len(line.char_x) != len(line.chars):
            continue
        gaps = word_gaps(np.asarray(crop.convert("L"), dtype=np.float32))
        doubted = {i for k in missing_spaces(line, gaps, crop.width) for i in (k, k + 1)} if gaps else set()
        for i in doubted:
            if line.chars[i].confidence > MISSING_SPACE_CONFIDENCE:
                line.chars[i] = replace(line.chars[i], confidence=MISSING_SPACE_CONFIDENCE)


__all__ = ["WORD_GAP", "doubt_missing_spaces", "missing_spaces", "word_gaps"]
