"""Find the machine-readable zone in a page image, without a text-detection network.

The MRZ is two or three long lines of dark, evenly spaced, same-sized OCR-B characters. The
locator (1) scales the page to a working size, (2) finds the direction of the text lines
from the projection profile of a dark-detail (blackhat + Otsu) mask, (3) turns the page so
lines run horizontally, (4) smears characters along rows into line blobs (connected
components; each blob keeps its own slope, which perspective makes differ a little) and
(5) scores groups of long parallel lines of equal height and length stacked at a regular
pitch. The result is upright or upside down: the recogniser settles which. Everything here
is pure numpy + Pillow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from ..errors import NoMrzFound
from . import geometry
from .morphology import blackhat, connected_components, dilate, open_, otsu_threshold

# Long side of the working image. Documents filling the frame put MRZ characters at 10-25 px
# here; photos with the document small in frame get finer passes: a passport a tenth of a
# 12 MP phone photo wide has 3 px characters at 1600 and 5-6 px at 2800.
WORK_SIZES = (800, 1600, 2800)
# Dark-detail kernel (width, height) in working pixels: wider than a character's strokes.
LINE_BLACKHAT_KERNEL = (13, 7)
DENOISE_RADIUS = 1.0
# Blackhat responses below this are paper texture, whatever Otsu says on a blank page.
MIN_INK_CONTRAST = 24
# The floor of a last look when nothing was found at MIN_INK_CONTRAST: a faded or washed-out
# print (a third of the usual contrast) has its MRZ strokes at 20-26.
FAINT_INK_CONTRAST = 12
# Joins the characters of a line: gaps up to about a character at the first working size.
LINE_JOIN_WIDTH = 21
# Straight ink longer than this (working px) is a rule or border, not part of a character.
RULE_LENGTH = 41

# Text direction: a coarse sweep over half a turn, refined to FINE_ANGLE_STEP degrees, on at
# most MAX_ANGLE_POINTS ink pixels (evenly picked: plenty for a page).
COARSE_ANGLE_STEP = 3.0
FINE_ANGLE_STEP = 0.5
MAX_ANGLE_POINTS = 40_000

# A line blob: characters high (working px), mostly ink, level within MAX_SLOPE degrees
# (lines sloping less than MIN_SLOPE are taken as level).
MIN_LINE_HEIGHT, MAX_LINE_HEIGHT = 5, 90
MIN_LINE_FILL = 0.6
MIN_SLOPE, MAX_SLOPE = 0.3, 6.0
# MRZ lines are 30-44 characters: at least this many heights long and this wide.
MIN_LINE_ASPECT = 10.0
MIN_LINE_WIDTH = 60
# OCR-B lines repeat at their pitch with an autocorrelation of 0.5-0.85 on every sample seen
# (real and generated, clean to heavy); proportional print and noise stay below ~0.3.
MIN_REGULARITY = 0.35
# Pieces of a line (glare or a fold cut it) are kept to extend the lines they continue: in
# the same row, as high, at most MAX_FRAGMENT_GAP_CHARS characters away. ICAO 9303 keeps
# the MRZ's surroundings free of other print, so such pieces are the MRZ's own.
MIN_FRAGMENT_ASPECT = 2.0
MIN_FRAGMENT_WIDTH = 20
MAX_FRAGMENT_GAP_CHARS = 16
MAX_MRZ_CHARS = 44
# Distance between MRZ line centres in line heights (ICAO 9303: lines 4.2 mm apart,
# characters ~2.4 mm high; blur makes blobs taller, tight card layouts bring lines closer).
MIN_LINE_PITCH, MAX_LINE_PITCH = 1.0, 3.2
MAX_ZONES = 4
# The longest an MRZ line's blob is, in its own heights: 25-44 on the 209 bench and real
# pages (30-44 characters), with room for a blob grown by print touching its ends. Beyond
# it the score falls steeply: a line twice as long counts a sixteenth of its width.
MAX_MRZ_ASPECT = 60.0
# Zones whose characters are fewer working pixels high than this are located again in a
# crop of the input around them (with this many character heights of margin).
REFINE_BELOW_CHAR_PX = 14
REFINE_MARGIN_CHARS = 4


@dataclass
class LineBox:
    """One text line in the deskewed working image: box and blob statistics."""

    x0: float
    y0: float
    x1: float
    y1: float
    # Distance between neighbouring character centres, measured on the ink (working px).
    pitch: float = 0.0
    # Perspective tilts lines against each other: the box is level, the line runs at this
    # angle (degrees, y down) through the box centre.
    slope_deg: float = 0.0
    # How evenly the ink repeats at `pitch` (0-1): high for monospaced OCR-B.
    regularity: float = 0.0

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class MrzZone:
    """A candidate MRZ: its lines top to bottom in the deskewed working image.

    `to_work` maps input-image points to the working image; `angle_deg` is the
    counter-clockwise turn applied to the input to make the lines horizontal (the zone may
    still be upside down); `scale` is working pixels per input pixel.
    """

    lines: list[LineBox]
    to_work: np.ndarray
    angle_deg: float
    scale: float
    score: float

    def corners_in_input(self, margin: float = 0.0) -> list[tuple[float, float]]:
        """The zone's corners (TL, TR, BR, BL of the deskewed zone) in input coordinates."""
        pad = margin * self.char_height_work
        box = geometry.box_corners(
            min(l.x0 for l in self.lines) - pad,
            min(l.y0 for l in self.lines) - pad,
            max(l.x1 for l in self.lines) + pad,
            max(l.y1 for l in self.lines) + pad,
        )
        return [tuple(p) for p in geometry.apply(np.linalg.inv(self.to_work), box)]

    @property
    def char_height_work(self) -> float:
        return float(np.median([l.height for l in self.lines]))

    @property
    def char_height_input(self) -> float:
        return self.char_height_work / self.scale


