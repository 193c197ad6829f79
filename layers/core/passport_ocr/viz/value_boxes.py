"""Which detected boxes are worth recognising: pure geometry and label text, no models.

Recognition is most of the visual zone's cost, and half of a page's boxes are values of
fields the VIZ stage does not need (document number, nationality, sex, names...) which the
MRZ already gives. A value sits just under its label, so boxes are read top to bottom in
waves: a box is decided once every box that could be its label has been read, and skipped
when the label that would claim it (as `read._value_segment` would) is a bare label of an
unwanted field.
"""

from __future__ import annotations

from ..ocr_types import OcrLine
from ..record import Record
from .labels import cut_word_fields, find_labels, guess_label, is_label_text, starts_with_label
from .read import GUESSABLE_FIELDS

Box = tuple[float, float, float, float]  # x0, y0, x1, y1

# The printed fields whose values the local engine reads: the ones only the VIZ has, the
# birth date (its printed four-digit year settles the MRZ's century), and the names: they have
# no check digit, so the printed form is their only cross-check, and it completes a name the
# MRZ truncated. Values the check digits already vouch for (number, expiry) are skipped.
WANTED_FIELDS = frozenset({"date_of_issue", "place_of_birth", "authority", "date_of_birth", "surname", "given_names"})
# A printed birth date adds nothing once the MRZ's check digit vouches for it and its century
# is settled: the print could only agree (or disagree as an 'info' warning).
BIRTH_DATE_DOUBTS = frozenset({"ambiguous_century"})


def wanted_fields(record: Record) -> frozenset[str]:
    """The printed fields worth reading for `record`: WANTED_FIELDS, less the birth date when
    the MRZ already settles it (a passing check digit, no doubt about its century)."""
    vouched = record.mrz is not None and any(c.name == "date_of_birth" and c.ok for c in record.mrz.checks)
    doubted = any(w.field == "date_of_birth" and w.code in BIRTH_DATE_DOUBTS for w in record.warnings)
    if vouched and not doubted:
        return WANTED_FIELDS - {"date_of_birth"}
    return WANTED_FIELDS


# Same reach as read._value_segment: a value starts within this many label heights of the
# label's left edge and lies within this many label heights below it.
VALUE_X_TOLERANCE = 1.5
VALUE_Y_REACH = 1.6
# A box is skipped as an unwanted value only when it is at least this high relative to its
# label: values print larger than labels, while the next label (which must be read) is
# usually no larger than the one above it.
MIN_VALUE_HEIGHT_RATIO = 1.1


def _height(box: Box) -> float:
    return max(1.0, box[3] - box[1])


def could_be_value_of(label: Box, other: Box) -> bool:
    """Whether `other` lies where `read._value_segment` looks for `label`'s value below it."""
    height = _height(label)
    gap = other[1] - label[3]
    centre_drop = (other[1] + other[3]) / 2 - (label[1] + label[3]) / 2
    if centre_drop < 0.35 * min(height, _height(other)) or gap > VALUE_Y_REACH * height:
        return False
    starts_under = label[0] - VALUE_X_TOLERANCE * height <= other[0] <= label[2]
    spans = other[0] < label[0] and other[2] > label[0] + height
    return starts_under or spans


def closest_below(label: Box, boxes: list[Box], exclude: int) -> int | None:
    """The index of the box `read._value_segment` would take for `label`'s value below it
    (None when none lies there); box `exclude` is the label's own."""
    best: tuple[float, int] | None = None
    for index, other in enumerate(boxes):
        if index == exclude or not could_be_value_of(label, other):
            continue
        distance = max(0.0, other[1] - label[3]) + 0.2 * abs(other[0] - label[0])
        if best is None or distance < best[0]:
            best = (distance, index)
    return None if best is None else best[1]


def label_fields(text: str) -> set[str] | None:
    """The fields a bare label line names, or None when the line holds more than labels.

    Many passports number their fields ('3. Passport No.', '11. Authority'): a number before
    the first label is part of the label, not a value."""
    hits = find_labels(text)
    words = text[hits[0].start :] if hits and starts_with_label(text) else text
    if not is_label_text(words):
        return None
    return {hit.field for hit in hits} or None


