"""A second, finer look for small labels the page-wide detection missed: pure (geometry and
label text, no models).

The page is detected at a scale chosen for values (about 14 px per MRZ character). Labels
print at 0.3-0.6 of an MRZ character, so on photos and low-resolution pages they come out
4-6 px high in the detector's input: they are lost, or found in fragments ('10. Auth',
'Dat'). Detecting the whole page finer would cost several times as much, but a label can
only be just above its value, starting near the value's left edge. So when a wanted place
or authority is not found on the page, the strips above the values that have no label are
detected again at a label's scale, and what is found there is read as label candidates
(`local_text.LocalPageText`). Which field a candidate names is still decided by its text
(`read.py`): the search finds boxes, it does not attribute values.
"""

from __future__ import annotations

from ..ocr_types import OcrLine
from .dates import find_dates
from .labels import find_labels, guess_label, is_label_text, label_coverage
from .read import DATE_FIELDS, LABEL_LINE_COVERAGE
from .value_boxes import closest_below, could_be_value_of

Box = tuple[float, float, float, float]  # x0, y0, x1, y1

# The print-only text fields: a date of issue is attributed even without its label (from
# the MRZ's expiry), a name or a number from the MRZ, but a place or an authority only by
# its label.
LABEL_ONLY_FIELDS = frozenset({"place_of_birth", "authority"})
# A strip spans from this many value heights above the value's top to a little into it, and
# from a little left of the value's left edge (field numbers) to this many value heights
# right of it: a label's first words, enough to recognise it by (read.py reads labels read
# in part).
STRIP_ABOVE = 1.2
STRIP_INTO = 0.25
STRIP_LEFT = 0.6
STRIP_RIGHT = 9.0
# A place or an authority has at least this many letters: shorter boxes are mostly codes
# and sex letters (a three-letter place such as 'Ulm' is not searched above).
MIN_VALUE_LETTERS = 4
# A box found in a strip is a label only when it is at most this high relative to the value
# under it. Labels print smaller, but the coarse detection's box of a short value can come
# out lower than the fine one of its label (on a TD1 photo, 'Malmö' 41 px under a 43 px
# 'Place of birth / Lieu de naissance').
MAX_LABEL_HEIGHT_RATIO = 1.25
# A line read at least this surely is taken as read right: misread small labels (the ones
# worth reading again) come out at 0.3-0.8 on generated photos and low-resolution pages,
# values at 0.95-1.
SURE_READING = 0.9
# Two boxes hold the same text when their vertical centres are within this many heights
# (of the higher) and they share this much of the narrower one's width. Area overlap would
# not do: the detector grows its boxes, so a value's box reaches well into its label's.
SAME_TEXT_CENTRE = 0.25
SAME_TEXT_WIDTH = 0.5


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def unlabelled_values(lines: list[OcrLine]) -> list[Box]:
    """Boxes of lines that could be a place or an authority and have no label above them:
    words (not a date, not mostly label words), the value of no line that reads as a label.

    As in read.py, a line is a label line only when label words make most of it ('DGP
    POLICÍA NACIONAL' holds 'nacional'), and a label's value is the closest line under it,
    not every line within its reach (a date of issue's label two rows up). Words are no
    date's value: under a date's label they are what is left when the date was not read
    (values of unwanted fields are not), so still unlabelled."""
    boxed = [line for line in lines if line.box is not None]
    boxes = [line.box for line in boxed]
    # The line each label takes as its value (never the label itself: closest_below excludes it).
    labelled = {closest_below(label.box, boxes, exclude=k) for k, label in enumerate(boxed) if _names_a_text_field(label)}
    values = []
    for index, line in enumerate(boxed):
        if _letters(line.text) < MIN_VALUE_LETTERS or index in labelled:
            continue
        if label_coverage(line.text) >= LABEL_LINE_COVERAGE or is_label_text(line.text) or find_dates(line.text):
            continue
        values.append(line.box)
    return values


def _names_a_text_field(line: OcrLine) -> bool:
    """Whether `line` is a label (names_a_field) of some field other than a date."""
    fields = {hit.field for hit in find_labels(line.text)}
    return not fields <= set(DATE_FIELDS) if fields else names_a_field(line)


def label_strip(value: Box, page_size: tuple[int, int]) -> Box | None:
    """Where the label of `value` would be printed (None when that is off the page)."""
    x0, y0, _, y1 = value
    height = y1 - y0
    width, page_height = page_size
    strip = (
        max(0.0, x0 - STRIP_LEFT * height),
        max(0.0, y0 - STRIP_ABOVE * height),
        min(float(width), x0 + STRIP_RIGHT * height),
        min(float(page_height), y0 + STRIP_INTO * height),
    )
    if strip[3] - strip[1] < 0.5 * height or strip[2] <= strip[0]:
        return None
    return strip


