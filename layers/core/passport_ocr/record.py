"""The one result type shared by the CLI, the API, the store and the tests."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# The document fields of a record, in the order users read them. The MRZ fills the first
# ones; the visual zone (viz) adds date_of_issue, place_of_birth and authority.
FIELD_NAMES: tuple[str, ...] = (
    "document_type",
    "document_code",
    "issuing_country",
    "surname",
    "given_names",
    "document_number",
    "nationality",
    "date_of_birth",
    "sex",
    "date_of_expiry",
    "date_of_issue",
    "personal_number",
    "place_of_birth",
    "authority",
)

STATUS_EXTRACTED = "extracted"  # every check passed and no field is in doubt
STATUS_NEEDS_REVIEW = "needs_review"  # a record came out but something is flagged
STATUS_FAILED = "failed"  # no record: see `error`


@dataclass
class Warning:
    """Something a human should look at. `code` is stable; `message` is for people."""

    code: str
    message: str
    field: str | None = None
    # Severity "error" means the value is not trusted (the record needs review);
    # "info" is worth knowing but does not lower trust (e.g. expired document).
    severity: str = "error"

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class MrzCheck:
    """One check digit: which field(s) it covers, the digit printed and the digit computed."""

    name: str
    printed: str
    computed: str
    ok: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Correction:
    """One character the reader changed, with why (`reason`: 'field_type', 'check_digit', 'filler')."""

    line: int
    position: int
    read: str
    corrected: str
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class MrzInfo:
    format: str  # TD1, TD2, TD3, MRVA, MRVB
    lines: list[str]  # the MRZ after correction, fixed length
    raw_lines: list[str]  # what the OCR read, before alignment and correction
    valid: bool  # every check digit (and the composite) agrees
    checks: list[MrzCheck] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    optional_data: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "format": self.format,
            "lines": list(self.lines),
            "raw_lines": list(self.raw_lines),
            "valid": self.valid,
            "checks": [c.to_dict() for c in self.checks],
            "corrections": [c.to_dict() for c in self.corrections],
            "optional_data": list(self.optional_data),
        }


@dataclass
class Record:
    """One image's extraction. Field values are strings (dates ISO 8601) or None."""

    fields: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(FIELD_NAMES))
    confidence: dict[str, float] = field(default_factory=dict)
    warnings: list[Warning] = field(default_factory=list)
    mrz: MrzInfo | None = None
    engine: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.mrz is None:
            return STATUS_FAILED
        if not self.mrz.valid or any(w.severity == "error" for w in self.warnings):
            return STATUS_NEEDS_REVIEW
        return STATUS_EXTRACTED

    def warn(self, code: str, message: str, field: str | None = None, severity: str = "error") -> None:
        if not any(w.code == code and w.field == field for w in self.warnings):
            self.warnings.append(Warning(code=code, message=message, field=field, severity=severity))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a record: fields at the top level, then the evidence."""
        out: dict[str, Any] = {name: self.fields.get(name) for name in FIELD_NAMES}
        out.update(
            status=self.status,
            confidence={k: round(v, 3) for k, v in self.confidence.items()},
            warnings=[w.to_dict() for w in self.warnings],
            mrz=self.mrz.to_dict() if self.mrz else None,
            engine=self.engine,
            timings_ms={k: round(v, 1) for k, v in self.timings_ms.items()},
        )
        return out
