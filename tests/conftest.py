"""Shared fixtures. Each fixture module in tests/support/ owns one real service."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The real specimen documents live beside the repository (shared/ is copied next to the clone in CI).
REAL_SAMPLES = ROOT.parent / "shared" / "samples" / "real"

sys.path.insert(0, str(ROOT))  # so tests can import functions.* and bench helpers by path

pytest_plugins = [
    "support.aws",
    "support.fake_ocrspace",
    "support.paths",
    "support.postgres",
]
