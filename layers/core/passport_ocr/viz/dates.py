"""Printed dates of the visual zone: '12 AUG 2012', '12.08.2012', '20 Juin/Jun 1978', '16 APR/AVR 07'.

Month names are data (several languages; prefixes of three letters or more are accepted when
they name one month only). A two-digit year is returned as such: its century is decided by
the caller, which knows the MRZ dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .labels import fold

# month number -> full names (folded: lowercase, no accents) in EN, FR, DE, ES, IT, PT, NL,
# PL, CS, SV/NO/DA, FI, HU, RO, TR, HR.
MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "janvier", "januar", "enero", "gennaio", "janeiro", "januari", "styczen", "stycznia",
        "leden", "januar", "tammikuu", "januar", "ianuarie", "ocak", "sijecanj"),
    2: ("february", "fevrier", "februar", "febrero", "febbraio", "fevereiro", "februari", "luty", "lutego",
        "unor", "februari", "helmikuu", "februar", "februarie", "subat", "veljaca"),
    3: ("march", "mars", "marz", "marzo", "marco", "maart", "marzec", "marca", "brezen", "mars",
        "maaliskuu", "marcius", "martie", "mart", "ozujak"),
    4: ("april", "avril", "abril", "aprile", "kwiecien", "kwietnia", "duben", "huhtikuu", "aprilis",
        "aprilie", "nisan", "travanj"),
    5: ("may", "mai", "mayo", "maggio", "maio", "mei", "maj", "maja", "kveten", "toukokuu", "majus",
        "mayis", "svibanj"),
    6: ("june", "juin", "juni", "junio", "giugno", "junho", "czerwiec", "czerwca", "cerven", "kesakuu",
        "junius", "iunie", "haziran", "lipanj"),
    7: ("july", "juillet", "juli", "julio", "luglio", "julho", "lipiec", "lipca", "cervenec", "heinakuu",
        "julius", "iulie", "temmuz", "srpanj"),
    8: ("august", "aout", "agosto", "augustus", "sierpien", "sierpnia", "srpen", "augusti", "elokuu",
        "augusztus", "august", "agustos", "kolovoz"),
    9: ("september", "septembre", "septiembre", "settembre", "setembro", "wrzesien", "wrzesnia", "zari",
        "syyskuu", "szeptember", "septembrie", "eylul", "rujan"),
    10: ("october", "octobre", "oktober", "octubre", "ottobre", "outubro", "pazdziernik", "pazdziernika",
         "rijen", "lokakuu", "oktober", "octombrie", "ekim", "listopad"),
    11: ("november", "novembre", "noviembre", "novembro", "listopada", "marraskuu", "noiembrie", "kasim",
         "studeni"),
    12: ("december", "decembre", "dezember", "diciembre", "dicembre", "dezembro", "grudzien", "grudnia",
         "prosinec", "joulukuu", "decembrie", "aralik", "prosinac"),
}
# The usual printed abbreviations. They win over prefix guessing, which gives up when a
# prefix starts names of two months ('mar': March in most languages, 'marraskuu' November
# in Finnish).
MONTH_ABBREVIATIONS: dict[str, int] = {
    # English / ICAO
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    # French, German, Dutch
    "janv": 1, "fev": 2, "fevr": 2, "avr": 4, "mai": 5, "juin": 6, "juil": 7, "aout": 8, "mrz": 3,
    "okt": 10, "dez": 12, "mrt": 3, "mei": 5,
    # Spanish, Italian, Portuguese
    "ene": 1, "abr": 4, "ago": 8, "set": 9, "dic": 12, "gen": 1, "mag": 5, "giu": 6, "lug": 7, "ott": 10,
    "out": 10,
    # Polish
    "sty": 1, "lut": 2, "kwi": 4, "maj": 5, "cze": 6, "lip": 7, "sie": 8, "wrz": 9, "paz": 10, "lis": 11,
    "gru": 12,
}
# 'listopad' is November in Polish and Czech but October in Croatian: Polish/Czech passports
# are far more common in our inputs, so it means November.
_MONTH_OVERRIDES = {"listopad": 11}


def _month_lookup() -> dict[str, int]:
    by_prefix: dict[str, set[int]] = {}
    for number, names in MONTH_NAMES.items():
        for name in names:
            for size in range(3, len(name) + 1):
                by_prefix.setdefault(name[:size], set()).add(number)
    table = {prefix: next(iter(numbers)) for prefix, numbers in by_prefix.items() if len(numbers) == 1}
    for number, names in MONTH_NAMES.items():  # a full name always counts, even if it prefixes another
        for name in names:
            table.setdefault(name, number)
    table.update(MONTH_ABBREVIATIONS)
    table.update(_MONTH_OVERRIDES)
    return table


MONTHS: dict[str, int] = _month_lookup()


# Digits a recogniser reads for the letters of a month name on a rough print ('0CT', 'N0V',
# 'AU6', 'FE8'): a month word holds no digit, so each stands for the letters it resembles.
_DIGIT_LETTERS = {"0": "o", "1": "il", "5": "s", "6": "g", "8": "b"}


def month_number(word: str) -> int | None:
    """1-12 for a month name or abbreviation in any language of the table, else None; digits
    in the word are read as the letters they resemble (_DIGIT_LETTERS) when that names one
    month only."""
    folded = fold(word).strip(".")
    spellings = [""]
    for char in folded:
        spellings = [s + letter for s in spellings for letter in _DIGIT_LETTERS.get(char, char)]
    months = {MONTHS[spelling] for spelling in spellings if spelling in MONTHS}
    return months.pop() if len(months) == 1 else None


@dataclass(frozen=True)
class PrintedDate:
    """A date as printed. `year` has `year_digits` digits (2 means the century is unknown)."""

    day: int
    month: int
    year: int
    year_digits: int
    start: int  # character span in the line it was found in
    end: int

    def candidates(self) -> list[date]:
        """The real dates this can be: one for a four-digit year, 1900s and 2000s for two digits."""
        years = [self.year] if self.year_digits == 4 else [1900 + self.year, 2000 + self.year]
        out = []
        for year in years:
            try:
                out.append(date(year, self.month, self.day))
            except ValueError:
                pass
        return out


# Three to ten letters, at least two of them read as letters (the others may be digits of
# _DIGIT_LETTERS, misread letters).
_MONTH_WORD = r"(?=(?:[01568]*[^\W\d_]){2})(?:[^\W\d_]|[01568]){3,10}\.?"
# A month in two languages may have one of its words cut to a letter or two by a rough print
# ('17 JA /JAN 85'): the other word names the month.
_CUT_WORD = r"[^\W\d_]{1,2}"
# The slash between two languages read as a letter like it and glued to the second word
# ('14 JAN /JAN 13' read '14 JAN LJAN 13'): only where the rest of that word names the
# month too (_group_month).
_SLASH_AS_LETTER = r"\s+[lLIi|!](?=[^\W\d_]{3})"
# Between the words of a month in two languages.
_LANGUAGE_SLASH = re.compile(r"\s*[/|]\s*")
_MONTH_GROUP = (
    rf"(?:{_CUT_WORD}\s*[/|]\s*)?{_MONTH_WORD}(?:(?:\s*[/|]\s*|{_SLASH_AS_LETTER}){_MONTH_WORD})*"
    rf"(?:\s*[/|]\s*{_CUT_WORD}(?![^\W\d_]))?"
)
_YEAR = r"\d{4}|\d{2}"
_SEP = r"\s*[\s.\-/,]?\s*"
# Between the numbers of a date read from a blurred print: any separator, or a comma or colon
# where a dot is printed.
_BLURRED_SEP = r"\s?[./\-\s,:]\s?"
_PATTERNS = (
    # 12 AUG 2012, 20 Juin/Jun 1978, 12AUG12, 16 APR/AVR 07
    ("dmy_word", re.compile(rf"(?<!\d)(\d{{1,2}}){_SEP}({_MONTH_GROUP}){_SEP}({_YEAR})(?!\d)")),
    # AUG 12, 2012
    ("mdy_word", re.compile(rf"(?<![^\W\d_])({_MONTH_GROUP})\s*(\d{{1,2}}),?\s+(\d{{4}})(?!\d)")),
    # 2012-08-12
    ("ymd", re.compile(r"(?<!\d)(\d{4})\s?[-./]\s?(\d{1,2})\s?[-./]\s?(\d{1,2})(?!\d)")),
    # 12.08.2012, 12/08/12, 12 08 2012
    ("dmy", re.compile(r"(?<!\d)(\d{1,2})\s?([./\-]|\s)\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?!\d)")),
    # 07 11.2019, 12.08 2012, 22.02,2008, 21:08.2006: a blurred separator read as another
    # one, as a space, or a dot as a comma or colon (a speck of ink or JPEG noise beside it);
    # the four-digit year keeps this from matching runs of numbers
    ("dmy_mixed", re.compile(rf"(?<!\d)(\d{{1,2}}){_BLURRED_SEP}(\d{{1,2}}){_BLURRED_SEP}(\d{{4}})(?!\d)")),
    # 2021 01-04: an ISO-style date with a blurred separator read as another one (or as a
    # space); the century digits keep this from matching runs of numbers
    ("ymd_mixed", re.compile(rf"(?<!\d)((?:19|20)\d{{2}}){_BLURRED_SEP}(\d{{1,2}}){_BLURRED_SEP}(\d{{1,2}})(?!\d)")),
    # 2020.0608: one separator of an ISO-style date lost
    ("ymd_one_sep", re.compile(r"(?<!\d)((?:19|20)\d{2})(?:[-./]?(\d{2})[-./](\d{2})|[-./](\d{2})(\d{2}))(?!\d)")),
    # 01 01 03 read with a space lost ('01 0103'), printed as 010103, or with a speck read as
    # a separator ('0101:03'): only as a whole value
    ("dmy_compact", re.compile(r"^\s*(\d{2})\s?[.,:]?\s?(\d{2})\s?[.,:]?\s?(\d{4}|\d{2})\s*$")),
)


# A day, then one to four characters that are no month, then a year, separated as dates are:
# a date whose month was misread past parsing ('25.58.2026', '21 A0 2025').
DAY_SOMETHING_YEAR = re.compile(r"(\d{1,2})[\s.\-/,]+([^\s.\-/,]{1,4})[\s.\-/,]+(\d{4}|\d{2})")


def _group_month(group: str) -> int | None:
    if re.search(_SLASH_AS_LETTER, group):
        words = re.split(_SLASH_AS_LETTER, group)
        months = {month_number(_LANGUAGE_SLASH.split(word)[-1]) for word in words}
        # Both sides must name the same month: 'JAN LONDON' is no month in two languages.
        return months.pop() if len(months) == 1 and None not in months else None
    parts = _LANGUAGE_SLASH.split(group)
    for part in parts:
        number = month_number(part)
        if number:
            return number
    # The slash between two languages lost ('JUIN/JUN' read 'JUINUN'): the month the word
    # begins with, its longest leading name of three letters or more.
    for part in parts:
        for size in range(len(part) - 1, 2, -1):
            number = month_number(part[:size])
            if number:
                return number
    return None


def _make(day: int, month: int, year: str, start: int, end: int) -> PrintedDate | None:
    result = PrintedDate(day, month, int(year), len(year), start, end)
    return result if result.candidates() else None


def find_dates(text: str) -> list[PrintedDate]:
    """Every date printed in `text`, left to right, no two overlapping."""
    found: list[PrintedDate] = []

    def free(start: int, end: int) -> bool:
        return all(end <= d.start or start >= d.end for d in found)

    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            parsed = None
            if kind == "dmy_word":
                month = _group_month(m.group(2))
                parsed = month and _make(int(m.group(1)), month, m.group(3), m.start(), m.end())
            elif kind == "mdy_word":
                month = _group_month(m.group(1))
                parsed = month and _make(int(m.group(2)), month, m.group(3), m.start(), m.end())
            elif kind in ("ymd", "ymd_mixed"):
                parsed = _make(int(m.group(3)), int(m.group(2)), m.group(1), m.start(), m.end())
            elif kind == "ymd_one_sep":
                month, day = (m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5))
                parsed = _make(int(day), int(month), m.group(1), m.start(), m.end())
            elif kind in ("dmy_compact", "dmy_mixed"):
                parsed = _make(int(m.group(1)), int(m.group(2)), m.group(3), m.start(), m.end())
            else:
                first, second = int(m.group(1)), int(m.group(3))
                # Day first is the norm on travel documents; month first only when forced.
                day, month = (second, first) if second > 12 >= first else (first, second)
                parsed = _make(day, month, m.group(4), m.start(), m.end())
            if parsed:
                found.append(parsed)
    return sorted(found, key=lambda d: d.start)