def ink_mask(grey: np.ndarray, kernel: tuple[int, int], min_contrast: int = MIN_INK_CONTRAST) -> np.ndarray:
    """Dark detail (text) on lighter paper, thresholded by Otsu on the blackhat response."""
    response = blackhat(grey, *kernel)
    level = max(otsu_threshold(response), min_contrast)
    return response > level


def _profile_sharpness(xs: np.ndarray, ys: np.ndarray, angle: float, bin_px: float) -> float:
    """Sum of squared row counts of ink points seen turned by `angle` (counter-clockwise)."""
    a = np.radians(angle)
    rows = (-np.sin(a) * xs + np.cos(a) * ys) / bin_px
    counts = np.bincount((rows - rows.min()).astype(np.int64))
    return float(np.dot(counts, counts))


def text_angle(mask: np.ndarray) -> float:
    """Counter-clockwise turn in [0, 180) that makes the text lines of `mask` horizontal.

    The rows of a turned text mask are most uneven (highest sum of squared row counts)
    when whole lines fall into single rows. The ink points are projected rather than the
    image rotated: a coarse sweep with wide rows, then finer sweeps around the best angle.
    """
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return 0.0
    if len(xs) > MAX_ANGLE_POINTS:
        keep = np.linspace(0, len(xs) - 1, MAX_ANGLE_POINTS).astype(np.int64)
        xs, ys = xs[keep], ys[keep]
    xs = xs.astype(np.float64) - xs.mean()
    ys = ys.astype(np.float64) - ys.mean()
    best = 0.0
    candidates = np.arange(0.0, 180.0, COARSE_ANGLE_STEP)
    for step, bin_px in ((COARSE_ANGLE_STEP, 4.0), (1.0, 2.0), (FINE_ANGLE_STEP, 1.0)):
        if step != COARSE_ANGLE_STEP:
            candidates = best + np.arange(-2 * step, 2 * step + 1e-9, step)
        scores = [_profile_sharpness(xs, ys, a, bin_px) for a in candidates]
        best = float(candidates[int(np.argmax(scores))])
    return best % 180.0


