"""The visual zone (VIZ) stage: printed date of issue, place of birth, authority, full names.

The pipeline calls `read_visual_zone` after the MRZ: it gets the page's printed text lines
from the engine (OCR.Space: the lines it already read with the MRZ, no second call; local:
text detection + recognition on the data page located from the MRZ geometry), finds the
labelled fields (`read.read_printed_fields`) and merges them into the record
(`merge.merge_printed`).
"""

from __future__ import annotations

from typing import Protocol

from PIL import Image

from ..engines.base import MrzGeometry, MrzReading
from ..ocr_types import OcrLine
from ..record import Record
from ..settings import Settings
from .labels import find_labels
from .merge import merge_printed
from .read import PrintedValue, read_printed_fields, unattributed_date_lines
from .value_boxes import WANTED_FIELDS, wanted_fields


class DegenerateGeometry(ValueError):
    """The MRZ geometry cannot place a page (zero width)."""


class PageTextSource(Protocol):
    def page_text(self, image: Image.Image, geometry: MrzGeometry, doc_format: str) -> list[OcrLine]:
        """The printed text lines of the document's data page (boxes upright, top to bottom)."""
        ...


def page_lines_for(
    engine: object,
    image: Image.Image,
    reading: MrzReading,
    doc_format: str,
    settings: Settings | None = None,
    wanted: frozenset[str] = WANTED_FIELDS,
    country: str | None = None,
) -> list[OcrLine] | None:
    """The page's text lines for the VIZ stage, or None when the engine cannot give them.
    The local engine leaves the values of fields not in `wanted` unread, and reads the marks
    of accented letters for the alphabet of `country` (the issuing state)."""
    lines = getattr(reading, "page_lines", None)
    if lines:
        return _above_mrz(lines, reading.geometry)
    geometry = reading.geometry
    if geometry is None or len(geometry.corners) != 4:
        return None
    if hasattr(engine, "page_text"):
        return engine.page_text(image, geometry, doc_format)
    if getattr(engine, "name", None) == "local":
        from .local_text import LocalPageText

        settings = settings or Settings()
        return LocalPageText.shared(settings.ocr_threads, settings.model_dir).page_text(
            image, geometry, doc_format, wanted, country
        )
    return None


def _above_mrz(lines: list[OcrLine], geometry: MrzGeometry | None) -> list[OcrLine]:
    """Page lines without the MRZ itself (and what lies under it, when its place is known)."""
    kept = [line for line in lines if "<<" not in line.text]
    if geometry is None:
        return kept
    mrz_top = min(y for _, y in geometry.corners)
    return [line for line in kept if line.box is None or (line.box[1] + line.box[3]) / 2 < mrz_top]


def apply_printed_text(record: Record, lines: list[OcrLine]) -> dict[str, PrintedValue]:
    """Read the printed fields from `lines` and merge them into `record` (pure)."""
    cut = frozenset(w.field for w in record.warnings if w.code == "truncated_name" and w.field)
    printed = read_printed_fields(lines, record.fields, cut)
    merge_printed(record, printed)
    return printed


def read_visual_zone(
    image: Image.Image, reading: MrzReading, record: Record, engine: object, settings: Settings | None = None
) -> Record:
    """The VIZ stage: adds the printed fields to `record` (in place) and returns it.

    Never fails the record: when the page cannot be located the VIZ fields stay None and an
    'info' warning says so; when it was located but no printed field could be read on it, an
    error warning ('viz_unread') puts the record up for review.
    """
    doc_format = record.mrz.format if record.mrz else "TD3"
    try:
        lines = page_lines_for(
            engine, image, reading, doc_format, settings, wanted_fields(record), record.fields.get("issuing_country")
        )
    except DegenerateGeometry:
        lines = None
    if lines is None:
        record.warn("viz_unavailable", "the printed page could not be located: visual zone fields not read", None, "info")
        return record
    printed = apply_printed_text(record, lines)
    if not printed and not any(find_labels(line.text) for line in lines):
        # Every data page labels its fields (the holder's name at least): reading no label and
        # no field at all means the page could not be read (rough print), not that it prints
        # no date of issue. A null there would pass for "not printed" on a settled record.
        record.warn(
            "viz_unread",
            "no printed field could be read on the data page: date of issue, place of birth and "
            "authority are unknown, not absent",
        )
    elif record.fields.get("date_of_issue") is None:
        if doc_format == "TD3" and _is_passport(record):
            # Passports print their date of issue (ICAO 9303 part 4); cards and visas may not.
            record.warn("viz_missing", "passports print a date of issue: it could not be read on this page", "date_of_issue")
        elif unread := unattributed_date_lines(lines, printed):
            # A card or visa that prints a date the reader could not make out: it may be the
            # date of issue, so the null must not pass for "not printed".
            record.warn(
                "viz_missing",
                f"a printed date could not be read ({unread[0]!r}): it may be the date of issue",
                "date_of_issue",
            )
    if printed and doc_format == "TD3" and _is_passport(record):
        # Passport data pages print the holder's place of birth and the issuing authority
        # (ICAO 9303 part 4 makes them optional; the issuers we see all print them): a null
        # there is a reading missed, and must not pass for "not printed" on a settled record.
        for field, name in (("place_of_birth", "a place of birth"), ("authority", "an authority")):
            if record.fields.get(field) is None:
                record.warn("viz_missing", f"passports print {name}: none could be read on this page", field)
    return record


def _is_passport(record: Record) -> bool:
    return str(record.fields.get("document_code") or record.fields.get("document_type") or "").startswith("P")


__all__ = ["PageTextSource", "PrintedValue", "apply_printed_text", "page_lines_for", "read_visual_zone"]
