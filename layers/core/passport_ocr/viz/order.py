"""A place of birth and an authority found by their place in the field order when their
labels cannot be read: pure, no I/O.

ICAO 9303 (part 4 for passports, part 5 for cards) lays out the personal data in one order:
names, nationality, date of birth, personal number, sex, place of birth, date of issue,
authority, date of expiry (cards may put the dates of issue and expiry side by side, and
the authority after both). On a worn, blurred or low-resolution page the labels, printed at
about half the size of the values, are often illegible while the values are not. The dates
are found without labels (the MRZ names two of them, the validity period the third), and
they anchor the rest: the place of birth is the last unexplained value below the date of
birth and before the date of issue, the authority the first unexplained value after it.

Only the page's layout attributes such a value, so the caller gives it for review.
"""

from __future__ import annotations

import re
from datetime import date
from statistics import median
from typing import Callable, Protocol, Sequence

from .dates import find_dates
from .labels import guess_label, is_label_text

# A line counts as a value only when it is at least this high relative to the dated value
# lines: values print larger than labels (about 0.5-0.6 of a value's height on ICAO pages),
# and a misread label is the likeliest false candidate.
MIN_VALUE_HEIGHT = 0.8
# A value has at least this many letters, and letters make up at least this share of it
# (a personal number, a signature's scrawl or a speck read as 'A' are not places).
MIN_LETTERS = 3
MIN_LETTER_SHARE = 0.6
# A line mostly made of label words is a label, never a value; so is one that reads as a
# whole label this closely (labels.guess_label's score). A looser likeness proves nothing:
# 'LEEDS' scores 0.53 against 'Sexe', 'PASSPORT CANADA' 0.63 against 'Passport No.'; the
# height bound keeps out the misread labels it lets through.
MAX_LABEL_COVERAGE = 0.3
LABEL_GUESS_SCORE = 0.65
# A line that reads even loosely as a date's label ('Dáe dvrán / Dáte o epry') is one: no
# place or authority is spelt like 'Date of ...' in any language of the label table.
DATE_LABEL_GUESS_SCORE = 0.56
_DATE_LABELS = frozenset({"date_of_birth", "date_of_issue", "date_of_expiry"})
# Two lines overlapping this much vertically are on one row of the page.
SAME_ROW_OVERLAP = 0.5


class PageLine(Protocol):
    text: str
    box: tuple[float, float, float, float]
    labels: list
    coverage: float

    @property
    def height(self) -> float: ...


def reading_order(lines: Sequence[PageLine]) -> list[tuple[int, int]]:
    """(row, index) per line, sorted in reading order: rows top to bottom (lines overlapping
    vertically share a row), left to right within a row."""
    by_centre = sorted(range(len(lines)), key=lambda i: (lines[i].box[1] + lines[i].box[3]) / 2)
    rows: list[list[int]] = []
    row_span: tuple[float, float] | None = None
    for i in by_centre:
        y0, y1 = lines[i].box[1], lines[i].box[3]
        if row_span is not None:
            overlap = min(y1, row_span[1]) - max(y0, row_span[0])
            if overlap >= SAME_ROW_OVERLAP * min(y1 - y0, row_span[1] - row_span[0]):
                rows[-1].append(i)
                row_span = (min(y0, row_span[0]), max(y1, row_span[1]))
                continue
        rows.append([i])
        row_span = (y0, y1)
    return [(r, i) for r, row in enumerate(rows) for i in sorted(row, key=lambda i: lines[i].box[0])]


def _dated(text: str, day: date | None, *, whole_year: bool) -> bool:
    """Whether `text` prints `day` (a birth date matches whatever its century)."""
    if day is None:
        return False
    for printed in find_dates(text):
        for candidate in printed.candidates():
            if candidate == day or not whole_year and (candidate.month, candidate.day, candidate.year % 100) == (
                day.month, day.day, day.year % 100
            ):
                return True
    return False


def _prints_birth(text: str, birth: date) -> bool:
    """Whether `text` is the birth date as printed, or as misread past parsing with its day
    and year intact ('27 y 1946' for '27 JAN 1946'): an anchor needs no month."""
    if _dated(text, birth, whole_year=False):
        return True
    numbers = re.findall(r"\d+", text)
    years = (str(birth.year), f"{birth.year % 100:02d}")
    return 2 <= len(numbers) <= 3 and int(numbers[0]) == birth.day and numbers[-1] in years