def find_text_lines(
    grey: np.ndarray, mask: np.ndarray | None = None, min_contrast: int = MIN_INK_CONTRAST
) -> list[LineBox]:
    """Horizontal text blobs (lines and pieces of lines) of a deskewed working image, top to bottom.

    `mask` is the image's ink mask when the caller already has it.
    """
    if mask is None:
        mask = ink_mask(grey, LINE_BLACKHAT_KERNEL, min_contrast)
    # Card borders and rules would bridge neighbouring lines once smeared: drop long straight ink.
    mask = mask & ~open_(mask.astype(np.uint8), 1, RULE_LENGTH).astype(bool)
    mask &= ~open_(mask.astype(np.uint8), RULE_LENGTH, 1).astype(bool)
    # Smearing along rows joins the characters of a line and never the lines above or below.
    joined = dilate(mask.astype(np.uint8), LINE_JOIN_WIDTH, 1).astype(bool)
    comps = connected_components(joined)
    if len(comps) == 0:
        return []
    smear = LINE_JOIN_WIDTH // 2
    boxes = []  # (x0, y0, x1, y1, slope): y0, y1 straightened when the line slopes
    for i in np.nonzero(comps.width - 2 * smear >= MIN_FRAGMENT_WIDTH)[0]:
        box = (int(comps.x0[i]), int(comps.y0[i]), int(comps.x1[i]), int(comps.y1[i]))
        slope = line_slope(comps.mxx[i], comps.myy[i], comps.mxy[i])
        straight = _straighten(box, slope)
        bands = _split_into_bands(joined, box) if box[3] - box[1] >= 2 * MIN_LINE_HEIGHT else []
        if len(bands) >= 2:
            # Lines touching through blur or a stray mark: each band of ink rows is a line.
            boxes.extend(b for b in bands if _is_line(b, None, smear, joined))
        elif _is_line(straight, comps.area[i], smear):
            boxes.append(straight)
        elif _is_line(box + (0.0,), comps.area[i], smear):
            boxes.append(box + (0.0,))
        else:
            # A line with a stamp, a signature or the table edge stuck to it: its band of rows.
            bands = bands or _split_into_bands(joined, box)
            boxes.extend(b for b in bands if _is_line(b, None, smear, joined))
    lines = []
    for x0, y0, x1, y1, slope in sorted(boxes, key=lambda b: b[1]):
        x0, x1 = x0 + smear, x1 - smear
        rise = abs(np.tan(np.radians(slope))) * (x1 - x0) / 2
        ink = mask[max(0, int(y0 - rise)) : int(np.ceil(y1 + rise)), int(x0) : int(x1)]
        pitch, regularity = character_pitch(ink, y1 - y0)
        lines.append(LineBox(float(x0), float(y0), float(x1), float(y1), pitch, slope, regularity))
    return lines


def line_slope(mxx: float, myy: float, mxy: float) -> float:
    """Direction of a blob's long axis in degrees (y down), from its second moments."""
    return float(np.degrees(0.5 * np.arctan2(2 * mxy, mxx - myy)))


def _straighten(box, slope: float):
    """A sloping blob's box as the level band it would be, turned about its centre."""
    x0, y0, x1, y1 = box
    if abs(slope) < MIN_SLOPE or abs(slope) > MAX_SLOPE:
        return (x0, y0, x1, y1, 0.0)
    rise = abs(np.tan(np.radians(slope))) * (x1 - x0)
    height = max(1.0, (y1 - y0) - rise)
    centre = (y0 + y1) / 2
    return (x0, centre - height / 2, x1, centre + height / 2, slope)


def _is_line(box, area, smear: int, joined: np.ndarray | None = None) -> bool:
    x0, y0, x1, y1, _ = box
    w, h = x1 - x0 - 2 * smear, y1 - y0
    if area is None:
        area = int(joined[int(y0):int(y1), int(x0):int(x1)].sum())
    fill = area / max((x1 - x0) * h, 1)
    return (
        MIN_LINE_HEIGHT <= h <= MAX_LINE_HEIGHT and w >= MIN_FRAGMENT_WIDTH
        and w >= MIN_FRAGMENT_ASPECT * h and MIN_LINE_FILL <= fill <= 1.05
    )


