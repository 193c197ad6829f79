"""MRZ dates (YYMMDD) to calendar dates: the century is not printed, so it is decided here.

Birth: the latest century that puts the date on or before today, at most MAX_AGE_YEARS ago.
When the century before that is also possible for a living person (they would be younger
than AMBIGUOUS_OLDEST_AGE), the birth century is ambiguous: e.g. '120301' read in 2026 is
either a 14-year-old (2012) or a 114-year-old (1912). The caller flags it.

A document cannot expire before its holder is born: when the expiry date is known, a birth
century after it is ruled out, and the holder's age for the ambiguity is taken at the
expiry of a document that has expired.

Expiry: the century that puts the date within [today - EXPIRY_PAST_YEARS, today +
EXPIRY_FUTURE_YEARS); that window is 100 years wide, so exactly one century fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MAX_AGE_YEARS = 120
AMBIGUOUS_OLDEST_AGE = 115
EXPIRY_PAST_YEARS = 80
EXPIRY_FUTURE_YEARS = 20


def parse_yymmdd(text: str) -> tuple[int, int, int] | None:
    """(yy, month, day) when `text` is six digits of a date that exists in some century."""
    if len(text) != 6 or not text.isdigit():
        return None
    yy, month, day = int(text[:2]), int(text[2:4]), int(text[4:])
    # Feb 29 exists in a leap year of one of the candidate centuries (yy % 4 == 0 works for
    # 1900..2099 except 1900, which is long past for both fields).
    try:
        date(2000 + yy, month, day)
    except ValueError:
        return None
    return yy, month, day


def _years_between(earlier: date, later: date) -> int:
    years = later.year - earlier.year
    if (later.month, later.day) < (earlier.month, earlier.day):
        years -= 1
    return years


def _in_century(yy: int, month: int, day: int, century: int) -> date | None:
    try:
        return date(century + yy, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class BirthDate:
    value: date | None
    ambiguous_century: bool = False
    in_future: bool = False


def birth_date(text: str, today: date, expiry: date | None = None) -> BirthDate:
    """The birth date of MRZ `text`; `expiry`, when known, rules out a holder born after
    their document expires (born '23' on a document that expired in 2022: 1923)."""
    parsed = parse_yymmdd(text)
    if parsed is None:
        return BirthDate(None)
    candidates = [d for c in (2000, 1900, 1800) if (d := _in_century(*parsed, c)) is not None]
    past = [d for d in candidates if d <= today and _years_between(d, today) <= MAX_AGE_YEARS]
    if expiry is not None and any(d < expiry for d in past):
        past = [d for d in past if d < expiry]
    if not past:
        return BirthDate(None, in_future=True)
    chosen = max(past)
    older = _in_century(parsed[0], parsed[1], parsed[2], (chosen.year // 100 - 1) * 100)
    # The holder was alive while the document was valid: an expired one is judged at its
    # expiry (born 1911, on a passport that expired in 2012, was 101 then, not 115 now).
    lived_until = min(today, expiry) if expiry is not None else today
    ambiguous = older is not None and _years_between(older, lived_until) < AMBIGUOUS_OLDEST_AGE
    return BirthDate(chosen, ambiguous_century=ambiguous)


def expiry_date(text: str, today: date) -> date | None:
    parsed = parse_yymmdd(text)
    if parsed is None:
        return None
    earliest = _add_years(today, -EXPIRY_PAST_YEARS)
    latest = _add_years(today, EXPIRY_FUTURE_YEARS)
    for century in (1900, 2000, 2100):
        candidate = _in_century(*parsed, century)
        if candidate is not None and earliest <= candidate < latest:
            return candidate
    return None


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # Feb 29 in a year without one
        return day.replace(year=day.year + years, day=28)