def possible_labels(boxes: list[Box]) -> list[list[int]]:
    """For each box, the boxes it could be the value of."""
    return [[j for j, label in enumerate(boxes) if j != i and could_be_value_of(label, box)] for i, box in enumerate(boxes)]


def ready_boxes(labels_of: list[list[int]], decided: set[int]) -> list[int]:
    """Undecided boxes none of whose possible labels (`possible_labels`) is still undecided."""
    return [
        i for i, labels in enumerate(labels_of)
        if i not in decided and all(j in decided for j in labels)
    ]


def _bare_labels_above(index: int, boxes: list[Box], read: dict[int, OcrLine]):
    """(label box, fields, whether box `index` is the nearest box under it) for each read line
    that is a bare label (`label_fields`) and could have box `index` as its value. Values
    above are skipped: values are claimed by labels, not by other values."""
    box = boxes[index]
    for j, line in read.items():
        label_box = line.box or boxes[j]
        if not could_be_value_of(label_box, box):
            continue
        fields = label_fields(line.text)
        if fields is not None:
            yield label_box, fields, closest_below(label_box, boxes, exclude=j) == index


def unwanted_value(
    index: int, boxes: list[Box], read: dict[int, OcrLine], wanted: frozenset[str] = WANTED_FIELDS
) -> bool:
    """Whether box `index` is the value of a bare label of unwanted fields only (read boxes
    are keyed by index in `read`; their `box` is the part that was read)."""
    claimed_by_unwanted = False
    for label_box, fields, nearest in _bare_labels_above(index, boxes, read):
        if fields & wanted:
            return False
        if nearest and _height(boxes[index]) >= MIN_VALUE_HEIGHT_RATIO * _height(label_box):
            claimed_by_unwanted = True
    return claimed_by_unwanted


# Wanted fields whose values are text read whole (a name, a place, an authority), unlike
# dates, which the first part of a line holds.
WHOLE_TEXT_FIELDS = frozenset({"place_of_birth", "authority", "surname", "given_names"})


def whole_text_value(index: int, boxes: list[Box], read: dict[int, OcrLine], wanted: frozenset[str] = WANTED_FIELDS) -> bool:
    """Whether box `index` is the value of a bare label of wanted text fields only (read as
    `unwanted_value` reads labels): it will be read whole, so its first part need not be."""
    return any(
        nearest and fields <= WHOLE_TEXT_FIELDS & wanted
        for _, fields, nearest in _bare_labels_above(index, boxes, read)
    )


def worth_reading_whole(
    index: int, boxes: list[Box], read: dict[int, OcrLine], wanted: frozenset[str] = WANTED_FIELDS
) -> bool:
    """Whether box `index`, read only in part and not opening with a label, is worth reading
    whole: it may be a misread label (a larger box lies where its value would), or the value
    of a line above that names a wanted field or looks like a label (smaller than this box).
    Titles and the state's name, under nothing or under larger print, are not."""
    box = boxes[index]
    if any(
        j != index and _height(other) >= MIN_VALUE_HEIGHT_RATIO * _height(box) and could_be_value_of(box, other)
        for j, other in enumerate(boxes)
    ):
        return True
    for j, line in read.items():
        label_box = line.box or boxes[j]
        if j == index or not could_be_value_of(label_box, box):
            continue
        # A label line read in part may end inside the word that names its field ('/ Autho'),
        # or be misread past matching but close to a label as a whole (read.py guesses it).
        fields = {hit.field for hit in find_labels(line.text)} | cut_word_fields(line.text)
        guessed = None if fields else guess_label(line.text)
        if guessed is not None and guessed.field in GUESSABLE_FIELDS:
            fields.add(guessed.field)
        if fields & wanted:
            return True
        if not fields and _height(box) >= MIN_VALUE_HEIGHT_RATIO * _height(label_box):
            return True
    return False


__all__ = ["WANTED_FIELDS", "wanted_fields", "whole_text_value", "worth_reading_whole", "could_be_value_of", "label_fields", "possible_labels", "ready_boxes", "unwanted_value"]
