"""Evaluating a layout's check digits on fixed-length lines, incl. the overflowing number."""

from __future__ import annotations

from dataclasses import dataclass

from ..record import MrzCheck
from .checkdigit import WEIGHTS, char_value, check_digit
from .formats import CheckSpec, Layout


@dataclass(frozen=True)
class Overflow:
    """A document number longer than 9 characters continued in an optional-data field."""

    continuation: str  # the characters after the first nine
    check_position: tuple[int, int]  # (line, position) of its check digit
    optional_start: int  # where the optional data proper starts after the number


def find_overflow(layout: Layout, texts: list[str]) -> Overflow | None:
    """ICAO 9303 overflow: check-digit position holds '<', the number goes on in optional data."""
    if layout.overflow_field is None:
        return None
    number_check = layout.check("document_number")
    if texts[number_check.line][number_check.position] != "<":
        return None
    spec = layout.field(layout.overflow_field)
    optional = texts[spec.line][spec.start : spec.end]
    end = optional.find("<")
    end = len(optional) if end < 0 else end
    if end < 2:  # at least one more character and its check digit
        return None
    return Overflow(optional[: end - 1], (spec.line, spec.start + end - 1), spec.start + end)


def effective_checks(layout: Layout, texts: list[str]) -> list[CheckSpec]:
    """The layout's checks, with the document-number check moved when the number overflows."""
    overflow = find_overflow(layout, texts)
    if overflow is None:
        return list(layout.checks)
    number = layout.field("document_number")
    spec = layout.field(layout.overflow_field)
    line, position = overflow.check_position
    moved = CheckSpec(
        "document_number",
        line,
        position,
        ((number.line, number.start, number.end), (spec.line, spec.start, position)),
    )
    return [moved if c.name == "document_number" else c for c in layout.checks]


def covered_positions(check: CheckSpec) -> list[tuple[int, int]]:
    return [(line, pos) for line, start, end in check.segments for pos in range(start, end)]


def position_weights(check: CheckSpec) -> dict[tuple[int, int], int]:
    return {position: WEIGHTS[i % 3] for i, position in enumerate(covered_positions(check))}


def evaluate(check: CheckSpec, texts: list[str]) -> MrzCheck:
    covered = "".join(texts[line][start:end] for line, start, end in check.segments)
    printed = texts[check.line][check.position]
    try:
        computed = check_digit(covered)
    except ValueError:
        return MrzCheck(check.name, printed, "?", False)
    if check.filler_allowed and set(covered) <= {"<"}:
        return MrzCheck(check.name, printed, computed, printed in ("<", "0"))
    return MrzCheck(check.name, printed, computed, printed == computed)


def digit_value(char: str) -> int | None:
    return int(char) if char.isdigit() else None


_VALUES = {c: char_value(c) for c in "<0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def weighted_value(char: str) -> int:
    """char_value, with 0 for a character that is not MRZ text (it fails elsewhere)."""
    return _VALUES.get(char, 0)
