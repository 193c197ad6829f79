"""The ICAO 9303 MRZ layouts, each written once as data.

A layout lists its fields (line, start, length, kind, covering check) and its check digits
(where the digit is printed and which character ranges it covers). Parsing, alignment,
correction and validation all walk these tables; nothing else knows a position.

Kinds:
  code     document code: letters, second position may be a filler
  country  issuing state / nationality: letters and fillers
  name     primary and secondary identifiers: letters and fillers
  alnum    document number and optional data: letters, digits, fillers
  date     YYMMDD: digits only
  sex      M, F, X or '<'
  digit    a check digit
"""

from __future__ import annotations

from dataclasses import dataclass

DIGIT_KINDS = frozenset({"date", "digit"})
LETTER_KINDS = frozenset({"code", "country", "name", "sex"})


@dataclass(frozen=True)
class FieldSpec:
    name: str
    line: int
    start: int
    length: int
    kind: str
    check: str | None = None  # the check digit that covers this field alone, if any

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass(frozen=True)
class CheckSpec:
    """One check digit printed at (line, position) over `segments` [(line, start, end)]."""

    name: str
    line: int
    position: int
    segments: tuple[tuple[int, int, int], ...]
    # TD3's personal-number check digit may be '<' when the personal number is all fillers.
    filler_allowed: bool = False


@dataclass(frozen=True)
class Layout:
    name: str  # TD1, TD2, TD3, MRVA, MRVB
    line_count: int
    line_length: int
    fields: tuple[FieldSpec, ...]
    checks: tuple[CheckSpec, ...]
    composite: str | None = None  # name of the check that covers the others
    # Optional-data field that carries the rest of a document number longer than 9
    # characters (check digit position then holds '<'), or None when the format has none.
    overflow_field: str | None = None

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)

    def check(self, name: str) -> CheckSpec:
        return next(c for c in self.checks if c.name == name)


def _two_line_top(length: int) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("document_code", 0, 0, 2, "code"),
        FieldSpec("issuing_country", 0, 2, 3, "country"),
        FieldSpec("name", 0, 5, length - 5, "name"),
    )


def _two_line_bottom(optional_name: str, optional_length: int, optional_check: bool) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("document_number", 1, 0, 9, "alnum", "document_number"),
        FieldSpec("nationality", 1, 10, 3, "country"),
        FieldSpec("date_of_birth", 1, 13, 6, "date", "date_of_birth"),
        FieldSpec("sex", 1, 20, 1, "sex"),
        FieldSpec("date_of_expiry", 1, 21, 6, "date", "date_of_expiry"),
        FieldSpec(optional_name, 1, 28, optional_length, "alnum", optional_name if optional_check else None),
    )


def _two_line_checks() -> tuple[CheckSpec, ...]:
    return (
        CheckSpec("document_number", 1, 9, ((1, 0, 9),)),
        CheckSpec("date_of_birth", 1, 19, ((1, 13, 19),)),
        CheckSpec("date_of_expiry", 1, 27, ((1, 21, 27),)),
    )


TD3 = Layout(
    name="TD3",
    line_count=2,
    line_length=44,
    fields=_two_line_top(44) + _two_line_bottom("personal_number", 14, optional_check=True),
    checks=_two_line_checks()
    + (
        CheckSpec("personal_number", 1, 42, ((1, 28, 42),), filler_allowed=True),
        CheckSpec("composite", 1, 43, ((1, 0, 10), (1, 13, 20), (1, 21, 43))),
    ),
    composite="composite",
)

TD2 = Layout(
    name="TD2",
    line_count=2,
    line_length=36,
    fields=_two_line_top(36) + _two_line_bottom("optional_data", 7, optional_check=False),
    checks=_two_line_checks() + (CheckSpec("composite", 1, 35, ((1, 0, 10), (1, 13, 20), (1, 21, 35))),),
    composite="composite",
    overflow_field="optional_data",
)

MRVA = Layout(
    name="MRVA",
    line_count=2,
    line_length=44,
    fields=_two_line_top(44) + _two_line_bottom("optional_data", 16, optional_check=False),
    checks=_two_line_checks(),
)

MRVB = Layout(
    name="MRVB",
    line_count=2,
    line_length=36,
    fields=_two_line_top(36) + _two_line_bottom("optional_data", 8, optional_check=False),
    checks=_two_line_checks(),
)

TD1 = Layout(
    name="TD1",
    line_count=3,
    line_length=30,
    fields=(
        FieldSpec("document_code", 0, 0, 2, "code"),
        FieldSpec("issuing_country", 0, 2, 3, "country"),
        FieldSpec("document_number", 0, 5, 9, "alnum", "document_number"),
        FieldSpec("optional_data", 0, 15, 15, "alnum"),
        FieldSpec("date_of_birth", 1, 0, 6, "date", "date_of_birth"),
        FieldSpec("sex", 1, 7, 1, "sex"),
        FieldSpec("date_of_expiry", 1, 8, 6, "date", "date_of_expiry"),
        FieldSpec("nationality", 1, 15, 3, "country"),
        FieldSpec("optional_data_2", 1, 18, 11, "alnum"),
        FieldSpec("name", 2, 0, 30, "name"),
    ),
    checks=(
        CheckSpec("document_number", 0, 14, ((0, 5, 14),)),
        CheckSpec("date_of_birth", 1, 6, ((1, 0, 6),)),
        CheckSpec("date_of_expiry", 1, 14, ((1, 8, 14),)),
        CheckSpec("composite", 1, 29, ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29))),
    ),
    composite="composite",
    overflow_field="optional_data",
)

LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (TD1, TD2, TD3, MRVA, MRVB)}
LINE_LENGTHS = (30, 36, 44)


def layouts_for(line_count: int, line_length: int, first_char: str) -> list[Layout]:
    """Layouts with this shape; a leading 'V' means a visa (MRV), anything else a TD."""
    shaped = [l for l in LAYOUTS.values() if l.line_count == line_count and l.line_length == line_length]
    visa = [l for l in shaped if l.name.startswith("MRV")]
    other = [l for l in shaped if not l.name.startswith("MRV")]
    return (visa + other) if first_char == "V" else (other + visa)


def position_kinds(layout: Layout) -> list[list[str]]:
    """Kind of every position, line by line ('filler' where no field or check sits)."""
    kinds = [["filler"] * layout.line_length for _ in range(layout.line_count)]
    for spec in layout.fields:
        for pos in range(spec.start, spec.end):
            kinds[spec.line][pos] = spec.kind
    for check in layout.checks:
        kinds[check.line][check.position] = "digit"
    return kinds
