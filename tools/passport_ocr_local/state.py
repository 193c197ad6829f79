"""Where a running local stack can be found by other commands (`ingest`, `redrive`, `migrate`)."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from .handlers import ROOT

DEFAULT_DATA_DIR = ROOT / ".local"
STATE_FILE = "stack.json"
TOKEN_FILE = "api_token"
TOKEN_ENV = "PASSPORT_OCR_LOCAL_TOKEN"


@dataclass(frozen=True)
class StackInfo:
    pid: int
    api_url: str | None  # None when the stack runs without the HTTP API (`ingest` on its own)
    endpoint_url: str  # moto: S3 and SQS
    region: str
    bucket: str
    queue_url: str
    dlq_url: str
    database_url: str
    api_token: str


def write(data_dir: Path, info: StackInfo) -> Path:
    path = Path(data_dir) / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(info), indent=2))
    tmp.replace(path)  # readers never see half a file
    return path


def remove(data_dir: Path, pid: int) -> None:
    """Remove the state file if it still describes this process (a newer stack may own it)."""
    info = read(data_dir)
    if info is not None and info.pid == pid:
        (Path(data_dir) / STATE_FILE).unlink(missing_ok=True)


def read(data_dir: Path) -> StackInfo | None:
    try:
        return StackInfo(**json.loads((Path(data_dir) / STATE_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def running(data_dir: Path) -> StackInfo | None:
    """The stack described by the state file, if its process is still alive."""
    info = read(data_dir)
    if info is None or not _alive(info.pid):
        return None
    return info


def api_token(data_dir: Path) -> str:
    """The dev API token: from the environment, else one generated once and kept in data_dir."""
    if os.environ.get(TOKEN_ENV):
        return os.environ[TOKEN_ENV]
    path = Path(data_dir) / TOKEN_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it in the meantime
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(token + "\n")
    return token


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
