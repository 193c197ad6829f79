"""read_mrz: OCR lines -> validated, corrected MRZ and the record fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..errors import UnreadableMrz
from ..ocr_types import OcrLine
from ..record import MrzInfo, Warning
from .align import Block, find_blocks
from .cells import Cell, normalise_char
from .fields import extract_fields
from .reading import correct_block
from .review import review

# How many of the best-fitting blocks are fully parsed before picking the best reading.
BLOCKS_TO_PARSE = 6
# Only broken structure counts against a hypothesis: a reading must not win by hiding a
# doubt (low confidence, ambiguity) that another reading of the same text reports.
STRUCTURAL_WARNINGS = frozenset(
    {"check_digit_failed", "invalid_date", "invalid_sex", "unknown_country_code", "unknown_document_type"}
)
# A rival valid reading scoring within this of the best makes the fields where they differ doubtful.
RIVAL_MARGIN = 0.5
# The most confidence a field two plausible readings disagree on keeps.
AMBIGUOUS_CONFIDENCE = 0.3
# Each change the reader had to make is a small doubt: of two readings that both pass, the
# one that needed fewer changes is the better hypothesis.
# (Inserted and deleted characters are weighed by the block's edit penalty instead.)
# Every MRZ has fillers (at least the document code's, the name separator and the padding);
# OCR may read some as 'K' or drop them, so two seen are enough.
MIN_SEEN_FILLERS = 2
CHANGE_DOUBT = {"field_type": 0.2, "filler": 0.2, "check_digit": 0.4}


@dataclass
class MrzResult:
    info: MrzInfo
    fields: dict[str, str | None]
    confidence: dict[str, float]
    warnings: list[Warning]
    score: float = 0.0  # higher = better reading; compares hypotheses of one document
    # Each line as read, brought to the layout's length and before any correction: what
    # readings of one zone are compared on, position by position (mrz.vote).
    aligned: list[list[Cell]] = field(default_factory=list)


def read_mrz(lines: list[OcrLine], today: date | None = None) -> MrzResult:
    """Parse and correct the MRZ among `lines`. Raises UnreadableMrz if there is none."""
    today = today or date.today()
    blocks = find_blocks(lines)
    if not blocks:
        raise UnreadableMrz("no line group has the shape of a machine-readable zone")
    results = [_read_block(block, today) for block in blocks[:BLOCKS_TO_PARSE]]
    results = [r for r in results if _has_mrz_structure(r)]
    if not results:
        raise UnreadableMrz("the lines have the length of a machine-readable zone but not its structure")
    best = max(results, key=lambda r: r.score)
    _flag_rival_readings(best, results)
    return best


def _has_mrz_structure(result: MrzResult) -> bool:
    """Fillers where the OCR saw them, two check digits that hold, or a document code and
    country with a check digit or dates that hold at their fixed positions: ordinary print
    of the right length has none of these."""
    seen_fillers = sum(normalise_char(c) == "<" for line in result.info.raw_lines for c in line)
    if seen_fillers >= MIN_SEEN_FILLERS:
        return True
    dates = {w.field for w in result.warnings if w.code == "invalid_date"}
    # A check over a field that is all fillers, or over a date that is no date, holds by chance.
    field_checks = sum(c.ok for c in result.info.checks if c.name in ("document_number", *({"date_of_birth", "date_of_expiry"} - dates)))
    if field_checks >= 2:
        return True
    codes = {w.field for w in result.warnings if w.code in ("unknown_document_type", "unknown_country_code")}
    if codes & {"document_type", "issuing_country"}:
        return False
    return field_checks >= 1 or not dates


def _flag_rival_readings(best: MrzResult, results: list[MrzResult]) -> None:
    """Another alignment of the same OCR text that also passes every check, nearly as good,
    but with different values: the checks cannot tell which one the document says."""
    if not best.info.valid:
        return
    for rival in results:
        if rival is best or not rival.info.valid or rival.score < best.score - RIVAL_MARGIN:
            continue
        for name, value in best.fields.items():
            if value is not None and rival.fields.get(name) != value:
                flag_ambiguous_reading(best, name, f"another alignment of the text reads {rival.fields.get(name)!r}")


def flag_ambiguous_reading(result: MrzResult, name: str, message: str) -> None:
    """Another reading, as plausible, gives field `name` a different value: no check chose."""
    if not any(w.code == "ambiguous_reading" and w.field == name for w in result.warnings):
        result.warnings.append(Warning("ambiguous_reading", message, name))
    result.confidence[name] = min(result.confidence.get(name, AMBIGUOUS_CONFIDENCE), AMBIGUOUS_CONFIDENCE)


def _read_block(block: Block, today: date) -> MrzResult:
    corrected = correct_block(block)
    reading = corrected.reading
    fields, optional_data = extract_fields(reading, today)
    confidence = review(corrected, fields)
    checks = [result for _, result in corrected.checked]
    valid = all(r.ok for r in checks)
    errors = sum(w.code in STRUCTURAL_WARNINGS for w in reading.warnings)
    mean_confidence = sum(confidence.values()) / max(len(confidence), 1)
    changes = sum(CHANGE_DOUBT.get(c.reason, 0.0) for c in reading.corrections if c.read and c.corrected)
    score = (
        sum(r.ok for r in checks) + 5.0 * valid + block.plausibility + mean_confidence
        - 0.3 * errors - changes - block.edit_penalty
    )
    info = MrzInfo(
        format=reading.layout.name,
        lines=reading.texts(),
        raw_lines=list(block.raw_lines),
        valid=valid,
        checks=checks,
        corrections=reading.corrections,
        optional_data=optional_data,
    )
    return MrzResult(
        info=info, fields=fields, confidence=confidence, warnings=reading.warnings, score=score, aligned=block.lines
    )