def _split_into_bands(joined: np.ndarray, box) -> list[tuple[int, int, int, int]]:
    """Row bands of a blob where most of its width is ink: the text lines inside it."""
    x0, y0, x1, y1 = box
    region = joined[y0:y1, x0:x1]
    covered = region.mean(axis=1) >= 0.5
    bands = []
    edges = np.diff(np.concatenate([[0], covered.astype(np.int8), [0]]))
    for top, bottom in zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]):
        cols = np.nonzero(region[top:bottom].mean(axis=0) >= 0.5)[0]
        if len(cols):
            bands.append((x0 + int(cols[0]), y0 + int(top), x0 + int(cols[-1]) + 1, y0 + int(bottom), 0.0))
    return bands


def character_pitch(line_ink: np.ndarray, height: float | None = None) -> tuple[float, float]:
    """Spacing of the characters of a line of monospaced text, and how regular it is.

    The column profile of a monospaced line repeats every character; the autocorrelation's
    first strong peak at a lag between half and one and a half line heights is that period,
    and the peak's height (0-1) says how regular the line is: OCR-B lines score high,
    proportional print lower, noise or texture near zero. Without a clear period the pitch
    is the typical OCR-B one (0.85 heights) and the regularity 0.
    """
    rows, width = line_ink.shape
    height = height or rows
    typical = 0.85 * height
    low, high = max(2, int(0.45 * height)), int(1.4 * height) + 1
    if width < 4 * high:
        return typical, 0.0
    profile = line_ink.sum(axis=0).astype(np.float64)
    profile -= profile.mean()
    size = 1 << int(np.ceil(np.log2(2 * width)))
    spectrum = np.fft.rfft(profile, size)
    autocorr = np.fft.irfft(spectrum * np.conj(spectrum), size)[:high + 1]
    if autocorr[0] <= 0:
        return typical, 0.0
    lags = autocorr[low:high + 1] / autocorr[0]
    peaks = [k for k in range(1, len(lags) - 1) if lags[k] >= lags[k - 1] and lags[k] >= lags[k + 1]]
    if not peaks or max(lags[k] for k in peaks) < 0.2:
        return typical, 0.0
    strongest = max(lags[k] for k in peaks)
    # Runs of equal characters also repeat at two pitches: the first strong peak is the pitch.
    best = next(k for k in peaks if lags[k] >= 0.7 * strongest)
    # Parabolic interpolation for a sub-pixel period.
    a, b, c = lags[best - 1], lags[best], lags[best + 1]
    denom = a - 2 * b + c
    offset = 0.5 * (a - c) / denom if denom != 0 else 0.0
    return float(low + best + offset), float(strongest)


def _fits_below(upper: LineBox, lower: LineBox) -> bool:
    """Whether `lower` can be the next MRZ line after `upper`: same size, aligned, one pitch down."""
    height = (upper.height + lower.height) / 2
    if abs(upper.height - lower.height) > 0.45 * max(upper.height, lower.height):
        return False
    pitch = (lower.cy - upper.cy) / height
    if not MIN_LINE_PITCH <= pitch <= MAX_LINE_PITCH:
        return False
    if min(upper.width, lower.width) < 0.6 * max(upper.width, lower.width):
        return False
    overlap = min(upper.x1, lower.x1) - max(upper.x0, lower.x0)
    return overlap >= 0.7 * min(upper.width, lower.width)


def _block_score(lines: list[LineBox]) -> float:
    """Prefer long lines of equal length, evenly stacked; three lines beat two (TD1) when all fit."""
    widths = np.array([l.width for l in lines])
    heights = np.array([l.height for l in lines])
    evenness = widths.min() / widths.max() * heights.min() / heights.max()
    aspect = widths.mean() / heights.mean()
    # Real MRZ lines are 30-44 characters: ~25-60 heights long. Shorter blobs are words;
    # longer ones are lines of other print (a form or newspaper the document lies on), which
    # would otherwise outscore the MRZ by their width alone.
    length_fit = min(1.0, aspect / 25.0, (MAX_MRZ_ASPECT / aspect) ** 4)
    regularity = float(np.mean([l.regularity for l in lines]))
    return float(widths.sum() * evenness * length_fit * (0.5 + regularity))


