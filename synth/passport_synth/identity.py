"""Random document holders and their documents: everything the page prints and the MRZ encodes."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import date, timedelta

from . import data
from .mrz import LAYOUTS, MrzData, build_mrz, split_name_field
from .translit import to_mrz

# Documents are generated relative to a fixed day so that a seed always gives the same set;
# the benchmark hands the same day to the reader ("today" decides centuries and expiry).
REFERENCE_DATE = date(2026, 11, 1)

FORMAT_KIND = {"TD3": "passport", "TD2": "id", "TD1": "id", "MRVA": "visa", "MRVB": "visa"}
# (document code, weight) per format; the code's first letter is the document type.
_DOCUMENT_CODES = {
    "TD3": (("P", 90), ("PD", 4), ("PO", 3), ("PS", 3)),
    "TD2": (("I", 50), ("ID", 30), ("IR", 20)),
    "TD1": (("ID", 50), ("I", 25), ("IR", 15), ("AC", 10)),
    "MRVA": (("V", 100),),
    "MRVB": (("V", 100),),
}


@dataclass(frozen=True)
class Document:
    """One generated document: the printed (visual zone) values and the MRZ lines."""

    doc_format: str
    issuing_state: data.State
    nationality_state: data.State
    document_code: str
    printed_surname: str  # national spelling, untruncated, as printed
    printed_given_names: str
    mrz_surname: str  # transliterated, untruncated
    mrz_given_names: str
    document_number: str
    date_of_birth: date
    sex: str
    date_of_issue: date
    date_of_expiry: date
    personal_number: str | None
    place_of_birth: str | None
    authority: str | None
    mrz_lines: tuple[str, ...]

    @property
    def kind(self) -> str:
        return FORMAT_KIND[self.doc_format]

    def truth(self) -> dict:
        """The record an ideal reader returns: MRZ names as the MRZ writes them (truncated)."""
        name_spec = LAYOUTS[self.doc_format].field("name")
        name_text = self.mrz_lines[name_spec.line][name_spec.start : name_spec.start + name_spec.length]
        surname, given_names = split_name_field(name_text)
        return {
            "document_type": self.document_code[0],
            "document_code": self.document_code,
            "issuing_country": self.issuing_state.code,
            "surname": surname,
            "given_names": given_names,
            "document_number": self.document_number,
            "nationality": self.nationality_state.code,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex,
            "date_of_expiry": self.date_of_expiry.isoformat(),
            "date_of_issue": self.date_of_issue.isoformat(),
            "personal_number": self.personal_number,
            "place_of_birth": self.place_of_birth,
            "authority": self.authority,
            "mrz": list(self.mrz_lines),
            "full_surname": self.printed_surname,
            "full_given_names": self.printed_given_names,
            # The same untruncated names in MRZ letters (this state's transliteration): what a
            # reader that completes a cut MRZ name from the printed page should return.
            "full_surname_mrz": self.mrz_surname,
            "full_given_names_mrz": self.mrz_given_names,
            "format": self.doc_format,
        }


def _weighted(rng: random.Random, options) -> str:
    values, weights = zip(*options)
    return rng.choices(values, weights=weights)[0]


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


def _random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _document_number(rng: random.Random, doc_format: str) -> str:
    digits, letters = string.digits, string.ascii_uppercase
    alnum = letters.replace("O", "").replace("I", "") + digits
    style = rng.randrange(6)
    if doc_format == "TD1" and rng.random() < 0.06:
        # Longer than the 9-character field: exercises the ICAO TD1 overflow rule.
        return "".join(rng.choice(alnum) for _ in range(rng.randint(10, 12)))
    if style == 0:
        return "".join(rng.choice(letters) for _ in range(2)) + "".join(rng.choice(digits) for _ in range(7))
    if style == 1:
        return rng.choice(letters) + "".join(rng.choice(digits) for _ in range(8))
    if style == 2:
        return "".join(rng.choice(digits) for _ in range(9))
    if style == 3:  # 8 characters: the MRZ pads the field with '<'
        return "".join(rng.choice(alnum) for _ in range(8))
    if style == 4:
        return rng.choice(letters) + "".join(rng.choice(digits) for _ in range(7))
    return "".join(rng.choice(alnum) for _ in range(9))


def _personal_number(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "".join(rng.choice(string.digits) for _ in range(rng.choice((8, 10, 11, 14))))
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(rng.randint(6, 12)))


def _name(rng: random.Random, pool: dict[str, tuple[str, ...]], kind: str, long: bool) -> str:
    """One surname or a set of given names; `long` strings several together (truncation cases)."""
    count = rng.randint(2, 4) if long else (1 if kind == "surname" or rng.random() < 0.6 else 2)
    chosen = rng.sample(pool[kind], k=min(count, len(pool[kind])))
    if kind == "surname" and len(chosen) > 1:
        return rng.choice((" ", "-")).join(chosen)
    return " ".join(chosen)


def random_document(rng: random.Random, doc_format: str) -> Document:
    if doc_format not in LAYOUTS:
        raise ValueError(f"unknown document format {doc_format!r}: use one of {sorted(LAYOUTS)}")
    issuing = rng.choice(data.STATES)
    document_code = _weighted(rng, _DOCUMENT_CODES[doc_format])
    foreigner = FORMAT_KIND[doc_format] == "visa" or document_code == "IR"
    nationality = rng.choice([s for s in data.STATES if s != issuing]) if foreigner else issuing
    pool = data.NAMES[nationality.names]

    name_length = LAYOUTS[doc_format].field("name").length
    long_name = rng.random() < 0.2
    while True:
        printed_surname = _name(rng, pool, "surname", long_name and rng.random() < 0.5)
        printed_given = _name(rng, pool, "given", long_name)
        mrz_surname = to_mrz(printed_surname, nationality.expand_umlauts)
        mrz_given = to_mrz(printed_given, nationality.expand_umlauts)
        # A reader cannot tell a surname from given names cut off entirely: keep one letter.
        if len(mrz_surname) + 3 <= name_length:
            break
        long_name = False

    # Most holders are adults; a third are drawn from 1920-2024 so that centuries get ambiguous
    # (born '24': 1924 or 2024?) as often as a reader must be ready for.
    if rng.random() < 0.35:
        date_of_birth = _random_day(rng, date(1920, 1, 1), date(2024, 12, 31))
    else:
        date_of_birth = _random_day(rng, date(1945, 1, 1), date(2008, 12, 31))
    expired = rng.random() < 0.15
    latest_issue = min(REFERENCE_DATE, add_years(REFERENCE_DATE, -6) if expired else REFERENCE_DATE)
    earliest_issue = max(date_of_birth + timedelta(days=30), add_years(REFERENCE_DATE, -25 if expired else -10))
    if earliest_issue > latest_issue:
        earliest_issue = latest_issue = max(date_of_birth + timedelta(days=30), min(REFERENCE_DATE, latest_issue))
    date_of_issue = _random_day(rng, earliest_issue, latest_issue)
    minor = (date_of_issue - date_of_birth).days < 18 * 365
    validity_years = 5 if minor or FORMAT_KIND[doc_format] == "visa" or rng.random() < 0.3 else 10
    date_of_expiry = add_years(date_of_issue, validity_years)
    if rng.random() < 0.5:
        date_of_expiry -= timedelta(days=1)  # many states: valid until the day before the anniversary

    sex = _weighted(rng, (("M", 48), ("F", 48), ("X", 4)))
    document_number = _document_number(rng, doc_format)
    personal_number = _personal_number(rng) if doc_format == "TD3" and rng.random() < 0.4 else None
    optional_data = personal_number or ""
    optional_data_2 = ""
    if doc_format == "TD1" and rng.random() < 0.4 and len(document_number) <= 9:
        optional_data = _personal_number(rng)[:15]
    is_visa = FORMAT_KIND[doc_format] == "visa"
    place_of_birth = None if is_visa else rng.choice(data.PLACES[nationality.names])
    authority = None if is_visa else rng.choice(data.AUTHORITIES[issuing.names])
    # Most states print the visual zone in capitals (accents kept); some use mixed case.
    # The truth holds the values exactly as printed.
    if rng.random() < 0.7:
        printed_surname, printed_given = printed_surname.upper(), printed_given.upper()
        place_of_birth = place_of_birth.upper() if place_of_birth else None
        authority = authority.upper() if authority else None
    elif rng.random() < 0.5:
        printed_surname = printed_surname.upper()  # surname in capitals, the rest mixed

    mrz_lines = build_mrz(
        MrzData(
            doc_format=doc_format,
            document_code=document_code,
            issuing_country=issuing.code,
            surname=mrz_surname,
            given_names=mrz_given,
            document_number=document_number,
            nationality=nationality.code,
            date_of_birth=date_of_birth,
            sex=sex,
            date_of_expiry=date_of_expiry,
            optional_data=optional_data,
            optional_data_2=optional_data_2,
            empty_optional_check=rng.choice(("<", "0")),
        )
    )
    return Document(
        doc_format=doc_format,
        issuing_state=issuing,
        nationality_state=nationality,
        document_code=document_code,
        printed_surname=printed_surname,
        printed_given_names=printed_given,
        mrz_surname=mrz_surname,
        mrz_given_names=mrz_given,
        document_number=document_number,
        date_of_birth=date_of_birth,
        sex=sex,
        date_of_issue=date_of_issue,
        date_of_expiry=date_of_expiry,
        personal_number=personal_number,
        place_of_birth=place_of_birth,
        authority=authority,
        mrz_lines=tuple(mrz_lines),
    )
