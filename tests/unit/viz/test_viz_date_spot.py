"""Spotting a date the recogniser misread from its frames (hand-made log-ratios)."""

from datetime import date

import numpy as np

from passport_ocr.viz.date_spot import renderings, spot_date
from passport_ocr.viz.read import read_printed_fields
from passport_ocr.ocr_types import OcrLine
from passport_ocr.viz.spot import _COLUMNS, _GAP

UNSEEN = -9.0


def frames(read: str, printed: str | None = None, runner_up: float = -1.0) -> np.ndarray:
    """Log-ratio frames of `printed` read as `read` (same length): each character one frame
    (the read one at 0, the printed one, where it differs, at `runner_up`), then a gap."""
    printed = printed or read
    rows = []
    for r, p in zip(read, printed):
        row = np.full(_GAP + 1, UNSEEN, dtype=np.float32)
        row[_GAP if r == " " else _COLUMNS.index(r.lower())] = 0.0
        if p != r:
            row[_GAP if p == " " else _COLUMNS.index(p.lower())] = runner_up
        gap = np.full(_GAP + 1, UNSEEN, dtype=np.float32)
        gap[_GAP] = 0.0
        rows += [row, gap]
    return np.array(rows)


EXPIRY, BIRTH = date(2035, 8, 20), date(1966, 10, 27)
# A whole number of years before the expiry: the day itself or the day after.
CANDIDATES = [day for years in (5, 10) for day in (date(2035 - years, 8, 20), date(2035 - years, 8, 21))]


def test_dates_are_written_as_pages_print_them():
    assert renderings(date(2012, 8, 5)) == ["05 08 2012", "05 AUG 2012", "2012 08 05"]


def test_a_blurred_date_of_issue_is_spotted_where_its_characters_were_runners_up():
    lines = [
        [frames("27 0CT 1966")],  # the birth date, read right
        [frames("22 400 2005", "21 AUG 2025")],
        [frames("20 AUG 2035")],  # the expiry
    ]
    index, day, fit = spot_date(lines, CANDIDATES, [BIRTH, EXPIRY])
    assert (index, day) == (1, date(2025, 8, 21)) and -1.2 <= fit < 0


def test_a_line_read_twice_must_fit_the_date_in_both_readings():
    seen = frames("22 400 2005", "21 AUG 2025")
    assert spot_date([[seen, frames("22 400 2005", "21 AUG 2025", runner_up=-0.5)]], CANDIDATES, [BIRTH])[1] == date(2025, 8, 21)
    assert spot_date([[seen, frames("22 400 2005", "21 AUG 2025", runner_up=-6.0)]], CANDIDATES, [BIRTH]) is None


def test_no_date_is_spotted_where_the_frames_back_none_or_several():
    # The right characters barely seen: no evidence for any date.
    assert spot_date([[frames("22 400 2005", "21 AUG 2025", runner_up=-6.0)]], CANDIDATES, [BIRTH, EXPIRY]) is None
    # The expiry line fits the expiry better than any date of issue.
    assert spot_date([[frames("20 AUG 2035")]], CANDIDATES, [BIRTH, EXPIRY]) is None
    # A name, and lines without frames (another engine).
    assert spot_date([[frames("LINDSTROM")], []], CANDIDATES, [BIRTH, EXPIRY]) is None
    # Two lines each fitting a different date: which is the date of issue is unknown.
    two = [[frames("22 400 2005", "21 AUG 2025")], [frames("20 400 2030", "20 AUG 2030")]]
    assert spot_date(two, CANDIDATES, [BIRTH, EXPIRY]) is None


def test_the_field_reader_spots_the_date_of_issue_for_review_only_when_no_reading_gives_one():
    mrz = {"date_of_birth": "1966-10-27", "date_of_expiry": "2035-08-20"}
    blurred = OcrLine.plain("22 400 2005", 0.5, box=(10, 60, 200, 90))
    blurred.frames = (frames("22 400 2005", "21 AUG 2025"),)
    found = read_printed_fields([OcrLine.plain("20 AUG 2035", 0.9, box=(10, 110, 200, 140)), blurred], mrz)
    assert found["date_of_issue"].value == "2025-08-21"
    assert found["date_of_issue"].confidence < 0.5 and not found["date_of_issue"].labelled
    # A date of issue read from the text wins; so does none where the frames back none.
    read = OcrLine.plain("21 AUG 2025", 0.95, box=(10, 60, 200, 90))
    read.frames = (frames("21 AUG 2025"),)
    assert read_printed_fields([read], mrz)["date_of_issue"].confidence > 0.3
    assert "date_of_issue" not in read_printed_fields([OcrLine.plain("22 400 2005", 0.5, box=(10, 60, 200, 90))], mrz)