def is_long_line(line: LineBox) -> bool:
    return line.width >= MIN_LINE_WIDTH and line.width >= MIN_LINE_ASPECT * line.height


def extend_with_fragments(line: LineBox, fragments: list[LineBox]) -> LineBox:
    """The line grown over collinear pieces on either side (a line cut by glare or a fold)."""
    pitch = line.pitch or 0.85 * line.height
    x0, x1 = line.x0, line.x1
    same_row = [
        f for f in fragments
        if f is not line
        and abs(f.cy - line.cy) <= 0.35 * line.height
        and 0.6 <= f.height / line.height <= 1.6
    ]
    grew = True
    while grew:
        grew = False
        for f in same_row:
            gap = max(f.x0 - x1, x0 - f.x1)
            # Pieces that overlap (gap < 0) are the same line broken unevenly.
            if gap <= MAX_FRAGMENT_GAP_CHARS * pitch:
                new_x0, new_x1 = min(x0, f.x0), max(x1, f.x1)
                if (new_x1 - new_x0) / pitch <= MAX_MRZ_CHARS + 2 and (new_x0, new_x1) != (x0, x1):
                    x0, x1, grew = new_x0, new_x1, True
    if (x0, x1) == (line.x0, line.x1):
        return line
    return LineBox(x0, line.y0, x1, line.y1, line.pitch, line.slope_deg, line.regularity)


def join_line_pieces(lines: list[LineBox], blobs: list[LineBox]) -> list[LineBox]:
    """The long lines, each grown over the pieces in its row, one line per row.

    Noise on faint print can break a line into two long blobs side by side; neither is as
    long as the lines above and below, so neither would stack with them into a zone.
    """
    joined: list[LineBox] = []
    for line in sorted((extend_with_fragments(l, blobs) for l in lines), key=lambda l: -l.regularity):
        if not any(abs(o.cy - line.cy) <= 0.35 * line.height and o.x0 <= line.x0 and o.x1 >= line.x1 for o in joined):
            joined.append(line)
    return sorted(joined, key=lambda l: l.y0)


def group_mrz_blocks(blobs: list[LineBox]) -> list[tuple[list[LineBox], float]]:
    """Candidate MRZ blocks (2 or 3 lines stacked at the MRZ pitch), best first.

    `blobs` are all text blobs; the long ones form blocks, the short ones can extend them.
    """
    # A line cut by glare, a fold or noise is measured whole: grown over its pieces before
    # its width is compared with its neighbours'.
    lines = join_line_pieces([b for b in blobs if is_long_line(b)], blobs)
    blocks: list[tuple[list[LineBox], float]] = []
    for i, first in enumerate(lines):
        for j in range(i + 1, len(lines)):
            second = lines[j]
            if not _fits_below(first, second):
                continue
            pair = [first, second]
            blocks.append((pair, _block_score(pair)))
            for k in range(j + 1, len(lines)):
                if _fits_below(second, lines[k]):
                    triple = pair + [lines[k]]
                    blocks.append((triple, _block_score(triple)))
    # Monospaced print is what sets an MRZ apart from other lines of text (and from noise
    # smeared into lines): a block needs one line with a clear character pitch.
    blocks = [(block, score) for block, score in blocks if max(l.regularity for l in block) >= MIN_REGULARITY]
    # A triple contains two pairs: keep only blocks not inside a better-scoring one.
    blocks.sort(key=lambda b: -b[1])
    kept: list[tuple[list[LineBox], float]] = []
    for block, score in blocks:
        ids = {id(l) for l in block}
        if any(ids & {id(l) for l in other} for other, _ in kept):
            continue
        kept.append((block, score))
    if not kept:
        # A single long line (the other lines lost to glare or a fold) is still worth reading.
        singles = [l for l in lines if l.width / l.height >= 20 and l.regularity >= MIN_REGULARITY]
        kept = sorted(([[l], _block_score([l]) * 0.5] for l in singles), key=lambda b: -b[1])
    return kept


