"""`passport-ocr ingest DIR`: a folder of images through the bucket -> queue -> poller path."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import aws
from .state import StackInfo
from .waiting import WaitTimeout, wait_for

INGEST_PREFIX = aws.UPLOAD_PREFIX + "ingest/"


@dataclass
class IngestSummary:
    uploaded: int = 0
    skipped: list[str] = field(default_factory=list)  # not an image suffix the notification watches
    statuses: Counter = field(default_factory=Counter)  # per distinct image
    failures: dict[str, str] = field(default_factory=dict)  # file -> failure code
    pending: list[str] = field(default_factory=list)  # no record before the timeout

    def lines(self) -> list[str]:
        out = [f"uploaded {self.uploaded} file(s)"]
        if self.skipped:
            out.append(f"skipped {len(self.skipped)} (not {'/'.join(aws.IMAGE_SUFFIXES)}): {', '.join(self.skipped[:5])}"
                       + (" ..." if len(self.skipped) > 5 else ""))
        for status, count in sorted(self.statuses.items()):
            out.append(f"{status}: {count}")
        for name, code in sorted(self.failures.items()):
            out.append(f"  failed {name}: {code}")
        if self.pending:
            out.append(f"no record yet for {len(self.pending)} (still queued, or in the DLQ after failing "
                       f"{aws.MAX_RECEIVE_COUNT} times: see the stack's log, then `passport-ocr redrive`): "
                       + ", ".join(self.pending[:5]) + (" ..." if len(self.pending) > 5 else ""))
        return out


def object_key(folder: Path, path: Path) -> str:
    """The bucket key of `path`: its place under `folder`, with the suffix lower-cased because the
    bucket notification's suffix filters are case-sensitive (IMG_1.JPG would never be queued)."""
    relative = path.relative_to(folder)
    return INGEST_PREFIX + str(relative.with_suffix(relative.suffix.lower()).as_posix())


def ingest_folder(
    info: StackInfo,
    folder: Path,
    *,
    timeout_s: float,
    progress: Callable[[str, int, int], None] = lambda phase, done, total: None,
) -> IngestSummary:
    from passport_ocr.store import Repository

    folder = Path(folder)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    summary = IngestSummary()
    images = [p for p in files if aws.is_ingestible(p.suffix.lower())]
    summary.skipped = [str(p.relative_to(folder)) for p in files if p not in images]

    s3 = aws.client("s3", info.endpoint_url, info.region)
    by_sha: dict[str, str] = {}  # the same image twice gives one record
    for number, path in enumerate(images, 1):
        data = path.read_bytes()
        by_sha.setdefault(hashlib.sha256(data).hexdigest(), str(path.relative_to(folder)))
        s3.put_object(Bucket=info.bucket, Key=object_key(folder, path), Body=data)
        summary.uploaded += 1
        progress("uploading", number, len(images))

    repository = Repository.from_dsn(info.database_url)
    pending = dict(by_sha)

    def all_stored() -> bool:
        for sha in list(pending):
            stored = repository.get_by_sha256(sha)
            if stored is not None:
                name = pending.pop(sha)
                summary.statuses[stored.status] += 1
                if stored.failure:
                    summary.failures[name] = stored.failure.get("code", "?")
        progress("extracting", len(by_sha) - len(pending), len(by_sha))
        return not pending

    try:
        wait_for(all_stored, timeout_s=timeout_s, interval_s=0.5, what="the records")
    except WaitTimeout:
        summary.pending = sorted(pending.values())
    finally:
        repository.close()
    return summary
