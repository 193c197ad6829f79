"""Where a second document could lie in an image: the strips beside the documents found.

The locator thresholds ink and measures the text direction over the whole image, so a small
or faint document beside a large, crisp one (a phone photo of a passport pasted beside a card
scan) can stay invisible there: the crisp print raises the ink level above the faint one's
strokes and sets the text angle to its own. Looked at on its own, outside the found
documents' reach, the second one has its own ink level and angle.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
from PIL import Image

from ..errors import NoMrzFound
from . import geometry
from .locate import WORK_SIZES, MrzZone, locate_zones

# How far a document reaches from its MRZ, in MRZ widths: across the lines (either way: the
# zone may be upside down) a TD3 data page is 0.79 of its MRZ's width high, a TD1 card 0.71;
# along them the MRZ leaves a few millimetres of margin.
REACH_ACROSS = 0.85
REACH_ALONG = 0.1
# A strip narrower than this many MRZ widths of the found document holds no MRZ worth reading
# (a second document's MRZ is at least a third as wide: a small photo beside a card scan).
MIN_STRIP = 0.3
# Zones located per strip that are read (most MRZ-like first).
ZONES_PER_STRIP = 2


def document_outline(corners) -> np.ndarray:
    """The corners of the region a document around an MRZ (`corners`: TL, TR, BR, BL in the
    input) can cover."""
    tl, tr, br, bl = (np.asarray(p, dtype=float) for p in corners)
    along = (tr - tl + br - bl) / 2
    width = float(np.linalg.norm(along))
    if width == 0:
        return np.array([tl, tr, br, bl])
    u = along / width
    v = np.array([-u[1], u[0]])
    centre = (tl + tr + br + bl) / 4
    half_along = (0.5 + REACH_ALONG) * width
    half_across = REACH_ACROSS * width
    return np.array([centre + su * half_along * u + sv * half_across * v for su, sv in ((-1, -1), (1, -1), (1, 1), (-1, 1))])


def strips_apart(size: tuple[int, int], zone_corners: list) -> list[tuple[int, int, int, int]]:
    """Boxes (left, top, right, bottom) of the image outside every found document's reach:
    the full-height strips left and right of them, and between those the strips above and
    below. Only strips wide and high enough to hold another MRZ."""
    if not zone_corners:
        return []
    width, height = size
    outlines = np.concatenate([document_outline(c) for c in zone_corners])
    left, top = (max(0, int(v)) for v in np.floor(outlines.min(axis=0)))
    right, bottom = (int(v) for v in np.ceil(outlines.max(axis=0)))
    right, bottom = min(width, right), min(height, bottom)
    mrz_width = min(float(np.linalg.norm(np.subtract(c[1], c[0]))) for c in zone_corners)
    smallest = MIN_STRIP * mrz_width
    strips = [(0, 0, left, height), (right, 0, width, height), (left, 0, right, top), (left, bottom, right, height)]
    return [s for s in strips if s[2] - s[0] >= smallest and s[3] - s[1] >= smallest]


def zones_apart(image: Image.Image, zone_corners: list, min_contrast: int) -> Iterator[MrzZone]:
    """Candidate MRZ zones (input coordinates) in the strips outside the documents whose MRZs
    have `zone_corners`, each strip located on its own at the first working size, and only
    once the zones of the strips before it have been taken (a caller that stops early does
    not pay for the rest)."""
    for left, top, right, bottom in strips_apart(image.size, zone_corners):
        strip = image.crop((left, top, right, bottom))
        try:
            found = locate_zones(strip, work_size=min(WORK_SIZES[0], max(strip.size)), min_contrast=min_contrast)
        except NoMrzFound:
            continue
        shift = geometry.translation(-left, -top)
        for z in [z for z in found if len(z.lines) > 1][:ZONES_PER_STRIP]:
            yield MrzZone(z.lines, z.to_work @ shift, z.angle_deg, z.scale, z.score)
