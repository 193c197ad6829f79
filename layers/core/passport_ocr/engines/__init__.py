"""OCR engines. Only engines do I/O (model files, HTTP)."""

from __future__ import annotations

from ..settings import Settings
from .base import Engine, MrzReading


def get_engine(settings: Settings) -> Engine:
    """The engine the settings name. Imports lazily: each engine has its own dependencies."""
    if settings.engine == "local":
        from .local import LocalEngine

        return LocalEngine.shared(settings)
    if settings.engine == "ocrspace":
        from .ocrspace import OcrSpaceEngine

        return OcrSpaceEngine.from_settings(settings)
    raise ValueError(f"unknown engine {settings.engine!r}: use 'local' or 'ocrspace'")


__all__ = ["Engine", "MrzReading", "get_engine"]
