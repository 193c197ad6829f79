"""Icelandic 'Þ' told from the 'P' the recogniser reads it as, by the letter's shape. Pure numpy.

PP-OCRv6 reads 'ÞJÓÐSKRÁ' (the authority of every Icelandic passport) as 'PJÓÐSKRÁ' or
'pjóðskrá', giving 'Þ' a few hundredths at best, and the mark network cannot help: 'Þ' is
a letter of its own, not a 'P' with a mark. The two differ where a reader sees it at once:
a 'P' (and a 'p') closes its bowl at the top of its stem, a 'Þ' (and a 'þ') hangs it lower,
so the stem's top stands alone. On a page whose alphabet holds 'Þ', a 'P' or 'p' whose stem
has nothing to its right over its top rows is read as the thorn, for review.
"""

from __future__ import annotations

import numpy as np

# The stem: the darkest column near the letter's centre, inked over at least this share of
# the line image's height (a 48 px line: capitals are 25-30 px tall).
STEM_MIN_SHARE = 0.4
# How far left of the recogniser's centre the stem may be, and how far right the bowl may
# reach, in line heights.
STEM_REACH = 0.3
BOWL_REACH = 0.35
# The stem's top rows looked at, as a share of its height; the bowl of a 'P' starts there.
TOP_SHARE = 0.15
# Columns right of the stem that are no part of the bowl (edge blur, a serif), in line heights.
STEM_MARGIN = 0.08
# The bowl's columns: right of the stem, inked somewhere over this share of the stem's top.
BOWL_ROWS = 0.7


def is_thorn(grey: np.ndarray, centre: float) -> bool:
    """Whether the letter centred near `centre` (pixels) of a (48, W) grey line in [0, 1] is
    shaped as a thorn: a stem whose top rows have no ink to their right, with a bowl lower down."""
    height, width = grey.shape
    x0 = max(0, int(round(centre - STEM_REACH * height)))
    x1 = min(width, int(round(centre + BOWL_REACH * height)))
    window = grey[:, x0:x1]
    if window.shape[1] < 4:
        return False
    paper, darkest = float(np.percentile(window, 90)), float(np.percentile(window, 3))
    if paper - darkest < 0.15:
        return False  # no print to speak of
    ink = window < (paper + darkest) / 2
    counts = ink.sum(axis=0)
    left = centre - x0
    stems = [c for c in range(int(max(0, left - STEM_REACH * height)), int(left) + 1) if counts[c] >= STEM_MIN_SHARE * height]
    if not stems:
        return False
    stem = stems[0]
    while stem + 1 < len(counts) and counts[stem + 1] >= STEM_MIN_SHARE * height:
        stem += 1  # the stem's right edge
    rows = np.nonzero(ink[:, stem])[0]
    top, bottom = int(rows.min()), int(rows.max())
    # The bowl's columns: from the stem on, while the upper part of the letter holds ink
    # (the next letter starts after a column of paper).
    upper = ink[top : top + int(round(BOWL_ROWS * (bottom - top + 1)))]
    right = stem + 1 + int(round(STEM_MARGIN * height))
    end = stem + 1
    while end < upper.shape[1] and upper[:, end].any():
        end += 1
    if end - right < 2:
        return False  # no bowl: an 'I', an 'l'
    band = ink[top : top + max(2, int(round(TOP_SHARE * (bottom - top + 1)))), right:end]
    return not band.any() and upper[:, right:end].any()


__all__ = ["is_thorn"]
