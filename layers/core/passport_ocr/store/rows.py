"""Between records and table rows: what a row holds, and the shapes the callers see. No SQL, no I/O."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..errors import NoMrzFound, PassportOcrError
from ..record import FIELD_NAMES, STATUS_EXTRACTED, STATUS_FAILED, STATUS_NEEDS_REVIEW, Record

STATUSES = (STATUS_EXTRACTED, STATUS_NEEDS_REVIEW, STATUS_FAILED)
DATE_FIELDS = frozenset({"date_of_birth", "date_of_expiry", "date_of_issue"})
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, kw_only=True)
class Source:
    """Where an image came from and which bytes it was. `image_sha256` is the row's identity."""

    bucket: str | None = None
    key: str | None = None
    version: str | None = None  # S3 version id, or the ETag when the bucket is unversioned
    filename: str | None = None
    content_type: str | None = None
    image_sha256: str
    image_bytes: int | None = None

    def __post_init__(self) -> None:
        sha = (self.image_sha256 or "").lower()
        if not _SHA256.match(sha):
            raise ValueError(f"image_sha256 must be 64 hex digits, got {self.image_sha256!r}")
        object.__setattr__(self, "image_sha256", sha)

    @classmethod
    def for_image(cls, data: bytes, **location: Any) -> "Source":
        """A source whose hash and size are computed from the image bytes."""
        return cls(image_sha256=hashlib.sha256(data).hexdigest(), image_bytes=len(data), **location)


@dataclass(frozen=True)
class StoredExtraction:
    """One row of `extractions`, as the API and the ingest path see it."""

    id: uuid.UUID
    status: str
    record: dict[str, Any]  # the Record.to_dict() shape
    source: Source
    failure: dict[str, str] | None  # {"code", "message"} when status is "failed"
    created_at: datetime
    updated_at: datetime = field(compare=False)

    def to_api(self) -> dict[str, Any]:
        """JSON-ready (ids and timestamps as strings)."""
        return {
            "id": str(self.id),
            "status": self.status,
            "filename": self.source.filename,
            "source": {"bucket": self.source.bucket, "key": self.source.key, "version": self.source.version},
            "image_sha256": self.source.image_sha256,
            "extracted": {name: self.record.get(name) for name in FIELD_NAMES},
            "confidence": self.record["confidence"],
            "warnings": self.record["warnings"],
            "mrz": self.record["mrz"],
            "engine": self.record["engine"],
            "error": dict(self.failure) if self.failure else None,
            "timestamp": self.created_at.isoformat(),
        }


def _date_or_none(value: str | None) -> date | None:
    if value in (None, ""):
        return None
    return date.fromisoformat(value)


def record_columns(record: Record | None, source: Source, error: PassportOcrError | None) -> dict[str, Any]:
    """The column values of a row for a record and/or an error (JSON values still as Python objects).

    An error makes the row 'failed' (keeping whatever partial record came with it). A record
    without an MRZ and without an error is the "no MRZ" failure, because that is the only way
    the pipeline produces one.
    """
    if record is None and error is None:
        raise ValueError("save needs a record, an error, or both")
    if record is not None and error is None and record.status == STATUS_FAILED:
        error = NoMrzFound()
    as_dict = record.to_dict() if record is not None else Record().to_dict()
    warnings = list(as_dict["warnings"])
    status = STATUS_FAILED if error is not None else as_dict["status"]

    columns: dict[str, Any] = {}
    for name in FIELD_NAMES:
        value = as_dict[name]
        if name in DATE_FIELDS:
            try:
                value = _date_or_none(value)
            except ValueError:
                # A date column cannot hold it; keep the text where a reviewer will see it.
                warnings.append({"code": "unstorable_date", "field": name, "severity": "error",
                                 "message": f"{name} {value!r} is not a calendar date; stored as empty"})
                value = None
                if status == STATUS_EXTRACTED:
                    status = STATUS_NEEDS_REVIEW
        columns[name] = value

    mrz = as_dict["mrz"]
    columns.update(
        status=status,
        mrz_format=mrz["format"] if mrz else None,
        mrz_lines=mrz["lines"] if mrz else None,
        mrz_raw_lines=mrz["raw_lines"] if mrz else None,
        mrz_optional_data=mrz["optional_data"] if mrz else None,
        mrz_valid=mrz["valid"] if mrz else None,
        checks=mrz["checks"] if mrz else [],
        corrections=mrz["corrections"] if mrz else [],
        confidence=as_dict["confidence"],
        warnings=warnings,
        engine=as_dict["engine"] or None,
        timings=as_dict["timings_ms"],
        failure_code=error.code if error is not None else None,
        failure_reason=error.message if error is not None else None,
        source_bucket=source.bucket,
        source_key=source.key,
        source_version=source.version,
        filename=source.filename,
        content_type=source.content_type,
        image_sha256=source.image_sha256,
        image_bytes=source.image_bytes,
    )
    return columns


def stored_from_row(row: dict[str, Any]) -> StoredExtraction:
    """Rebuild the stored extraction from a row fetched as a dict (jsonb already decoded)."""
    record: dict[str, Any] = {}
    for name in FIELD_NAMES:
        value = row[name]
        record[name] = value.isoformat() if isinstance(value, date) else value
    mrz = None
    if row["mrz_format"] is not None:
        mrz = {
            "format": row["mrz_format"],
            "lines": list(row["mrz_lines"] or []),
            "raw_lines": list(row["mrz_raw_lines"] or []),
            "valid": row["mrz_valid"],
            "checks": row["checks"],
            "corrections": row["corrections"],
            "optional_data": list(row["mrz_optional_data"] or []),
        }
    record.update(
        status=row["status"],
        confidence=row["confidence"],
        warnings=row["warnings"],
        mrz=mrz,
        engine=row["engine"] or "",
        timings_ms=row["timings"],
    )
    failure = None
    if row["failure_code"] is not None:
        failure = {"code": row["failure_code"], "message": row["failure_reason"] or ""}
    source = Source(
        bucket=row["source_bucket"],
        key=row["source_key"],
        version=row["source_version"],
        filename=row["filename"],
        content_type=row["content_type"],
        image_sha256=row["image_sha256"],
        image_bytes=row["image_bytes"],
    )
    return StoredExtraction(
        id=uuid.UUID(str(row["id"])),
        status=row["status"],
        record=record,
        source=source,
        failure=failure,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


# --- keyset pagination cursor: opaque to callers, (created_at, id) of the last row served ---
def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    payload = json.dumps([created_at.isoformat(), str(row_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The position a cursor names. Raises ValueError for anything this module did not make."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.b64decode(padded, altchars=b"-_", validate=True))
        created_text, id_text = payload
        created_at = datetime.fromisoformat(created_text)
        row_id = uuid.UUID(id_text)
    except (TypeError, ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("malformed cursor") from exc
    if created_at.tzinfo is None:
        raise ValueError("malformed cursor")
    return created_at, row_id
