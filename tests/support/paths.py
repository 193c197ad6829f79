"""Paths to test data, as fixtures."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REAL_SAMPLES = ROOT.parent / "shared" / "samples" / "real"
EVENTS = ROOT / "events"


def load_real_truth() -> list[dict]:
    with open(REAL_SAMPLES / "truth.jsonl") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="session")
def real_samples_dir() -> Path:
    if not (REAL_SAMPLES / "truth.jsonl").exists():
        pytest.skip(f"real samples not found at {REAL_SAMPLES}")
    return REAL_SAMPLES


@pytest.fixture(scope="session")
def real_truth(real_samples_dir) -> list[dict]:
    return load_real_truth()


def load_event(name: str) -> dict:
    with open(EVENTS / name) as fh:
        return json.load(fh)
