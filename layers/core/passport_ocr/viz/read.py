"""Find the printed fields of the visual zone in OCR'd lines: pure, no I/O.

A field is a label (in one to three languages, joined by '/') with its value either after it
on the same line or in the line just below, starting near the label's left edge. Dates are
found anywhere and then attributed: a printed date equal to an MRZ date is that date
whatever its label says; a date under an 'issue' label is the date of issue; failing a
label, the one date that sits a plausible validity period before expiry is; failing any
date read, the one line whose recogniser frames fit such a date (viz.date_spot), for review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np

from ..ocr_types import OcrChar, OcrLine
from .alphabets import base_confidence, page_alphabet, restrict_line
from .date_spot import spot_date
from .dates import DAY_SOMETHING_YEAR, PrintedDate, find_dates
from .order import place_by_order
from .translit import completed_name, mrz_spellings, spells
from .labels import (
    GUESS_SCORE_FACTOR,
    LabelHit,
    cut_word_fields,
    find_labels,
    guess_cut_label,
    guess_label,
    has_value_words,
    is_cut_numbered_label,
    is_label_text,
    label_coverage,
    reads_as_label_of,
)

DATE_FIELDS = ("date_of_issue", "date_of_birth", "date_of_expiry")
# Only the fields the printed page alone gives are worth a guessed label (read._prepare); a
# guessed name or date label would at best repeat the MRZ.
GUESSABLE_FIELDS = ("place_of_birth", "authority")
TEXT_FIELDS = ("place_of_birth", "authority", "surname", "given_names", "document_number", "nationality", "sex")

# Passports and ID cards are valid for these many years (plus or minus a few days or months).
_VALIDITY_YEARS = (2, 3, 4, 5, 6, 7, 10, 12, 15)
# Most are valid for one of these (adults 10, children 5, almost everywhere): a date of
# issue that fits another only as read ('28 JAN 2016' to '27 JAN 2028', twelve years) is
# likelier a digit misread when a digit the recogniser also saw there makes it one of these.
_USUAL_VALIDITY_YEARS = (5, 10)
# No travel document is valid longer than this: an 'issue date' further before expiry is a
# misread ('1974' for '2014' on a phone photo of a Canadian specimen, which then pushed the
# holder's birth a century back to 1884).
MAX_VALIDITY_YEARS = 20
# A digit the recogniser gave at least this probability at a place is a reading of it worth
# trying where the read one makes an issue date fit no validity (_fitting_validity).
DIGIT_RUNNER_UP = 0.1
# Documents are valid a whole number of years (expiring on the day of issue or the day
# before), so an issue date that fits no such validity, once no runner-up digit mends it, is
# likelier a digit misread surely ('22.05.2025' for '12.05.2025' on a blurred photo) than an
# irregular document: its confidence is at most this, below merge.REVIEW_PRINT_BELOW, so a
# human confirms it.
IRREGULAR_VALIDITY_CONFIDENCE = 0.45
# An issue date found without a label is worth at most this much of its reading's
# confidence: the date order and the validity period attribute it, not the page.
UNLABELLED_ISSUE_SCORE = 0.6
# A validity printed as one period: two dates joined by a dash. The first is the date of
# issue, attributed by its place in the period rather than by a label of its own.
VALIDITY_RANGE_JOIN = re.compile(r"\s*[-\u2013\u2014~]\s*")
VALIDITY_RANGE_SCORE = 0.9
# A place of birth or an authority found by the field order alone (viz.order: its label
# unreadable) is worth at most this much of its reading's confidence, and always reviewed.
UNLABELLED_PLACE_SCORE = 0.6
# ...and only when its line was read with at least this mean confidence: lower, it is a
# signature's scrawl or a label read as nothing ('Cenneo' for 'Signature du titulaire').
MIN_PLACED_LINE_CONFIDENCE = 0.4
# The holder's name found by what it spells (no label read) is worth this much of its
# reading's confidence: the MRZ vouches for its letters up to where it cut the name.
NAME_BY_CONTENT_SCORE = 0.9
NAME_FIELDS = ("surname", "given_names")
MIN_CUT_NAME_LETTERS = 4
# The given names under the surname: a line about as high (names print alike), within this
# many of the surname's line heights below it (a label may sit between).
_NAME_HEIGHT_RATIO = 0.7
_NAME_Y_REACH = 2.5
# A date of issue whose month could not be read, taken from the validity period (the day
# and year read, the month the expiry's): at most this sure, below merge.REVIEW_PRINT_BELOW.
UNREAD_MONTH_CONFIDENCE = 0.3
# A date of issue spotted in a line's frames (_issue_from_frames) is at most this sure; the
# line must have read at least this many digits (a name or a label holds no date).
SPOTTED_DATE_CONFIDENCE = 0.3
MIN_SPOTTED_DATE_DIGITS = 2
# A line is a date as read only when at least this share of its characters (spaces aside) are
# digits: day, year and often the month are numbers; a place with a postcode is mostly letters.
UNREAD_DATE_MIN_DIGIT_SHARE = 0.5
_FIELD_NUMBER = re.compile(r"^\s*\d{1,2}\s*[.)]")
# A value line must start within this many label heights of its label's left edge.
_VALUE_X_TOLERANCE = 1.5
# ...and lie within this many label heights below it.
_VALUE_Y_REACH = 1.6
# A line at least this much made of label words is a label line, never a value.
LABEL_LINE_COVERAGE = 0.6
_SEPARATORS = " \t:;/|-–—.,"
# Two boxes overlapping this much vertically are on one row; closer than this many line
# heights apart, they are one line the detector cut at a wide space.
_SAME_ROW_OVERLAP = 0.6
_JOIN_GAP = 0.6
# Columns of fields on a row are several characters apart; a label's pieces closer than
# this (in the label's heights) are one label (_row_has_text_over).
_LABEL_PIECE_GAP = 1.2
# A line is guessed to be a misread label only when a line at least this much higher
# (detector boxes) lies under it, as values print larger than their labels...
_VALUE_HEIGHT_RATIO = 1.2
# ...or, for a line that reads as a label closely (guess similarity at least this much), a
# line at least as high: small print on worn or low-resolution pages is detected in boxes
# as high as the value's ('Place f birth/ Lie de neissance' above 'UTRECHT').
_CLOSE_GUESS_SIMILARITY = 0.7
_CLOSE_GUESS_HEIGHT_RATIO = 0.95
# ...and as close under it as a value under its label (a line with a row between them is
# another field's).
_GUESS_Y_REACH = 0.5
# A label spotted from the recogniser's frames (viz.spot) where its text matched none: the
# image favours it, but the reading never spelled it out, so its value is given for review
# (below merge.REVIEW_PRINT_BELOW, like labels.CUT_GUESS_SCORE). Spotted lines are label
# candidates found just above a value (label_search), so one counts as a close guess.
SPOTTED_LABEL_SCORE = 0.6


@dataclass(frozen=True)
class PrintedValue:
    """One field as printed. `value` is normalised (ISO date for dates, spaces collapsed)."""

    field: str
    value: str
    confidence: float
    text: str  # what was read, for warnings
    four_digit_year: bool = True  # dates only: False when the century came from context
    labelled: bool = True  # False when attributed from the MRZ or from date order, not a label


@dataclass
class _Line:
    text: str
    box: tuple[float, float, float, float]
    char_confidences: list[float]  # one per character of `text`
    labels: list[LabelHit]
    coverage: float
    # Per character of `text`: the other digits the recogniser saw there, with their
    # probabilities (DIGIT_RUNNER_UP).
    digit_runners_up: tuple[tuple[tuple[str, float], ...], ...] = ()
    spotted_label: tuple[str, float] | None = None  # OcrLine.spotted_label
    # Per character of `text`: how sure its reading is, marks aside (_base_confidences).
    base_confidences: list[float] | None = None
    frames: tuple[np.ndarray, ...] = ()  # OcrLine.frames (pieces joined: their frames in turn)

    def _visible(self, confidences: list[float], start: int = 0, end: int | None = None) -> list[float]:
        """`confidences` of the characters of text[start:end] that are no spaces."""
        return [c for ch, c in zip(self.text[start:end], confidences[start:end]) if not ch.isspace()]

    def confidence_of(self, start: int = 0, end: int | None = None) -> float:
        """How sure the reading of text[start:end] is: its least sure letter or digit. A
        misread national letter ('KOBENHAVN' for 'KØBENHAVN') is one unsure character in an
        otherwise sure line, which an average would hide; spaces do not count."""
        return min(self._visible(self.char_confidences, start, end), default=0.0)

    def date_confidence_of(self, start: int, end: int) -> float:
        """How sure the reading of a date in text[start:end] is: as confidence_of, with its
        letters (a month name's) as sure as their base letters, whatever their marks."""
        return min(self._visible(self.base_confidences or self.char_confidences, start, end), default=0.0)

    def mean_confidence(self) -> float:
        """The mean confidence of the line's characters, spaces aside: how readable the line
        is as a whole, where one unsure letter is no sign of a scrawl."""
        sure = self._visible(self.char_confidences)
        return sum(sure) / len(sure) if sure else 0.0

    @property
    def height(self) -> float:
        return max(1.0, self.box[3] - self.box[1])

    def x_at(self, index: int) -> float:
        """Approximate x of character `index` (glyphs taken as equally wide)."""
        x0, _, x1, _ = self.box
        return x0 + (x1 - x0) * index / max(1, len(self.text))

    def index_at(self, x: float) -> int:
        x0, _, x1, _ = self.box
        return int(round((x - x0) / max(1e-6, x1 - x0) * len(self.text)))


@dataclass
class _LabelGroup:
    """Consecutive labels of one field on one line ('Date of issue / Date de délivrance')."""

    field: str
    line: int
    start: int
    end: int
    score: float


@dataclass
class _Segment:
    """A candidate value: part of a line's text."""

    line: int
    start: int
    end: int
    below: bool  # True: in the line under the label; False: after it on the same line
    distance: float = 0.0  # from the label: the gap down to the line, and a fifth of the x offset


def _prepare(lines: list[OcrLine], mrz_fields: dict) -> list[_Line]:
    # The issuing country's languages bound the letters the page can hold (alphabets.py).
    alphabet = page_alphabet(mrz_fields.get("issuing_country"))
    boxed = []
    for i, read in enumerate(lines):
        line = restrict_line(read, alphabet)
        # Lines without a box (engines that give none) are laid out one under the other.
        box = line.box or (0.0, 10.0 * i, 10.0 * max(1, len(line.text)), 10.0 * i + 8.0)
        per_char = (_char_confidences(line), _base_confidences(read, line), _digit_runners_up(line))
        boxed.append((line.text, box, per_char, line.spotted_label, read.frames))
    prepared = [
        _Line(text, box, list(confidences), find_labels(text), label_coverage(text), runners_up, spotted, list(bases), frames)
        for text, box, (confidences, bases, runners_up), spotted, frames in _join_split_lines(boxed)
    ]
    # Small faint labels are often misread past matching word by word; one that sits where a
    # label does, just above a larger line it could name, is matched as a whole instead.
    for line in prepared:
        if line.labels or _reads_as_mrz_value(line.text, mrz_fields):
            continue
        if not any(_is_larger_line_below(line, other, _CLOSE_GUESS_HEIGHT_RATIO) for other in prepared):
            continue
        guessed = guess_label(line.text) or guess_cut_label(line.text, GUESSABLE_FIELDS)
        close = guessed is not None and guessed.score >= _CLOSE_GUESS_SIMILARITY * GUESS_SCORE_FACTOR
        if (guessed is None or guessed.field not in GUESSABLE_FIELDS) and line.spotted_label is not None:
            guessed, close = _spotted_hit(line), True
        if guessed is None or guessed.field not in GUESSABLE_FIELDS:
            continue
        if close or any(_is_larger_line_below(line, other, _VALUE_HEIGHT_RATIO) for other in prepared):
            line.labels, line.coverage = [guessed], 1.0
    return prepared


def _spotted_hit(line: _Line) -> LabelHit:
    """The label the line's frames were spotted to fit (viz.spot), as a guessed hit over the
    whole line."""
    return LabelHit(line.spotted_label[0], 0, len(line.text.rstrip()), SPOTTED_LABEL_SCORE, guessed=True)


def _spelling_chars(line: OcrLine) -> list[OcrChar] | None:
    """The line's characters, one per character of `line.text`, or None when the engine gave
    none or they do not spell the text."""
    spelled = "".join(c.char for c in line.chars)
    lead = len(spelled) - len(spelled.lstrip())
    if spelled.strip() != line.text or len(spelled) - lead < len(line.text):
        return None
    return line.chars[lead : lead + len(line.text)]


def _char_confidences(line: OcrLine) -> tuple[float, ...]:
    """Per-character confidences aligned with `line.text` (the line's own for every character
    when the engine gave none, or they do not spell the text)."""
    chars = _spelling_chars(line)
    if chars is None:
        return (line.confidence,) * len(line.text)
    return tuple(c.confidence for c in chars)


def _base_confidences(read: OcrLine, line: OcrLine) -> tuple[float, ...]:
    """Per character of `line.text` (the restricted reading of `read`), how sure the
    recogniser was of the letter whatever its marks: the probability of the read letter and
    of its runners-up of the same base ('Ú' 0.5 and 'Û' 0.45 are a sure 'U'). Dates need no
    more: a month name's accents never change the month."""
    chars = _spelling_chars(read)
    if chars is None or len(read.text) != len(line.text):
        return _char_confidences(line)
    return tuple(base_confidence(char) for char in chars)


def _digit_runners_up(line: OcrLine) -> tuple[tuple[tuple[str, float], ...], ...]:
    """Per character of `line.text`, the digits other than the one read that the recogniser
    gave at least DIGIT_RUNNER_UP there, with their probabilities (none when the characters
    do not spell the text)."""
    chars = _spelling_chars(line)
    if chars is None:
        return ((),) * len(line.text)
    return tuple(
        tuple((a, p) for a, p in c.alternatives if a.isdigit() and a != c.char and p >= DIGIT_RUNNER_UP) for c in chars
    )


def _reads_as_mrz_value(text: str, mrz_fields: dict) -> bool:
    """Whether a line reads as the MRZ's name (a value, whatever label it resembles)."""
    words = set(mrz_spellings(text)[0].split()) if mrz_spellings(text) else set()
    names = {w for field in ("surname", "given_names") for w in (mrz_fields.get(field) or "").split()}
    return bool(words & names)


def _is_larger_line_below(label: _Line, other: _Line, ratio: float) -> bool:
    """Whether `other` lies just under `label`, where its value would, and is at least `ratio`
    times as high (values print larger than their labels)."""
    height = label.height
    if other.height < ratio * height:
        return False
    gap = other.box[1] - label.box[3]
    centre_drop = (other.box[1] + other.box[3]) / 2 - (label.box[1] + label.box[3]) / 2
    if centre_drop < 0.35 * height or gap > _GUESS_Y_REACH * height:
        return False
    label_x0 = label.box[0]
    return label_x0 - _VALUE_X_TOLERANCE * height <= other.box[0] <= label.box[2] or (
        other.box[0] < label_x0 and other.box[2] > label_x0 + height
    )


# What a joining space adds to each per-character sequence of _join_split_lines.
_SPACE_ITEMS = (1.0, 1.0, ())


def _join_split_lines(lines: list[tuple]) -> list[tuple]:
    """Join pieces of one line that the detector cut at a wide space ('25 MAY / MAY' + '14').
    Pieces are (text, box, per-character sequences, spotted label, frames); the per-character
    sequences (confidences, base-letter confidences, digit runners-up) get one item for the
    joining space, and the frames follow each other."""
    pieces = sorted(lines, key=lambda item: item[1][0])
    joined: list[tuple] = []
    for text, box, per_char, spotted, frames in pieces:
        height = box[3] - box[1]
        for k, (other_text, other_box, other_per_char, other_spotted, other_frames) in enumerate(joined):
            other_height = other_box[3] - other_box[1]
            gap = box[0] - other_box[2]
            if _boxes_share_row(box, other_box) and -0.5 * height <= gap <= _JOIN_GAP * max(height, other_height) and not _starts_numbered_label(text):
                merged_box = (other_box[0], min(box[1], other_box[1]), max(box[2], other_box[2]), max(box[3], other_box[3]))
                merged = tuple(a + (space,) + b for a, b, space in zip(other_per_char, per_char, _SPACE_ITEMS))
                # Each recogniser's frames joined, where both pieces have them.
                both = tuple(np.concatenate(pair) for pair in zip(other_frames, frames)) if len(frames) == len(other_frames) else ()
                joined[k] = (f"{other_text} {text}", merged_box, merged, other_spotted or spotted, both)
                break
        else:
            joined.append((text, box, per_char, spotted, frames))
    return sorted(joined, key=lambda item: (item[1][1], item[1][0]))


# A field number, then a word: the start of a numbered label ('07 MĚSTO NAROZENÍ/...').
_NUMBERED_START = re.compile(r"^\s*\d{1,2}\s*[.)]?\s+[^\W\d_]{3,}")


def _starts_numbered_label(text: str) -> bool:
    """Whether `text` is a numbered label, read right or closely: the next field's, never the
    rest of a line the detector cut ('06 POHLAVÍ/SEX' beside '07 MÍSTO NAROZENÍ/PLACE OF BIRTH')."""
    return bool(_NUMBERED_START.match(text)) and bool(find_labels(text) or guess_label(text))


def _label_groups(lines: list[_Line]) -> list[_LabelGroup]:
    groups: list[_LabelGroup] = []
    for index, line in enumerate(lines):
        current: _LabelGroup | None = None
        for hit in line.labels:
            between = line.text[current.end : hit.start] if current else ""
            if current and hit.field == current.field and all(c in _SEPARATORS for c in between):
                current.end, current.score = hit.end, min(current.score, hit.score)
                continue
            start = hit.start
            # '9.Place ofhirth/Lieu de naissance': what precedes the first label up to a slash
            # is the same label in another language, misread; so is what reads as that label
            # ('Lieu de nasspce7 Pace of birth', its slash read '7'). The label starts with
            # the line, where its value does.
            before = line.text[:start]
            if current is None and (
                before.rstrip().endswith("/") or reads_as_label_of(before, hit.field) or _garbled_label_words(before)
            ):
                start = 0
            current = _LabelGroup(hit.field, index, start, hit.end, hit.score)
            groups.append(current)
    return groups


# Words before a line's first label, in the same detected box, with at least this many
# letters and no digit, are that label in another language misread past matching ('Ploce
# ofoité Lieo de eassance', 'issuina AumoitvAutorté de délvrance'): labels of two fields
# are boxed apart, and a short misread word ('Sevsexa') may be another field's label.
MIN_GARBLED_LABEL_LETTERS = 8


def _garbled_label_words(before: str) -> bool:
    """Whether `before` (what precedes a line's first label) is that label's other language,
    misread: letters and separators only after any field number, at least
    MIN_GARBLED_LABEL_LETTERS letters."""
    before = _FIELD_NUMBER.sub("", before)
    letters = sum(c.isalpha() for c in before)
    return letters >= MIN_GARBLED_LABEL_LETTERS and all(c.isalpha() or c in _SEPARATORS for c in before)


def _value_segment(group: _LabelGroup, lines: list[_Line], groups: list[_LabelGroup]) -> _Segment | None:
    line = lines[group.line]
    # The next label on the same line ends this field's region, in the text and on the page.
    next_starts = [g.start for g in groups if g.line == group.line and g.start > group.start]
    region_end = min(next_starts, default=len(line.text))
    rest = line.text[group.end : region_end]
    # 'Nom / Surname': what follows a slash is the label in another language, however misread;
    # so is what reads as the field's label without its slash.
    # Text beside a label on a line no higher than a label, above a line as large as a value
    # where the value prints, is the label's other language misread ('Place of birth tied'
    # for '... / Lieu de naissance' over 'NEW YORK'): a value beside its label makes the
    # line a value's height.
    beside = has_value_words(rest) and not rest.lstrip().startswith("/") and not reads_as_label_of(rest, group.field)
    if beside and not any(_is_larger_line_below(line, other, _VALUE_HEIGHT_RATIO) for other in lines if other is not line):
        lead = len(rest) - len(rest.lstrip(_SEPARATORS))
        return _Segment(group.line, group.end + lead, region_end, below=False)

    label_x0, label_x1 = line.x_at(group.start), line.x_at(group.end)
    region_x1 = line.x_at(region_end) if region_end < len(line.text) else float("inf")
    # So does the next label of another field to the right on the label's row, boxed apart
    # from this one: labels in a row head the columns their values print in. One of the same
    # field is this label in another language boxed apart ('Authority' 'Autorité' over
    # 'POLÍCIA FEDERAL', which was cut to 'POLÍCIA').
    region_x1 = min([region_x1] + [
        lines[g.line].x_at(g.start) for g in groups
        if g.line != group.line and g.field != group.field and _same_row(lines[g.line], line)
        and lines[g.line].x_at(g.start) > label_x1
    ])
    height = line.height
    best: tuple[float, int] | None = None
    for index, other in enumerate(lines):
        # The next field's numbered label ('6. Natio', '6. Nationality') under the label is
        # a candidate that gives no value: the value it stands in for is missing (undetected),
        # and the line under it is that field's.
        blocks = _numbered_label_of_another_field(other, group.field)
        if index == group.line or not blocks and (other.coverage >= LABEL_LINE_COVERAGE or is_label_text(other.text)):
            continue
        gap = other.box[1] - line.box[3]
        # Below means the centre is lower by a third of a line: small print packs label and value
        # so tightly that their boxes overlap.
        centre_drop = (other.box[1] + other.box[3]) / 2 - (line.box[1] + line.box[3]) / 2
        if centre_drop < 0.35 * min(height, other.height) or gap > _VALUE_Y_REACH * height:
            continue
        # The value starts under the label, or spans it (a value line merged with its neighbours).
        starts_under = label_x0 - _VALUE_X_TOLERANCE * height <= other.box[0] <= label_x1
        spans = other.box[0] < label_x0 and other.box[2] > label_x0 + height
        if not (starts_under or spans):
            continue
        distance = max(0.0, gap) + 0.2 * abs(other.box[0] - label_x0)
        if best is None or distance < best[0]:
            best = (distance, index)
    if best is None or _numbered_label_of_another_field(lines[best[1]], group.field):
        return None
    value_line = lines[best[1]]
    # A value line reaching left of its label is cut there when another field's text lies
    # above its left part (a neighbour's value merged with this one); with nothing above it,
    # it is one value printed wider than its label ('WOJEWODA MAZOWIECKI' under 'ORGAN WYDAJACY').
    reaches_left = value_line.box[0] < label_x0 - _VALUE_X_TOLERANCE * height
    start = value_line.index_at(label_x0 - 0.5 * height) if reaches_left and (
        group.start > 0 or _row_has_text_over(lines, group.line, value_line.box[0], label_x0)
    ) else 0
    end = len(value_line.text) if region_x1 == float("inf") else min(
        len(value_line.text), value_line.index_at(region_x1 - 0.3 * height)
    )
    # Cut on word boundaries: character positions from box proportions are approximate.
    text = value_line.text
    while 0 < start < len(text) and text[start - 1] != " ":
        start -= 1
    end = _nearest_word_end(text, end)
    if start >= end:
        return None
    return _Segment(best[1], start, end, below=True, distance=best[0])


def _nearest_word_end(text: str, end: int) -> int:
    """`end` moved to the nearer end of the word it falls in (the word's own end on a tie):
    a column's edge estimated from box proportions falls a letter or two either side of the
    gap between two columns' values."""
    if not 0 < end < len(text) or text[end - 1] == " " or text[end] == " ":
        return end
    after = end
    while after < len(text) and text[after] != " ":
        after += 1
    before = end
    while before > 0 and text[before - 1] != " ":
        before -= 1
    return before if 0 < before and end - before < after - end else after


def _boxes_share_row(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two boxes overlap vertically by _SAME_ROW_OVERLAP of the lower one's height."""
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap >= _SAME_ROW_OVERLAP * min(a[3] - a[1], b[3] - b[1])


def _same_row(a: _Line, b: _Line) -> bool:
    return _boxes_share_row(a.box, b.box)


def _row_has_text_over(lines: list[_Line], label_index: int, x0: float, x1: float) -> bool:
    """Whether a line other than the label's, on the label's row, lies over [x0, x1]; not
    counting the label's own beginning boxed apart: a line no taller than the label that
    ends less than _LABEL_PIECE_GAP of its height before it ('eu de na' before 'anre /
    Plare of birth', both of 'Lieu de naissance / Place of birth' over 'ÚSTÍ NAD LABEM')."""
    label = lines[label_index]
    return any(
        index != label_index and _same_row(other, label) and other.box[0] < x1 and other.box[2] > x0
        and not (other.height <= label.height and 0 <= label.box[0] - other.box[2] < _LABEL_PIECE_GAP * label.height)
        for index, other in enumerate(lines)
    )


def _numbered_label_of_another_field(line: _Line, field: str) -> bool:
    """Whether `line` is a numbered label ('6. Nationality', read whole or in part) of a field
    other than `field`: a new field starts there."""
    if not _FIELD_NUMBER.match(line.text):
        return False
    if is_cut_numbered_label(line.text):
        return field not in cut_word_fields(line.text)
    return line.coverage >= LABEL_LINE_COVERAGE and bool(line.labels) and all(hit.field != field for hit in line.labels)


def clean_text(text: str) -> str:
    """A value as printed, without surrounding separators; ' / ' between its languages.

    A leading apostrophe before a letter is part of the name ("'s-Gravenhage", "'t Zand");
    an uppercase word's lone 'i' is the dotted capital 'İ' the recogniser reads as lowercase.
    """
    text = text.strip(_SEPARATORS + "\"").rstrip("'")
    text = re.sub(r"^'+(?![^\W\d_])", "", text)
    text = re.sub(r"\s*/\s*", " / ", text)
    text = re.sub(r"[^\W\d_]+", _dotted_capital_i, text)
    return re.sub(r"\s+", " ", text).strip()


def _dotted_capital_i(word: re.Match) -> str:
    letters = word.group()
    others = letters.replace("i", "")
    if len(others) >= 2 and len(others) < len(letters) and others.isupper():
        return letters.replace("i", "İ")
    return letters


def _parse_mrz_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _issue_plausibility(candidate: date, expiry: date | None, birth: date | None) -> float:
    """How much `candidate` looks like a date of issue, from the MRZ dates: 0 (impossible) to 1.

    Before the MRZ birth date it is impossible only if it is also before that date a century
    earlier: the MRZ gives two digits of the birth year and its century may be wrong (the
    merge step corrects it from the date of issue). Such a date is at most 'possible' (0.5).
    """
    cap = 1.0
    if birth and candidate <= birth:
        if candidate <= _years_before(birth, 100):
            return 0.0
        cap = 0.5
    if expiry is None:
        return min(cap, 0.5)
    if candidate >= expiry or (expiry - candidate).days > 366 * MAX_VALIDITY_YEARS:
        return 0.0
    for years in _VALIDITY_YEARS:
        if abs((candidate - _years_before(expiry, years)).days) <= 45:
            return cap
    return min(cap, 0.4 if (expiry - candidate).days <= 366 * 15 else 0.1)


def _issue_dates(expiry: date, validities: tuple[int, ...] = _VALIDITY_YEARS) -> list[date]:
    """The dates of issue of a document expiring on `expiry` after a whole number of years
    of `validities`: each anniversary before it, or the day after (expiring the day before)."""
    anniversaries = [_years_before(expiry, years) for years in validities]
    return [day for anniversary in anniversaries for day in (anniversary, anniversary + timedelta(days=1))]


def _exact_validity(issued: date, expiry: date, validities: tuple[int, ...] = _VALIDITY_YEARS) -> bool:
    """Whether a document issued on `issued` expires on `expiry` after a whole number of
    years of `validities` (on the same day, or the day before)."""
    return issued in _issue_dates(expiry, validities)


def _fitting_validity(printed: PrintedDate, line: _Line, expiry: date | None) -> tuple[PrintedDate, float]:
    """The printed issue date, or the one reading of it with a single digit changed to a
    runner-up the recogniser saw there that makes the document's validity a whole number of
    years, when the date as read does not and exactly one such reading does (a usual number,
    when the date as read gives an unusual one: _USUAL_VALIDITY_YEARS); with how sure
    the reading's characters are (its least sure one, the changed digit at the probability the
    recogniser gave it: below a half, so the field is still reviewed)."""
    confidence = line.date_confidence_of(printed.start, printed.end)
    if expiry is None or not line.digit_runners_up:
        return printed, confidence
    if any(_exact_validity(d, expiry, _USUAL_VALIDITY_YEARS) for d in printed.candidates()):
        return printed, confidence
    # As read, an unusual validity at best: a runner-up reading must give a usual one.
    wanted = _USUAL_VALIDITY_YEARS if any(_exact_validity(d, expiry) for d in printed.candidates()) else _VALIDITY_YEARS
    fitting = []
    for position in range(printed.start, printed.end):
        for digit, probability in line.digit_runners_up[position]:
            text = line.text[:position] + digit + line.text[position + 1 :]
            for other in find_dates(text):
                if (other.start, other.end) == (printed.start, printed.end) and any(
                    _exact_validity(d, expiry, wanted) for d in other.candidates()
                ):
                    fitting.append((other, min(confidence, probability)))
    return fitting[0] if len(fitting) == 1 else (printed, confidence)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _date_field_value(
    field: str, printed: PrintedDate, mrz_fields: dict, confidence: float, text: str, labelled: bool
) -> PrintedValue | None:
    birth = _parse_mrz_date(mrz_fields.get("date_of_birth"))
    expiry = _parse_mrz_date(mrz_fields.get("date_of_expiry"))
    candidates = printed.candidates()
    if not candidates:
        return None
    mrz_value = _parse_mrz_date(mrz_fields.get(field))
    if field == "date_of_issue":
        chosen = max(candidates, key=lambda d: (_issue_plausibility(d, expiry, birth), d.year))
        if expiry is not None and not _exact_validity(chosen, expiry):
            confidence = min(confidence, IRREGULAR_VALIDITY_CONFIDENCE)
    elif mrz_value and mrz_value in candidates:
        chosen = mrz_value
    else:
        chosen = min(candidates, key=lambda d: abs((d - (mrz_value or d)).days))
    return PrintedValue(
        field, chosen.isoformat(), confidence, text, four_digit_year=printed.year_digits == 4, labelled=labelled
    )


def read_printed_fields(
    lines: list[OcrLine], mrz_fields: dict[str, str | None], cut_names: frozenset[str] = frozenset()
) -> dict[str, PrintedValue]:
    """The printed fields found in `lines` (the page's text, top to bottom), keyed by field name.

    `mrz_fields` are the record's fields from the MRZ; they attribute unlabelled dates and
    settle two-digit years, and a name line spelling the MRZ's name is that name, labelled or
    not (`cut_names`: the name fields the MRZ may have cut, whose printed form may go on).
    Fields not found are absent from the result.
    """
    prepared = _prepare(lines, mrz_fields)
    groups = _label_groups(prepared)
    found: dict[str, PrintedValue] = {}
    # Every date on the page, with the label group (if any) whose value holds it.
    dates: list[tuple[int, PrintedDate, _LabelGroup | None]] = []
    claimed: set[tuple[int, int]] = set()
    # The segment each text field's value was taken from, to settle two fields taking one.
    taken_from: dict[str, _Segment] = {}

    for group in groups:
        segment = _value_segment(group, prepared, groups)
        if segment is None:
            continue
        line = prepared[segment.line]
        text = line.text[segment.start : segment.end]
        position = 1.0 if segment.below else 0.95
        confidence = group.score * line.confidence_of(segment.start, segment.end) * position
        line_dates = find_dates(line.text)
        segment_dates = [d for d in line_dates if segment.start <= d.start < segment.end]
        # A date reaching into the segment (its day cut off by the segment's start): the
        # segment is part of a date, not a text value.
        touches_date = any(d.start < segment.end and d.end > segment.start for d in line_dates)
        guessed = any(hit.guessed for hit in prepared[group.line].labels)
        if guessed and touches_date:
            continue  # a place or an authority holds no date: the guess was wrong
        for printed in segment_dates:
            if (segment.line, printed.start) not in claimed:
                claimed.add((segment.line, printed.start))
                dates.append((segment.line, printed, group))
        if group.field in TEXT_FIELDS and not touches_date:
            value = clean_text(text)
            if value and (group.field not in found or found[group.field].confidence < confidence):
                found[group.field] = PrintedValue(group.field, value, confidence, text)
                taken_from[group.field] = segment

    for index, line in enumerate(prepared):
        for printed in find_dates(line.text):
            if (index, printed.start) not in claimed:
                dates.append((index, printed, None))

    _one_field_per_value(found, taken_from)
    _split_full_name(found)
    _names_by_content(prepared, mrz_fields, found, cut_names)
    _attribute_dates(dates, prepared, mrz_fields, found)
    if "date_of_issue" not in found:
        _keep(found, _issue_from_frames(prepared, mrz_fields))
    _place_unlabelled(prepared, mrz_fields, found)
    for field in ("place_of_birth", "authority"):
        if field in found:
            found[field] = _with_elided_article(found[field])
    return found


# Dutch place names open with an elided article, "'s-" ("'s-Gravenhage", "'s-Hertogenbosch"):
# its apostrophe is a speck the detector's box leaves out, and 'S-GRAVENHAGE' came back sure.
_ELIDED_ARTICLE_CUT = re.compile(r"^([Ss])-(?=[^\W\d_]{3})")
# A restored apostrophe is not read: the value is at most this sure (merge's review bar).
ELIDED_ARTICLE_CONFIDENCE = 0.6


def _with_elided_article(value: PrintedValue) -> PrintedValue:
    """`value` with the apostrophe of a leading "'s-" put back where it was read without it,
    for review; else `value` as it is."""
    if not _ELIDED_ARTICLE_CUT.match(value.value):
        return value
    return replace(value, value="'" + value.value, confidence=min(value.confidence, ELIDED_ARTICLE_CONFIDENCE))


def _issue_from_frames(lines: list[_Line], mrz_fields: dict) -> PrintedValue | None:
    """The date of issue from the one line whose recogniser frames fit a date a whole number
    of years before the MRZ's expiry (and after its birth date: a date that would move the
    birth a century is never taken this way), when no reading of the page gives one
    (viz.date_spot); always for review (SPOTTED_DATE_CONFIDENCE)."""
    expiry = _parse_mrz_date(mrz_fields.get("date_of_expiry"))
    birth = _parse_mrz_date(mrz_fields.get("date_of_birth"))
    if expiry is None:
        return None
    candidates = [day for day in _issue_dates(expiry) if birth is None or day > birth]
    frames = [
        line.frames if not line.labels and sum(c.isdigit() for c in line.text) >= MIN_SPOTTED_DATE_DIGITS else ()
        for line in lines
    ]
    spotted = spot_date(frames, candidates, [day for day in (birth, expiry) if day is not None])
    if spotted is None:
        return None
    index, day, _ = spotted
    return PrintedValue(
        "date_of_issue", day.isoformat(), SPOTTED_DATE_CONFIDENCE, lines[index].text, four_digit_year=True, labelled=False
    )


def _one_field_per_value(found: dict[str, PrintedValue], taken_from: dict[str, _Segment]) -> None:
    """A value printed once belongs to one field: when the labels of two fields found the
    same text (a misread label's reach crossing into the next field's value), the field
    whose label is nearer keeps it and the other is left unfound."""
    fields = sorted(taken_from, key=lambda f: taken_from[f].distance)
    for index, field in enumerate(fields):
        mine = taken_from[field]
        for nearer in fields[:index]:
            theirs = taken_from[nearer]
            if nearer in found and theirs.line == mine.line and theirs.start < mine.end and mine.start < theirs.end:
                found.pop(field, None)
                break


def _spells(text: str, mrz_name: str, cut: bool) -> bool:
    """Whether printed `text` is `mrz_name` in MRZ letters, or (`cut`) goes on from it."""
    cleaned = clean_text(text)
    return spells(mrz_name, cleaned) or cut and completed_name(mrz_name, cleaned) is not None


def _names_by_content(lines: list[_Line], mrz_fields: dict, found: dict[str, PrintedValue], cut: frozenset[str]) -> None:
    """The names no label gave, from the lines that spell them: a small label is often
    illegible where the name under it, printed large, is not, and a cut MRZ name is only
    completed from its printed form. A line that spells the holder's whole name is that name
    even where a word of it reads as a label ('GROSS' is German for tall, 'BJÓRN' is near
    'born'): no label spells a name word for word. A cut name of fewer than MIN_CUT_NAME_LETTERS letters
    ('H' for 'HANS-PETER') prefixes too many lines: it is sought only just under the
    surname's line, where ICAO 9303 prints the given names."""
    surname = mrz_fields.get("surname")
    surname_lines = [
        i for i, line in enumerate(lines) if surname and _spells(line.text, surname, "surname" in cut)
    ]
    for field in NAME_FIELDS:
        mrz_name = mrz_fields.get(field)
        if not mrz_name or field in found:
            continue
        if field == "surname":
            candidates = surname_lines
        else:
            candidates = [
                i for i, line in enumerate(lines)
                if i not in surname_lines and _spells(line.text, mrz_name, field in cut)
            ]
            if len(mrz_name.replace(" ", "")) < MIN_CUT_NAME_LETTERS:
                under = {_line_under(lines, i) for i in surname_lines} - {None}
                candidates = [i for i in candidates if i in under]
        values = {clean_text(lines[i].text) for i in candidates}
        if len(values) != 1:
            continue  # none, or two different names that both fit: no way to tell
        line = lines[candidates[0]]
        found[field] = PrintedValue(
            field, values.pop(), NAME_BY_CONTENT_SCORE * line.confidence_of(), line.text, labelled=False
        )


def _line_under(lines: list[_Line], index: int) -> int | None:
    """The line printed just under line `index`, starting where it starts (a label between
    them allowed): None when there is none."""
    above = lines[index]
    height = above.height
    below = [
        (other.box[1] - above.box[3], i) for i, other in enumerate(lines)
        if i != index and not other.labels and other.coverage < LABEL_LINE_COVERAGE
        and (other.box[1] + other.box[3]) / 2 > (above.box[1] + above.box[3]) / 2 + 0.5 * height
        and abs(other.box[0] - above.box[0]) <= _VALUE_X_TOLERANCE * height
        and other.height >= _NAME_HEIGHT_RATIO * height
        and other.box[1] - above.box[3] <= _NAME_Y_REACH * height
    ]
    return min(below)[1] if below else None


def _place_unlabelled(lines: list[_Line], mrz_fields: dict, found: dict[str, PrintedValue]) -> None:
    """The place of birth and authority no label gave, from their place in the field order."""
    issued = found.get("date_of_issue")
    taken = {value.value for value in found.values()}
    placed = place_by_order(
        lines, mrz_fields, issued.text.strip() if issued else None, frozenset(GUESSABLE_FIELDS) - set(found),
        lambda text: _reads_as_mrz_value(text, mrz_fields),
    )
    for field, index in placed.items():
        line = lines[index]
        value = clean_text(line.text)
        if line.mean_confidence() < MIN_PLACED_LINE_CONFIDENCE:
            continue  # a scrawl or a label read as nothing: no value, whatever its place
        if value and value not in taken:
            confidence = UNLABELLED_PLACE_SCORE * line.confidence_of()
            found[field] = PrintedValue(field, value, confidence, line.text, labelled=False)


def _split_full_name(found: dict[str, PrintedValue]) -> None:
    """'LIN, MEI-HUA' under a single name label: surname before the comma, given names after."""
    surname = found.get("surname")
    if surname is None or "," not in surname.value or "given_names" in found:
        return
    family, _, given = surname.value.partition(",")
    found["surname"] = PrintedValue("surname", clean_text(family), surname.confidence, surname.text)
    if clean_text(given):
        found["given_names"] = PrintedValue("given_names", clean_text(given), surname.confidence, surname.text)


def _attribute_dates(
    dates: list[tuple[int, PrintedDate, _LabelGroup | None]],
    lines: list[_Line],
    mrz_fields: dict,
    found: dict[str, PrintedValue],
) -> None:
    birth = _parse_mrz_date(mrz_fields.get("date_of_birth"))
    expiry = _parse_mrz_date(mrz_fields.get("date_of_expiry"))
    unlabelled: list[tuple[int, PrintedDate]] = []
    range_starts = _validity_range_starts(dates, lines, expiry)
    for index, printed, group in dates:
        text = lines[index].text[printed.start : printed.end]
        candidates = printed.candidates()
        line_confidence = lines[index].date_confidence_of(printed.start, printed.end)
        if (index, printed.start) in range_starts:
            value = _date_field_value(
                "date_of_issue", printed, mrz_fields, VALIDITY_RANGE_SCORE * line_confidence, text, labelled=True
            )
            if value and _issue_plausibility(date.fromisoformat(value.value), expiry, birth) > 0.0:
                _keep(found, value)
                continue
        # Equal to an MRZ date: that is what it is, whatever the label reading says. The birth
        # date matches whatever its century: the MRZ only knows two digits of the year.
        matched = None
        if birth and any((d.month, d.day, d.year % 100) == (birth.month, birth.day, birth.year % 100) for d in candidates):
            matched = "date_of_birth"
        elif expiry and expiry in candidates:
            matched = "date_of_expiry"
        if matched:
            value = _date_field_value(matched, printed, mrz_fields, line_confidence, text, labelled=group is not None)
            _keep(found, value)
            continue
        if group is not None and group.field == "date_of_issue":
            printed, line_confidence = _fitting_validity(printed, lines[index], expiry)
        if group is not None and group.field in DATE_FIELDS:
            value = _date_field_value(
                group.field, printed, mrz_fields, group.score * line_confidence, text, labelled=True
            )
            if group.field == "date_of_issue" and value and _issue_plausibility(
                date.fromisoformat(value.value), expiry, birth
            ) == 0.0:
                continue  # after expiry or before birth: a misread, not an issue date
            _keep(found, value)
            continue
        if group is None:
            unlabelled.append((index, printed))

    if "date_of_issue" in found:
        return
    # A printed four-digit birth year settles the century the MRZ could only guess: an issue
    # date before the MRZ's guess is then no doubt.
    printed_birth = found.get("date_of_birth")
    if birth and printed_birth is not None and printed_birth.four_digit_year:
        printed_year = int(printed_birth.value[:4])
        if printed_year in (birth.year, birth.year - 100):  # '7953.05.29' settles nothing
            birth = date.fromisoformat(printed_birth.value)
    # No labelled issue date: the one unlabelled date a validity period before expiry (read
    # as printed or with one unsure digit changed, as a labelled one).
    plausible = []
    for index, printed in unlabelled:
        printed, confidence = _fitting_validity(printed, lines[index], expiry)
        score = max((_issue_plausibility(d, expiry, birth) for d in printed.candidates()), default=0.0)
        if score >= 1.0:
            plausible.append((index, printed, confidence))
    if len(plausible) == 1:
        index, printed, confidence = plausible[0]
        text = lines[index].text[printed.start : printed.end]
        # One only near a whole-year validity is left unsure by _date_field_value.
        value = _date_field_value(
            "date_of_issue", printed, mrz_fields, UNLABELLED_ISSUE_SCORE * confidence, text, labelled=False
        )
        _keep(found, value)
    elif not plausible and expiry is not None:
        _keep(found, _issue_with_unread_month(lines, expiry, birth))


def _validity_range_starts(
    dates: list[tuple[int, PrintedDate, _LabelGroup | None]], lines: list[_Line], expiry: date | None
) -> set[tuple[int, int]]:
    """(line, start) of the dates printed as the first end of a validity period whose other
    end is the MRZ expiry ('17.10.03-09.05.2013' under 'Validity'): issuers that print the
    validity as one period (Romanian cards) print the date of issue that way."""
    if expiry is None:
        return set()
    starts = set()
    by_line: dict[int, list[PrintedDate]] = {}
    for index, printed, _ in dates:
        by_line.setdefault(index, []).append(printed)
    for index, printed_dates in by_line.items():
        ordered = sorted(printed_dates, key=lambda d: d.start)
        for first, second in zip(ordered, ordered[1:]):
            between = lines[index].text[first.end : second.start]
            if expiry in second.candidates() and VALIDITY_RANGE_JOIN.fullmatch(between):
                starts.add((index, first.start))
    return starts


def _issue_with_unread_month(lines: list[_Line], expiry: date, birth: date | None) -> PrintedValue | None:
    """The date of issue from a line that reads as one with its month unreadable ('21 A0 2025',
    '25.58.2026'): the month with which its day and year make the validity to the MRZ's
    expiry a whole number of years (_exact_validity); the one such line only, and always for
    review (UNREAD_MONTH_CONFIDENCE)."""
    fits = []
    for line in lines:
        if find_dates(line.text):
            continue
        match = DAY_SOMETHING_YEAR.fullmatch(line.text.strip())
        if match is None:
            continue
        day, year = int(match.group(1)), match.group(3)
        years = [int(year)] if len(year) == 4 else [1900 + int(year), 2000 + int(year)]
        for issued in _dates_in(years, day):
            if _exact_validity(issued, expiry) and (birth is None or issued > birth):
                fits.append((line, issued, len(year) == 4))
    if len({issued for _, issued, _ in fits}) != 1:
        return None
    line, issued, four_digits = fits[0]
    confidence = min(UNREAD_MONTH_CONFIDENCE, line.confidence_of())
    return PrintedValue(
        "date_of_issue", issued.isoformat(), confidence, line.text, four_digit_year=four_digits, labelled=False
    )


def unattributed_date_lines(lines: list[OcrLine], printed: dict[str, PrintedValue]) -> list[str]:
    """The lines that read as dates (or as dates with an unreadable month, '04 17 2009',
    '21 A0 2025') and gave no printed date field: a date the page prints but the reader could
    not read, which may be the date of issue. Labels and lines mostly of letters are left
    out ('Date of issue 2', a place with a postcode)."""
    read = [value.text for field, value in printed.items() if field in DATE_FIELDS and value.text]
    unread = []
    for line in lines:
        text = line.text.strip()
        digits = sum(c.isdigit() for c in text)
        if not text or digits < UNREAD_DATE_MIN_DIGIT_SHARE * len(text.replace(" ", "")) or find_labels(text):
            continue
        if not (find_dates(text) or DAY_SOMETHING_YEAR.search(text)):
            continue
        if not any(value in text for value in read):
            unread.append(text)
    return unread


def _dates_in(years: list[int], day: int) -> list[date]:
    """Every real date on `day` of any month of `years`."""
    dates = []
    for year in years:
        for month in range(1, 13):
            try:
                dates.append(date(year, month, day))
            except ValueError:
                pass
    return dates


def _keep(found: dict[str, PrintedValue], value: PrintedValue | None) -> None:
    if value is None:
        return
    current = found.get(value.field)
    if current is None or (value.labelled, value.confidence) > (current.labelled, current.confidence):
        found[value.field] = value