def locate_zones(
    image: Image.Image, work_size: int = WORK_SIZES[0], max_zones: int = MAX_ZONES, min_contrast: int = MIN_INK_CONTRAST
) -> list[MrzZone]:
    """Candidate MRZ zones of an input image at one working size, most MRZ-like first; ink is
    dark detail at least `min_contrast` deep.

    Raises NoMrzFound when no group of lines there looks like an MRZ.
    """
    scale = work_size / max(image.size)
    scaled_size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    scaled = image.convert("L").resize(scaled_size, Image.BILINEAR, reducing_gap=2.0 if scale < 0.5 else None)
    # Sensor noise on a faint print would pass for ink detail: smooth it below the stroke width.
    scaled = scaled.filter(ImageFilter.GaussianBlur(DENOISE_RADIUS))
    scaled_grey = np.asarray(scaled)
    mask = ink_mask(scaled_grey, LINE_BLACKHAT_KERNEL, min_contrast)
    angle = text_angle(mask)
    turn, canvas = geometry.rotation_on_canvas(*scaled_size, angle)
    if angle == 0.0:
        blobs = find_text_lines(scaled_grey, mask)
    else:
        deskewed = geometry.warp(scaled, turn, canvas, fill=int(np.median(scaled_grey)))
        blobs = find_text_lines(np.asarray(deskewed), min_contrast=min_contrast)
    to_work = turn @ geometry.scaling(scale)
    zones = [MrzZone(lines, to_work, angle, scale, score) for lines, score in group_mrz_blocks(blobs)]
    if not zones:
        raise NoMrzFound("nothing shaped like a machine-readable zone in the image")
    return zones[:max_zones]


def refine_zone(
    image: Image.Image, zone: MrzZone, work_size: int = WORK_SIZES[0], min_contrast: int = MIN_INK_CONTRAST
) -> MrzZone | None:
    """The zone located again in a crop around it, when the page was shrunk too far to see it well.

    Small print in a large frame leaves MRZ characters a few working pixels high: the
    line boxes and the character pitch measured there are rough. Cutting the zone's
    neighbourhood out of the input and locating again gives them at full detail.
    A zone of a single line is located again whatever its size: on a photo taken at an angle
    the MRZ's lines run a few degrees off the page's text direction, smear into one band
    when the page is turned by the page's angle, and come apart when the crop is turned by
    its own.
    Returns None when the input has no more detail to offer or nothing is found there.
    """
    if len(zone.lines) > 1 and (zone.char_height_work >= REFINE_BELOW_CHAR_PX or zone.scale >= 0.9):
        return None
    corners = np.array(zone.corners_in_input(margin=REFINE_MARGIN_CHARS))
    left, top = np.floor(corners.min(axis=0)).astype(int)
    right, bottom = np.ceil(corners.max(axis=0)).astype(int)
    left, top = max(0, left), max(0, top)
    right, bottom = min(image.width, right), min(image.height, bottom)
    if right - left < 16 or bottom - top < 16:
        return None
    region = image.crop((left, top, right, bottom))
    try:
        candidates = locate_zones(region, work_size=min(work_size, max(region.size) * 2), min_contrast=min_contrast)
    except NoMrzFound:
        return None
    # The margin can bring other print into view: keep the zone that is the one refined.
    zones = [
        MrzZone(found.lines, found.to_work @ geometry.translation(-left, -top), found.angle_deg, found.scale, found.score)
        for found in candidates
    ]
    best = max(zones, key=lambda z: overlap(z.corners_in_input(), zone.corners_in_input()))
    return best if overlap(best.corners_in_input(), zone.corners_in_input()) >= 0.5 else None


def overlap(corners_a, corners_b) -> float:
    """Intersection over union of the axis-aligned boxes around two corner lists."""
    a, b = np.array(corners_a), np.array(corners_b)
    (ax0, ay0), (ax1, ay1) = a.min(axis=0), a.max(axis=0)
    (bx0, by0), (bx1, by1) = b.min(axis=0), b.max(axis=0)
    inter = max(0.0, min(ax1, bx1) - max(ax0, bx0)) * max(0.0, min(ay1, by1) - max(ay0, by0))
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    return inter / union if union > 0 else 0.0
