"""Shared by the peer adapters. Runs inside the PEER's virtualenv: standard library only.

Protocol (what bench/run.py reads): argv = image paths; stdout = one JSON object per image:
  {"file": path, "fields": {record field names} | null, "valid": bool, "error": str | null,
   "cpu_s": float, "wall_s": float}
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from datetime import date
from typing import Callable

# Peers that shell out to tesseract: one core, like our engine in the benchmark.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def cpu_seconds() -> float:
    """This process and the children it waited for (tesseract runs as a child process)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def iso_date(yymmdd: str | None, kind: str, today: date | None = None) -> str | None:
    """YYMMDD to ISO with a plain century rule (peers do not choose centuries themselves):
    birth dates are never in the future, expiry dates fall within 1970-2069."""
    if not yymmdd or len(yymmdd) != 6 or not yymmdd.isdigit():
        return None
    today = today or date.today()
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if kind == "birth":
        year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    else:
        year = 2000 + yy if yy < 70 else 1900 + yy
    try:
        return date(year, mm, dd).isoformat()
    except ValueError:
        return None


def clean(text: str | None) -> str | None:
    """MRZ text to a record value: fillers are spaces, outer spaces dropped, '' is None."""
    if text is None:
        return None
    value = " ".join(str(text).replace("<", " ").split())
    return value or None


def sex(value: str | None) -> str | None:
    if value in ("M", "F"):
        return value
    return "X" if value in ("<", "X") else None


_WEIGHTS = (7, 3, 1)


def check_digit(text: str) -> str:
    def value(c: str) -> int:
        return 0 if c == "<" else int(c) if c.isdigit() else ord(c) - 55
    return str(sum(value(c) * _WEIGHTS[i % 3] for i, c in enumerate(text)) % 10)


def run(read_one: Callable[[str], tuple[dict | None, bool]]) -> None:
    """Calls read_one(path) -> (fields, valid) for each path on argv, one JSON line each."""
    for path in sys.argv[1:]:
        row: dict = {"file": path, "fields": None, "valid": False, "error": None}
        cpu0, wall0 = cpu_seconds(), time.perf_counter()
        try:
            fields, valid = read_one(path)
            row["fields"], row["valid"] = fields, bool(valid and fields is not None)
            if fields is None:
                row["error"] = "no_mrz_found"
        except Exception as error:  # noqa: BLE001 - a peer failing on a page is a result
            row["error"] = f"{type(error).__name__}: {error}"[:300]
            traceback.print_exc(file=sys.stderr)
        row["cpu_s"] = cpu_seconds() - cpu0
        row["wall_s"] = time.perf_counter() - wall0
        print(json.dumps(row), flush=True)
