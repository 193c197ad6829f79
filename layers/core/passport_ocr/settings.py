"""Configuration, read from the environment in one place. Defaults run offline."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    # OCR engine: "local" (offline, default) or "ocrspace".
    engine: str = "local"
    # Fall back to the local engine when OCR.Space is unavailable after its retries.
    ocrspace_fallback_local: bool = False
    ocrspace_api_key: str | None = None
    # In the cloud the key lives in Secrets Manager; the handler resolves it into ocrspace_api_key.
    ocrspace_secret_arn: str | None = None
    ocrspace_endpoint: str = "https://api.ocr.space/parse/image"
    ocrspace_timeout_s: float = 20.0
    ocrspace_max_retries: int = 3
    # Total time the client may spend on one page, retries included: keep it below the
    # function's timeout (the API function has API Gateway's 29 s).
    ocrspace_deadline_s: float = 50.0
    ocrspace_max_upload_bytes: int = 1024 * 1024  # free plan limit
    # Input limits: bytes of the file, and decoded pixels (decompression bombs).
    max_input_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 50_000_000
    # Threads for onnxruntime; Lambda gives ~1 vCPU per 1769 MB.
    ocr_threads: int = 1
    # Where the ONNX models are; empty means the installed `rapidocr` package's models folder.
    model_dir: str | None = None

    @classmethod
    def from_env(cls) -> "Settings":
        kwargs = {}
        env_names = {
            "engine": "PASSPORT_OCR_ENGINE",
            "ocrspace_fallback_local": "OCRSPACE_FALLBACK_LOCAL",
            "ocrspace_api_key": "OCRSPACE_API_KEY",
            "ocrspace_secret_arn": "OCRSPACE_SECRET_ARN",
            "ocrspace_endpoint": "OCRSPACE_ENDPOINT",
            "ocrspace_timeout_s": "OCRSPACE_TIMEOUT_S",
            "ocrspace_max_retries": "OCRSPACE_MAX_RETRIES",
            "ocrspace_deadline_s": "OCRSPACE_DEADLINE_S",
            "ocrspace_max_upload_bytes": "OCRSPACE_MAX_UPLOAD_BYTES",
            "max_input_bytes": "MAX_INPUT_BYTES",
            "max_pixels": "MAX_PIXELS",
            "ocr_threads": "OCR_THREADS",
            "model_dir": "PASSPORT_OCR_MODEL_DIR",
        }
        for f in fields(cls):
            raw = _env(env_names[f.name])
            if raw is None:
                continue
            if f.type in ("bool", bool):
                kwargs[f.name] = raw.lower() in ("1", "true", "yes", "on")
            elif f.type in ("int", int):
                kwargs[f.name] = int(raw)
            elif f.type in ("float", float):
                kwargs[f.name] = float(raw)
            else:
                kwargs[f.name] = raw
        settings = cls(**kwargs)
        # Having an OCR.Space key and no explicit engine choice means: use OCR.Space.
        if _env("PASSPORT_OCR_ENGINE") is None and (settings.ocrspace_api_key or settings.ocrspace_secret_arn):
            settings = cls(**{**kwargs, "engine": "ocrspace"})
        return settings