def _same_text(a: Box, b: Box) -> bool:
    """Whether boxes `a` and `b` hold the same text (on one row, over each other)."""
    height = max(a[3] - a[1], b[3] - b[1])
    centre_gap = abs((a[1] + a[3]) / 2 - (b[1] + b[3]) / 2)
    shared = min(a[2], b[2]) - max(a[0], b[0])
    return centre_gap <= SAME_TEXT_CENTRE * height and shared >= SAME_TEXT_WIDTH * min(a[2] - a[0], b[2] - b[0])


def label_candidates(found: list[tuple[Box, Box]], lines: list[OcrLine], unread: list[Box]) -> list[Box]:
    """Boxes found in strips, as (box, the value whose strip it was found in), that could be a
    label: not much higher than the value, above it, one per place, and not text already
    settled: a line read as a label or read surely (a value: values print large and bold), or
    a box left unread (a value of a field not wanted). A line misread where the box is, or
    a piece of it ('10. Auth'), is read again."""
    settled = [line.box for line in lines if line.box is not None and (line.confidence >= SURE_READING or names_a_field(line))]
    kept: list[Box] = []
    for box, value in found:
        value_height = value[3] - value[1]
        if box[3] - box[1] > MAX_LABEL_HEIGHT_RATIO * value_height:
            continue
        if not could_be_value_of(box, value):
            continue
        if any(_same_text(box, other) and not _piece_of(other, box) for other in settled + unread):
            continue
        if any(_same_text(box, other) for other in kept):
            continue
        kept.append(box)
    return [_padded(box) for box in _joined_rows(kept)]


# Fine detection cuts a small label at its wider gaps ('9.' | 'Lieu de naissance'): boxes on
# one row closer than this many heights are one label. Labels of neighbouring fields on one
# row stand several heights apart.
JOIN_GAP = 1.0
# The detector grows boxes sideways by half its vertical growth only; a label read without
# margin loses its first and last letters. Padding on each side, in box heights:
PAD_X = 0.3


def _joined_rows(boxes: list[Box]) -> list[Box]:
    joined: list[Box] = []
    for box in sorted(boxes, key=lambda b: b[0]):
        for k, other in enumerate(joined):
            height = max(box[3] - box[1], other[3] - other[1])
            overlap = min(box[3], other[3]) - max(box[1], other[1])
            if overlap >= 0.5 * min(box[3] - box[1], other[3] - other[1]) and box[0] - other[2] <= JOIN_GAP * height:
                joined[k] = (other[0], min(box[1], other[1]), max(box[2], other[2]), max(box[3], other[3]))
                break
        else:
            joined.append(box)
    return joined


def _padded(box: Box) -> Box:
    pad = PAD_X * (box[3] - box[1])
    return (max(0.0, box[0] - pad), box[1], box[2] + pad, box[3])


def merge_labels(lines: list[OcrLine], labels: list[OcrLine]) -> list[OcrLine]:
    """`lines` with the label lines found in strips, top to bottom. A label that names a field
    replaces the lines read where it is when they name none: misreadings of it ('Padassae'
    for 'Place of birth / Lieu de naissance') or pieces ('10. Auth'). A coarse reading that
    names a field is kept (the fine box is read at the same resolution, often no better), and
    so is a value read surely there."""
    merged = list(lines)
    for label in labels:
        if not label.text or label.box is None or not names_a_field(label):
            continue
        same = [line for line in merged if line.box is not None and _same_text(line.box, label.box)]
        if any(
            names_a_field(line) or (line.confidence >= SURE_READING and not _piece_of(line.box, label.box))
            for line in same
        ):
            continue
        merged = [line for line in merged if line not in same] + [label]
    return sorted(merged, key=lambda line: (line.box[1], line.box[0]) if line.box else (0.0, 0.0))


def names_a_field(line: OcrLine) -> bool:
    """Whether `line` reads as some field's label, or is guessed as a whole or spotted
    (viz.spot) to be a place's or an authority's (read.py guesses those only)."""
    if find_labels(line.text):
        return True
    guessed = guess_label(line.text)
    if guessed is not None and guessed.field in LABEL_ONLY_FIELDS:
        return True
    return line.spotted_label is not None and line.spotted_label[0] in LABEL_ONLY_FIELDS


# A box is a piece of another when it lies inside it (but for a margin of half the other's
# height) and is at most this much of its width: the same line cut short, not the same box.
PIECE_WIDTH = 0.8


def _piece_of(inner: Box, outer: Box) -> bool:
    """Whether `inner` is a piece of the text in `outer` ('10. Auth' of '10. Authority')."""
    margin = 0.5 * (outer[3] - outer[1])
    return (
        inner[0] >= outer[0] - margin and inner[2] <= outer[2] + margin
        and inner[1] >= outer[1] - margin and inner[3] <= outer[3] + margin
        and inner[2] - inner[0] <= PIECE_WIDTH * (outer[2] - outer[0])
    )


__all__ = [
    "LABEL_ONLY_FIELDS", "label_candidates", "label_strip", "merge_labels", "names_a_field", "unlabelled_values",
]
