"""Two printed lines the detector boxed as one, cut apart at the paper between them.

On a dense page a label and the value right under it can touch in the detector's map
('Date of issue  Date of expiry' over '16/03/2008  15/03/2015' on a held-out Egyptian
passport gave one box 2.5 MRZ characters high): the reader drops boxes that tall as photos or
titles, and with them the value. Rows of the box that hold no ink part its lines; each part
that is as high as a line becomes a box of its own. Pure numpy on the box's grey pixels.
"""

from __future__ import annotations

import numpy as np

from ..imaging.morphology import true_runs

# A row is paper when fewer than this share of its pixels are ink, or less than this part
# of what the box's inked rows hold (their upper quartile).
PAPER_ROW_INK = 0.01
PAPER_SHARE_OF_INKED = 0.25
# Parts less than this share of the box's tallest part are no lines of their own.
LOW_PART = 0.5
# The box's paper: this percentile of its grey levels (bold print may ink half the box).
PAPER_PERCENTILE = 90
# A pixel is ink when this many grey levels darker than the box's paper, or, on a faint
# page, half as dark as the box's darkest print (its 2nd percentile).
INK_CONTRAST = 40.0
DARKEST_PERCENTILE = 2
# Rows are measured on a running mean along them this share of the lowest line wide: on a
# noisy page ('heavy': grain of 20 grey levels, a third of the contrast) single pixels of
# paper pass for ink in every row and no gap shows; a mean over a few strokes keeps the
# print and averages the grain away.
SMOOTHING = 0.65
# Labels print smaller than their values: a part this share of the tallest, set apart from
# its neighbours by paper this share of the tallest, is a line of its own (a mark over
# letters sits closer; the edge of a line the box cut touches the box's edge).
SMALL_PRINT = 0.3
SMALL_PRINT_GAP = 0.2
# trim_to_line keeps this share of the line's inked height above it (marks) and below it.
TRIM_MARGIN_ABOVE = 0.35
TRIM_MARGIN_BELOW = 0.2


def split_lines(grey: np.ndarray, min_height: float, max_height: float) -> list[tuple[int, int]]:
    """Row ranges (y0, y1; y1 exclusive) of the lines in a box's grey pixels (H, W), each
    between `min_height` and `max_height` rows high; [] when the box does not part into
    such lines (a photo, a title, one tall word)."""
    parts, lines = _line_parts(grey, min_height)
    if len(lines) < 2:
        return []
    rows = grey.shape[0]
    top = 0 if parts[0] == lines[0] or parts[0][0] > 0 else parts[0][1]
    bottom = rows if parts[-1] == lines[-1] or parts[-1][1] < rows else parts[-1][0]
    # Lines meet halfway across the paper between them: marks above or below letters and
    # the detector's margin stay with their line.
    cuts = [(a[1] + b[0]) // 2 for a, b in zip(lines, lines[1:])]
    ranges = list(zip([top, *cuts], [*cuts, bottom]))
    if any(not min_height <= y1 - y0 <= max_height for y0, y1 in ranges):
        return []
    return ranges


def trim_to_line(
    grey: np.ndarray, min_height: float, max_height: float, max_letters: float
) -> tuple[int, int] | None:
    """The row range of the one line of print in a box too tall for a line, with a margin
    for its marks; None when the box holds no single such line, or when its inked rows are
    higher than `max_letters` (no line's letters: two lines whose print runs together, a
    small label on its value, which are better left to the label search).

    On a blurred, grainy page ('heavy') the detector's map of a line spreads over the paper
    around it and DB's growing adds as much again: a line of values comes out 2.6 MRZ
    characters high, over the height of any line, and was dropped with its value (the date
    of issue, the authority)."""
    _, lines = _line_parts(grey, min_height)
    if len(lines) != 1:
        return None
    y0, y1 = lines[0]
    if y1 - y0 > max_letters:
        return None
    # The part holds the letters' bodies; marks above capitals reach about a third of a
    # line higher, descenders a fifth lower.
    height = y1 - y0
    top = max(0, int(y0 - TRIM_MARGIN_ABOVE * height))
    bottom = min(grey.shape[0], int(round(y1 + TRIM_MARGIN_BELOW * height)))
    if not min_height <= bottom - top <= max_height:
        return None
    return top, bottom


def _line_parts(grey: np.ndarray, min_height: float) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The box's runs of inked rows, and those of them that are lines (not a mark over
    letters or the edge of a line the box cut)."""
    grey = _running_mean_along_rows(grey, max(1, round(SMOOTHING * min_height)) | 1)
    paper = float(np.percentile(grey, PAPER_PERCENTILE))
    darkest = float(np.percentile(grey, DARKEST_PERCENTILE))
    ink_share = (grey < paper - min(INK_CONTRAST, (paper - darkest) / 2)).mean(axis=1)
    # A security print's pattern inks a few per cent of every row: paper is what holds far
    # less ink than the box's inked rows.
    threshold = max(PAPER_ROW_INK, PAPER_SHARE_OF_INKED * float(np.percentile(ink_share, 75)))
    inked = ink_share >= threshold
    parts = true_runs(inked)
    if not parts:
        return [], []
    tallest = max(y1 - y0 for y0, y1 in parts)
    # A part much lower than the box's lines is the edge of a line the box cut (at its top
    # or bottom: left out) or a mark over letters (it stays in the gap, which is shared).
    lines = [
        (y0, y1) for k, (y0, y1) in enumerate(parts)
        if y1 - y0 >= LOW_PART * tallest or _small_print(parts, k, tallest, len(inked))
    ]
    return parts, lines


def _small_print(parts: list[tuple[int, int]], k: int, tallest: int, rows: int) -> bool:
    """Whether part `k` is a line of smaller print (a label over its value), not a mark or a
    cut edge: high enough, clear of the box's edges and of its neighbours."""
    y0, y1 = parts[k]
    if y1 - y0 < SMALL_PRINT * tallest or y0 == 0 or y1 == rows:
        return False
    above = y0 - parts[k - 1][1] if k > 0 else rows
    below = parts[k + 1][0] - y1 if k + 1 < len(parts) else rows
    return min(above, below) >= SMALL_PRINT_GAP * tallest


def _running_mean_along_rows(grey: np.ndarray, width: int) -> np.ndarray:
    """Each pixel the mean of the `width` pixels of its row centred on it (edges repeated)."""
    padded = np.pad(grey, ((0, 0), (width // 2 + 1, width // 2)), mode="edge")
    sums = np.cumsum(padded, axis=1, dtype=np.float64)
    return ((sums[:, width:] - sums[:, :-width]) / width).astype(np.float32)
