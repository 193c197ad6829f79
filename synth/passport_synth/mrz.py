"""Builds machine-readable zones from a document's data (ICAO 9303 parts 4-7).

The generator's own MRZ writer, independent of the product's reader so that the benchmark
does not grade the reader against itself. Layouts are data: each format lists its fields as
(name, line, start, length), its check digits as (the digit's position, the ranges it covers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

FILLER = "<"
_CHECK_WEIGHTS = (7, 3, 1)


def char_value(char: str) -> int:
    if char == FILLER:
        return 0
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    raise ValueError(f"character {char!r} cannot appear in an MRZ")


def check_digit(text: str) -> str:
    return str(sum(char_value(c) * _CHECK_WEIGHTS[i % 3] for i, c in enumerate(text)) % 10)


@dataclass(frozen=True)
class Field:
    name: str
    line: int
    start: int
    length: int


@dataclass(frozen=True)
class Check:
    """A check digit at (line, position) computed over the concatenated (line, start, end) spans."""

    name: str
    line: int
    position: int
    spans: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class Layout:
    name: str
    line_count: int
    line_length: int
    fields: tuple[Field, ...]
    checks: tuple[Check, ...]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _two_line_layout(name: str, line_length: int, optional_length: int, composite: bool) -> Layout:
    """TD3, TD2, MRV-A and MRV-B share line 1 and the first 28 characters of line 2."""
    fields = (
        Field("document_code", 0, 0, 2),
        Field("issuing_country", 0, 2, 3),
        Field("name", 0, 5, line_length - 5),
        Field("document_number", 1, 0, 9),
        Field("nationality", 1, 10, 3),
        Field("date_of_birth", 1, 13, 6),
        Field("sex", 1, 20, 1),
        Field("date_of_expiry", 1, 21, 6),
        Field("optional_data", 1, 28, optional_length),
    )
    checks = [
        Check("document_number", 1, 9, ((1, 0, 9),)),
        Check("date_of_birth", 1, 19, ((1, 13, 19),)),
        Check("date_of_expiry", 1, 27, ((1, 21, 27),)),
    ]
    if name == "TD3":
        checks.append(Check("optional_data", 1, 42, ((1, 28, 42),)))
    if composite:
        checks.append(
            Check("composite", 1, line_length - 1, ((1, 0, 10), (1, 13, 20), (1, 21, line_length - 1)))
        )
    return Layout(name, 2, line_length, fields, tuple(checks))


LAYOUTS: dict[str, Layout] = {
    "TD3": _two_line_layout("TD3", 44, 14, composite=True),
    "TD2": _two_line_layout("TD2", 36, 7, composite=True),
    "MRVA": _two_line_layout("MRVA", 44, 16, composite=False),
    "MRVB": _two_line_layout("MRVB", 36, 8, composite=False),
    "TD1": Layout(
        "TD1",
        3,
        30,
        (
            Field("document_code", 0, 0, 2),
            Field("issuing_country", 0, 2, 3),
            Field("document_number", 0, 5, 9),
            Field("optional_data", 0, 15, 15),
            Field("date_of_birth", 1, 0, 6),
            Field("sex", 1, 7, 1),
            Field("date_of_expiry", 1, 8, 6),
            Field("nationality", 1, 15, 3),
            Field("optional_data_2", 1, 18, 11),
            Field("name", 2, 0, 30),
        ),
        (
            Check("document_number", 0, 14, ((0, 5, 14),)),
            Check("date_of_birth", 1, 6, ((1, 0, 6),)),
            Check("date_of_expiry", 1, 14, ((1, 8, 14),)),
            Check("composite", 1, 29, ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29))),
        ),
    ),
}


def pad(text: str, length: int) -> str:
    if len(text) > length:
        raise ValueError(f"{text!r} is longer than its field ({length})")
    return text + FILLER * (length - len(text))


def mrz_date(value: date) -> str:
    return value.strftime("%y%m%d")


def name_field(surname: str, given_names: str, length: int) -> str:
    """SURNAME<<GIVEN<NAMES cut to the field: the MRZ simply truncates what does not fit."""
    text = surname.replace(" ", FILLER)
    if given_names:
        text += FILLER * 2 + given_names.replace(" ", FILLER)
    return pad(text[:length], length)


def split_name_field(field_text: str) -> tuple[str, str]:
    """How a reader sees a name field: the surname before the first '<<', the rest given names."""
    surname, _, given = field_text.partition(FILLER * 2)
    return surname.replace(FILLER, " ").strip(), given.replace(FILLER, " ").strip()


@dataclass(frozen=True)
class MrzData:
    """What goes into an MRZ, already in MRZ characters (transliterated, upper case)."""

    doc_format: str
    document_code: str  # one or two letters, e.g. 'P', 'ID', 'V'
    issuing_country: str  # 'D', 'UTO', 'GBR'...
    surname: str  # words separated by spaces
    given_names: str
    document_number: str  # may be longer than 9 only in TD1 (ICAO overflow)
    nationality: str
    date_of_birth: date
    sex: str  # 'M', 'F' or 'X' (written '<')
    date_of_expiry: date
    optional_data: str = ""
    optional_data_2: str = ""  # TD1 line 2 only
    # TD3 with no personal number: states print '<' or '0' as its check digit.
    empty_optional_check: str = FILLER


def build_mrz(data: MrzData) -> list[str]:
    layout = LAYOUTS[data.doc_format]
    lines = [[FILLER] * layout.line_length for _ in range(layout.line_count)]

    def put(name: str, text: str) -> None:
        spec = layout.field(name)
        lines[spec.line][spec.start : spec.start + spec.length] = pad(text, spec.length)

    put("document_code", data.document_code)
    put("issuing_country", data.issuing_country)
    put("name", name_field(data.surname, data.given_names, layout.field("name").length))
    put("nationality", data.nationality)
    put("date_of_birth", mrz_date(data.date_of_birth))
    put("sex", data.sex if data.sex in ("M", "F") else FILLER)
    put("date_of_expiry", mrz_date(data.date_of_expiry))
    optional = data.optional_data
    number = data.document_number
    if len(number) > 9:
        if data.doc_format != "TD1":
            raise ValueError("only TD1 carries document numbers longer than 9 characters")
        # ICAO overflow: the number's check digit moves after its tail in the optional data,
        # and the usual check digit position holds a filler.
        optional = number[9:] + check_digit(number) + FILLER + optional
        number = number[:9]
    put("document_number", number)
    put("optional_data", optional)
    if data.doc_format == "TD1":
        put("optional_data_2", data.optional_data_2)

    texts = ["".join(line) for line in lines]
    for check in layout.checks:
        covered = "".join(texts[line][start:end] for line, start, end in check.spans)
        digit = check_digit(covered)
        if check.name == "document_number" and len(data.document_number) > 9:
            digit = FILLER
        elif check.name == "optional_data" and not covered.strip(FILLER):
            digit = data.empty_optional_check
        row = list(texts[check.line])
        row[check.position] = digit
        texts[check.line] = "".join(row)
    return texts


def verify_mrz(lines: list[str], doc_format: str) -> list[str]:
    """Names of the check digits that do not match (empty when the MRZ is consistent)."""
    layout = LAYOUTS[doc_format]
    failing = []
    for check in layout.checks:
        printed = lines[check.line][check.position]
        covered = "".join(lines[line][start:end] for line, start, end in check.spans)
        if printed == FILLER and check.name == "document_number" and doc_format == "TD1":
            continue  # overflow: the number's check digit is in the optional data
        if printed == FILLER and check.name == "optional_data" and not covered.strip(FILLER):
            continue
        if printed != check_digit(covered):
            failing.append(check.name)
    return failing
