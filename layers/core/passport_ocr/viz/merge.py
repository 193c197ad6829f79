"""Merge the printed fields into a record: pure, no I/O.

Rules (the MRZ is the machine-verifiable source, the visual zone fills in and cross-checks):
- date_of_issue, place_of_birth and authority exist only in print: taken as read, with the
  reading's confidence, and flagged ('low_confidence', error) when that is low. A field not
  printed (not found) stays None: never guessed.
- An MRZ field covered by a passing check digit stays as it is. A printed value that
  disagrees with any MRZ field gets a 'viz_mismatch' warning holding both values. Its
  severity is 'info' when a check digit vouches for the MRZ value or the print was read with
  little confidence (then the OCR of the print is the likelier error), 'error' otherwise.
- A name the MRZ parser flagged 'truncated_name' is replaced by the printed name when the
  MRZ is a cut-down form of it. The full name is returned *in MRZ letters* (uppercase,
  transliterated per ICAO 9303 part 3: 'Müller' -> 'MUELLER', matching the MRZ's choice of
  spelling), so the record's names stay comparable with the MRZ and with each other.
- The MRZ birth date's century is a guess: it takes the printed four-digit year when day,
  month and two-digit year agree, whether the guess was flagged ('ambiguous_century',
  downgraded to 'info') or not (a new 'info' warning says the print changed it). Failing
  a four-digit print, a date of issue before the MRZ birth date shows the century is the
  earlier one.
- Printed values that agree with the MRZ raise that field's confidence.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..record import Record, Warning
from .read import NAME_FIELDS, PrintedValue
from .translit import completed_name, mrz_spellings, spells

PRINT_ONLY_FIELDS = ("date_of_issue", "place_of_birth", "authority")
# Below this reading confidence a disagreement is more likely our OCR than the document.
TRUSTED_PRINT = 0.9
# A print-only value read with less confidence than this is given, but flagged for review:
# nothing (no check digit, no MRZ) can confirm it. A confidence is the label's score times
# the least sure character of the value; on generated pages most wrong places and
# authorities (a national letter read as its base letter, a value under the wrong label)
# fall below 0.7 and most right ones above. A date of issue is a closed form (digits, a
# month name) checked against the validity period, and one found without a label scores
# at most 0.6, so its bar is lower.
REVIEW_PRINT_BELOW = {"date_of_issue": 0.5, "place_of_birth": 0.7, "authority": 0.7}
# Printed sex letters by language (F: female, M: male, X: unspecified); e.g. Polish K/M,
# German W/M on some older documents.
SEX_LETTERS = {"F": "F", "W": "F", "K": "F", "D": "F", "M": "M", "H": "M", "X": "X"}


def _check_passes(record: Record, field: str) -> bool:
    if record.mrz is None:
        return False
    return any(check.name == field and check.ok for check in record.mrz.checks)


def _compact(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def _agree(field: str, mrz_value: str, printed: PrintedValue) -> tuple[bool, str | None]:
    """Whether the print agrees with the MRZ, and the printed value in the MRZ's terms (None: not comparable)."""
    if field in NAME_FIELDS:
        spellings = mrz_spellings(printed.value)
        return spells(mrz_value, printed.value), spellings[0] if spellings else None
    if field == "document_number":
        return _compact(printed.value) == _compact(mrz_value), _compact(printed.value)
    if field == "sex":
        letters = {SEX_LETTERS.get(part) for part in re.split(r"[\s/]+", printed.value.upper()) if len(part) == 1}
        letters.discard(None)
        if not letters:
            return True, None  # not a sex letter we know: nothing to compare
        return mrz_value in letters, "/".join(sorted(letters))
    if field == "nationality":
        # Only a printed three-letter code compares with the MRZ's; counting letters before
        # dropping accents keeps 'ČESKÁ' (a word read in part) from passing as 'ESK'.
        if len(re.sub(r"[\W\d_]", "", printed.value)) != 3 or not re.fullmatch(r"[A-Z]{3}", _compact(printed.value)):
            return True, None  # printed as a word ('UTOPIAN'): not comparable with the code
        code = _compact(printed.value)
        return code == mrz_value, code
    return printed.value == mrz_value, printed.value  # ISO dates


def _combined(a: float | None, b: float) -> float:
    return 1 - (1 - (a if a is not None else 0.5)) * (1 - b)