def _letters(text: str) -> int:
    return sum(1 for c in text if c.isalpha())


def _is_value_candidate(line: PageLine, value_height: float, mrz_values: set[str], reads_as_name: Callable[[str], bool]) -> bool:
    text = line.text.strip()
    visible = [c for c in text if not c.isspace()]
    letters = _letters(text)
    if letters < MIN_LETTERS or letters < MIN_LETTER_SHARE * len(visible):
        return False
    if line.labels or line.coverage > MAX_LABEL_COVERAGE or is_label_text(text):
        return False
    guessed = guess_label(text)
    if guessed is not None and (
        guessed.score >= LABEL_GUESS_SCORE or guessed.field in _DATE_LABELS and guessed.score >= DATE_LABEL_GUESS_SCORE
    ):
        return False
    if find_dates(text) or line.height < MIN_VALUE_HEIGHT * value_height:
        return False
    compact = re.sub(r"[^0-9A-Z]", "", text.upper())
    return compact not in mrz_values and not reads_as_name(text)


def place_by_order(
    lines: Sequence[PageLine],
    mrz_fields: dict,
    issue_text: str | None,
    wanted: frozenset[str],
    reads_as_name: Callable[[str], bool],
) -> dict[str, int]:
    """The index in `lines` of the place of birth and of the authority, for those of `wanted`
    (fields the labels did not give), found by the field order; {} when the date of birth
    (matched to the MRZ's) cannot anchor it. `issue_text` is the date of issue as printed
    (the text it was read from), if one was found; `reads_as_name` tells a line that spells
    the holder's MRZ name."""
    birth = _iso(mrz_fields.get("date_of_birth"))
    expiry = _iso(mrz_fields.get("date_of_expiry"))
    if not wanted or birth is None or str(mrz_fields.get("document_type") or "").startswith("V"):
        return {}  # visas print neither a place of birth nor an authority
    order = reading_order(lines)
    birth_at = [k for k, (_, i) in enumerate(order) if _prints_birth(lines[i].text, birth)]
    if not birth_at:
        return {}
    issue_at = [k for k, (_, i) in enumerate(order) if issue_text and issue_text in lines[i].text]
    dated = [order[k][1] for k in birth_at] + [i for _, i in order if _dated(lines[i].text, expiry, whole_year=True)]
    value_height = median(lines[i].height for i in dated)
    mrz_values = {
        re.sub(r"[^0-9A-Z]", "", str(mrz_fields.get(field) or "").upper())
        for field in ("document_number", "personal_number", "nationality", "issuing_country", "document_type", "sex")
    } - {""}
    birth_row = order[birth_at[0]][0]
    candidates = [
        k for k, (row, i) in enumerate(order)
        if row > birth_row and _is_value_candidate(lines[i], value_height, mrz_values, reads_as_name)
    ]
    chosen: dict[str, int] = {}
    if issue_at:
        before = [k for k in candidates if k < issue_at[0]]
        after = [k for k in candidates if k > issue_at[0]]
        if before and "place_of_birth" in wanted:
            chosen["place_of_birth"] = order[before[-1]][1]
        if after and "authority" in wanted:
            chosen["authority"] = order[after[0]][1]
    elif "place_of_birth" in wanted:
        # Without the date of issue only the first value between the birth date and the
        # next date (of issue or expiry, however misread) is placed: in both orders the
        # place of birth comes first there (a card's authority follows its dates).
        dated_after = [k for k, (row, i) in enumerate(order) if row > birth_row and _looks_dated(lines[i].text)]
        before = [k for k in candidates if dated_after and k < dated_after[0]]
        if before:
            chosen["place_of_birth"] = order[before[0]][1]
    return chosen


def _looks_dated(text: str) -> bool:
    """Whether `text` reads as a date, or holds a year of one misread past parsing ('a p2019')."""
    return bool(find_dates(text)) or re.search(r"(?<!\d)(?:19|20)\d{2}(?!\d)", text) is not None


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


__all__ = ["place_by_order", "reading_order"]
