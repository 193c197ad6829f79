"""The record fields from a corrected MRZ, with the warnings their values call for."""

from __future__ import annotations

from datetime import date

from ..record import FIELD_NAMES
from .cells import FILLER_RUNNER_UP, filler_odds
from .checks import find_overflow
from .countries import is_known_country
from .dates import birth_date, expiry_date
from .names import doubtful_structure, is_truncated, split_name
from .reading import Reading

DOCUMENT_TYPES = frozenset("PIACV")


def _ks_read_plainly(cells) -> bool:
    """Every 'K' of the name was read with per-character evidence that leaves no real chance
    of a '<' ('KOWALSKA<<ANNA' read plainly). Without evidence (OCR.Space) nothing says so."""
    ks = [c for c in cells if c.char == "K"]
    return bool(ks) and all(c.evidence and filler_odds(c) < FILLER_RUNNER_UP for c in ks)


def extract_fields(reading: Reading, today: date) -> tuple[dict[str, str | None], list[str]]:
    """(record fields, optional data fields in layout order); warnings go to `reading`."""
    layout = reading.layout
    texts = reading.texts()
    fields: dict[str, str | None] = dict.fromkeys(FIELD_NAMES)
    optional_data: list[str] = []
    overflow = find_overflow(layout, texts)

    code = reading.text(layout.field("document_code")).replace("<", "")
    fields["document_code"] = code or None
    fields["document_type"] = code[:1] or None
    if code[:1] not in DOCUMENT_TYPES:
        reading.warn("unknown_document_type", f"document code {code!r} is not an ICAO document type", "document_type")

    for name in ("issuing_country", "nationality"):
        value = reading.text(layout.field(name)).replace("<", "")
        fields[name] = value or None
        if not value:
            # Some issuers leave it blank (a Macao card's nationality): nothing to check.
            reading.warn("unknown_country_code", f"the {name.replace('_', ' ')} field is empty", name)
        elif not is_known_country(value):
            reading.warn("unknown_country_code", f"{value!r} is not an ICAO country code", name)

    name_text = reading.text(layout.field("name"))
    fields["surname"], fields["given_names"] = split_name(name_text)
    fields["surname"] = fields["surname"] or None
    if is_truncated(name_text):
        reading.warn("truncated_name", "the name reaches the end of its field: the issuer may have cut it", "given_names" if fields["given_names"] else "surname", "info")
    name_spec = layout.field("name")
    k_seen = any(
        c.line == name_spec.line and c.read == "K" and c.corrected == "<" and name_spec.start <= c.position < name_spec.end
        for c in reading.corrections
    )
    if "name" in reading.doubtful:
        doubt = "fillers were read as 'K': the name separators are uncertain"
    elif k_seen and "K" in name_text.rstrip("<"):
        doubt = "this line's fillers were read as 'K' elsewhere: a 'K' in the name may be a filler"
    else:
        name_cells = reading.lines[name_spec.line][name_spec.start : name_spec.end]
        doubt = doubtful_structure(name_text, ks_read_plainly=_ks_read_plainly(name_cells))
    if doubt:
        for name in ("surname", "given_names"):
            reading.warn("low_confidence", doubt, name)

    number = reading.text(layout.field("document_number"))
    if "<" in number.rstrip("<"):
        # Document numbers are left-aligned and padded on the right: a filler before or inside
        # the number means the line was read shifted (a speck read as '<', a filler lost
        # elsewhere) and its check digit agreed by chance.
        reading.warn("malformed_field", "the document number has a filler before or inside it", "document_number")
    if overflow is not None:
        number += overflow.continuation
    fields["document_number"] = number.replace("<", "") or None

    expiry = expiry_date(reading.text(layout.field("date_of_expiry")), today)
    birth = birth_date(reading.text(layout.field("date_of_birth")), today, expiry)
    if birth.value is None:
        reading.warn("invalid_date", "the date of birth is not a valid past date", "date_of_birth")
    else:
        fields["date_of_birth"] = birth.value.isoformat()
        if birth.ambiguous_century:
            reading.warn("ambiguous_century", "the birth century cannot be told from the MRZ", "date_of_birth")
    if expiry is None:
        reading.warn("invalid_date", "the date of expiry is not a valid date", "date_of_expiry")
    else:
        fields["date_of_expiry"] = expiry.isoformat()
        if expiry < today:
            reading.warn("expired", f"the document expired on {expiry.isoformat()}", "date_of_expiry", "info")

    sex = reading.text(layout.field("sex"))
    # ICAO: '<' means unspecified, which the record spells 'X'.
    fields["sex"] = {"M": "M", "F": "F", "X": "X", "<": "X"}.get(sex)
    if fields["sex"] is None:
        reading.warn("invalid_sex", f"{sex!r} is not a sex code", "sex")

    for spec in layout.fields:
        if spec.kind != "alnum" or spec.name == "document_number":
            continue
        value = reading.text(spec)
        if overflow is not None and spec.name == layout.overflow_field:
            value = texts[spec.line][overflow.optional_start : spec.end]
        value = value.rstrip("<")
        if spec.name == "personal_number":
            fields["personal_number"] = value or None
        else:
            optional_data.append(value)
        if spec.name in reading.doubtful:
            target = "personal_number" if spec.name == "personal_number" else None
            reading.warn("low_confidence", f"fillers in {spec.name} may have been read as 'K'", target)

    return fields, optional_data
