"""Choosing among several readings of one MRZ (other crops, binarised, wider characters).

The first reading that every check accepts with nothing in doubt ends the search. A reading
that passes the checks but leaves a field in doubt (a low-confidence name, an ambiguous
correction, a filler inserted to fit the line length) is kept while cheaper-to-trust
readings are sought: another crop often reads the doubtful characters plainly. Of the
readings seen, the valid one with the fewest doubtful fields wins, and any field on which
another valid reading of the same zone disagrees, without doubting its own value, is flagged:
two confident readings that disagree cannot both be right, and no check digit chose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

from .formats import LAYOUTS
from .read import MrzResult, flag_ambiguous_reading

Source = TypeVar("Source")


@dataclass
class Candidate(Generic[Source]):
    """One parsed reading and what it came from (the engine's hypothesis)."""

    result: MrzResult
    source: Source


def doubtful_fields(result: MrzResult) -> set[str | None]:
    """Fields (None: the record as a whole) a warning of severity 'error' puts in doubt."""
    return {w.field for w in result.warnings if w.severity == "error"}


def line_lengths_fit(result: MrzResult) -> bool:
    """The OCR read every line at the layout's length: nothing was inserted or dropped to fit.

    A dropped letter in a name ('SANNE' read 'SANE') is padded back with a filler after the
    name, which no check digit sees; a reading of the right length cannot hide one.
    """
    return len(result.info.raw_lines) == len(result.info.lines) and not _lines_off_length(result)


def _lines_off_length(result: MrzResult) -> list[int]:
    """The raw lines (0 = top) not read at the layout's length."""
    expected = len(result.info.lines[0]) if result.info.lines else 0
    return [i for i, line in enumerate(result.info.raw_lines) if len(line.replace(" ", "")) != expected]


# Doubts about what the document says rather than how it was read: every reading shares them.
DOUBTS_NO_READING_SETTLES = frozenset({"ambiguous_century"})


def _reading_doubts(result: MrzResult) -> list:
    """The error warnings another reading of the zone could settle."""
    return [w for w in result.warnings if w.severity == "error" and w.code not in DOUBTS_NO_READING_SETTLES]


def is_settled(result: MrzResult) -> bool:
    """Nothing another reading could improve: every check passes, no field in doubt that a
    reading could settle, and the lines were read at their full length."""
    return result.info.valid and not _reading_doubts(result) and line_lengths_fit(result)


# Record fields the layouts hold under another name (TD1 splits its optional data in two).
_LAYOUT_NAMES = {
    "surname": ("name",),
    "given_names": ("name",),
    "document_type": ("document_code",),
    "optional_data": ("optional_data", "optional_data_2"),
}


# Doubts weighed on the whole zone: a document number with a look-alike twin is doubted when
# any character of the zone was read unsure (review._flag_invisible_number_rivals), so only
# a new reading of every line can clear it.
DOUBTS_OF_THE_WHOLE_ZONE = frozenset({("ambiguous_character", "document_number")})


def lines_in_doubt(result: MrzResult) -> frozenset[int] | None:
    """The MRZ lines (0 = top) that hold what another reading could settle: fields in doubt
    and lines not read at their full length. None when that is not one line or two but the
    reading as a whole (a doubt about no field, or nothing in doubt at all).

    Another crop of a line that was read plainly gives the same characters again: re-reading
    only the doubtful lines halves or thirds the cost of a second look.
    """
    layout = LAYOUTS.get(result.info.format)
    raw = result.info.raw_lines
    if layout is None or len(raw) != layout.line_count:
        return None
    lines: set[int] = set()
    for warning in _reading_doubts(result):
        if (warning.code, warning.field) in DOUBTS_OF_THE_WHOLE_ZONE:
            return None
        names = _LAYOUT_NAMES.get(warning.field or "", (warning.field,))
        specs = [spec for spec in layout.fields if spec.name in names]
        if not specs:
            return None
        lines.update(spec.line for spec in specs)
    lines.update(_lines_off_length(result))
    return frozenset(lines) if lines and len(lines) < layout.line_count else None


def _rank(candidate: Candidate) -> tuple:
    result = candidate.result
    # A reading that needed a character inserted or dropped to fit the layout ranks below one
    # that did not, however few its doubts: a letter dropped from a name is padded back with a
    # filler that no check digit sees, so its lack of doubt proves nothing. (A widened crop
    # read 'CERNY' as 'CERY' plainly, where the full-length reading doubted a 'K'.) The two
    # disagree anyway, so choose() flags the fields where they differ.
    return (result.info.valid, line_lengths_fit(result), -len(doubtful_fields(result)), result.score)


def likeliest(candidates: list[Candidate[Source]]) -> Candidate[Source]:
    """The most trustworthy candidate, as it stands. `candidates` must not be empty."""
    return max(candidates, key=_rank)


def choose(
    candidates: list[Candidate[Source]], same_zone: Callable[[Source, Source], bool] = lambda a, b: True
) -> Candidate[Source]:
    """The most trustworthy candidate, its fields flagged where another confident valid
    reading of the same zone disagrees (`same_zone` tells; an image may hold two documents).
    `candidates` must not be empty."""
    best = likeliest(candidates)
    if best.result.info.valid:
        for other in candidates:
            if other is not best and other.result.info.valid and same_zone(best.source, other.source):
                _flag_disagreements(best.result, other.result)
    return best


def _flag_disagreements(best: MrzResult, other: MrzResult) -> None:
    other_doubts = doubtful_fields(other)
    # Every record field; those the visual zone fills are still empty in both readings here.
    for name, ours in best.fields.items():
        theirs = other.fields.get(name)
        if ours == theirs or name in other_doubts or None in other_doubts:
            continue
        flag_ambiguous_reading(best, name, f"another reading of the zone gives {theirs!r}")