def merge_printed(record: Record, printed: dict[str, PrintedValue]) -> Record:
    """Add the printed fields to `record` (in place) and return it."""
    for field in PRINT_ONLY_FIELDS:
        value = printed.get(field)
        if value is not None:
            record.fields[field] = value.value
            record.confidence[field] = round(value.confidence, 4)
            if not value.labelled and field != "date_of_issue":
                # (An unlabelled date of issue is vouched for by the validity period instead.)
                record.warn(
                    "viz_unlabelled",
                    f"the printed {field.replace('_', ' ')} {value.text.strip()!r} was found by its place on the"
                    " page: its label could not be read",
                    field,
                    "error",
                )
            elif value.confidence < REVIEW_PRINT_BELOW[field]:
                record.warn(
                    "low_confidence",
                    f"the printed {field.replace('_', ' ')} was read as {value.text.strip()!r} with little confidence",
                    field,
                    "error",
                )

    _settle_century_from_issue(record)
    for field, value in printed.items():
        if field in PRINT_ONLY_FIELDS:
            continue
        mrz_value = record.fields.get(field)
        if not mrz_value:
            continue
        if field in NAME_FIELDS and _extend_truncated_name(record, field, value):
            continue
        if field == "date_of_birth" and _settle_century(record, value):
            continue
        agree, comparable = _agree(field, mrz_value, value)
        if comparable is None:
            continue
        if agree:
            record.confidence[field] = round(_combined(record.confidence.get(field), value.confidence), 4)
            continue
        vouched = _check_passes(record, field)
        severity = "info" if vouched or value.confidence < TRUSTED_PRINT else "error"
        record.warnings.append(
            Warning(
                code="viz_mismatch",
                message=f"the MRZ says {mrz_value!r}, the printed page says {value.text.strip()!r}",
                field=field,
                severity=severity,
            )
        )
    return record


def _extend_truncated_name(record: Record, field: str, printed: PrintedValue) -> bool:
    truncated = [w for w in record.warnings if w.code == "truncated_name"]
    mrz_value = record.fields[field] or ""
    if not truncated:
        return False
    spelling = completed_name(mrz_value, printed.value)
    if spelling is None:
        return False
    record.fields[field] = spelling
    record.confidence[field] = round(min(record.confidence.get(field, 1.0), printed.confidence), 4)
    record.warnings = [w for w in record.warnings if w.code != "truncated_name"]
    # The added letters have no check digit and only the MRZ prefix confirms them: a
    # recogniser that misses a national character (Ø read as O) spells them wrong with
    # full confidence, and reading the other name right does not prove this one (seen on
    # generated pages). So the completed name is given, but a human confirms it.
    record.warn(
        "name_from_viz",
        f"the MRZ name {mrz_value!r} was cut; the full name {spelling!r} is from the printed page"
        " and no check digit covers it",
        field,
        "error",
    )
    record.confidence[field] = min(record.confidence[field], 0.5)
    return True


def _settle_century_from_issue(record: Record) -> None:
    """A birth date after the date of issue is a century too late: the MRZ's guess was wrong
    (or its two-digit year, flagged or not, only looked settled: a specimen holder born 1911)."""
    birth, issued = record.fields.get("date_of_birth"), record.fields.get("date_of_issue")
    if not (birth and issued and issued < birth):
        return
    earlier = f"{int(birth[:4]) - 100:04d}{birth[4:]}"
    if earlier >= issued:
        return
    _set_birth_century(record, earlier, f"the birth century follows from the printed date of issue {issued}")


def _set_birth_century(record: Record, birth: str, why: str) -> None:
    """The birth date in another century than the MRZ's guess, saying why: the warning the
    MRZ parser gave (ambiguous_century), or a new one, is 'info' since the print settles it."""
    mrz_value = record.fields["date_of_birth"]
    record.fields["date_of_birth"] = birth
    ambiguous = [w for w in record.warnings if w.code == "ambiguous_century" and w.field == "date_of_birth"]
    if birth != mrz_value:
        why += f" (the MRZ year '{mrz_value[2:4]}' alone gave {mrz_value[:4]})"
    if not ambiguous:
        record.warn("ambiguous_century", why, "date_of_birth", "info")
        return
    # A warning already settled keeps its words: the date of issue settles the century before
    # the printed birth date is compared, and the same print may be merged again.
    record.warnings = [
        replace(w, severity="info", message=why) if w in ambiguous and w.severity != "info" else w for w in record.warnings
    ]


def _settle_century(record: Record, printed: PrintedValue) -> bool:
    """The century of a four-digit printed birth year that agrees with the MRZ on the rest.

    The MRZ holds no century: its reader guesses one (the latest that makes a living
    person) and flags the guess when an older one is as possible. A specimen or a very old
    holder (born 1911, read in 2026) makes an unflagged wrong guess; the print settles both,
    unless it would put the birth after the document's expiry."""
    ambiguous = any(w.code == "ambiguous_century" and w.field == "date_of_birth" for w in record.warnings)
    if not printed.four_digit_year or not printed.labelled and printed.confidence < TRUSTED_PRINT:
        return False
    mrz_value = record.fields["date_of_birth"] or ""
    # Same day, month and last two digits of the year: only the century differs.
    if printed.value[2:] != mrz_value[2:] or (printed.value == mrz_value and not ambiguous):
        return False
    expiry = record.fields.get("date_of_expiry")
    if expiry and printed.value >= expiry:
        return False
    _set_birth_century(record, printed.value, f"the birth century is from the printed date {printed.text.strip()!r}")
    record.confidence["date_of_birth"] = round(_combined(record.confidence.get("date_of_birth"), printed.confidence), 4)
    return True
