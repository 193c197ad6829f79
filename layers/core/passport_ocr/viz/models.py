"""Where the PP-OCRv6 ONNX models live (engines.sessions opens them)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_MODEL_FILES = {"det": "PP-OCRv6_det_small.onnx", "rec": "PP-OCRv6_rec_small.onnx"}


def model_path(kind: str, model_dir: str | None = None) -> Path:
    """The model file of `kind` ('det' or 'rec'); default: the installed rapidocr package's models."""
    if model_dir:
        return Path(model_dir) / _MODEL_FILES[kind]
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the rapidocr package (for its ONNX models) is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "models" / _MODEL_FILES[kind]

