"""Font files the pages use. The MRZ must be OCR-B (Debian: fonts-ocr-b)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

OCR_B = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
# Visual-zone faces, regular then bold; DejaVu covers every accent the name tables use.
SANS_FACES: tuple[tuple[str, str], ...] = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    ("DejaVuSerifCondensed.ttf", "DejaVuSerifCondensed-Bold.ttf"),
)


class FontMissing(RuntimeError):
    """A font the generator needs is not installed."""


def _require(path: Path) -> Path:
    if not path.exists():
        hint = "apt-get install fonts-ocr-b" if "ocr-b" in str(path) else "apt-get install fonts-dejavu-core"
        raise FontMissing(f"{path} not found ({hint})")
    return path


def available_faces() -> list[tuple[Path, Path]]:
    faces = [(_DEJAVU / regular, _DEJAVU / bold) for regular, bold in SANS_FACES]
    faces = [face for face in faces if face[0].exists() and face[1].exists()]
    if not faces:
        _require(_DEJAVU / SANS_FACES[0][0])
    return faces


@lru_cache(maxsize=512)
def load(path: Path, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_require(path)), max(4, int(size_px)))


@lru_cache(maxsize=1)
def ocr_b_cap_ratio() -> float:
    """Cap height of OCR-B as a fraction of its em size, to size the MRZ in millimetres."""
    font = load(OCR_B, 200)
    top, bottom = font.getbbox("H", anchor="ls")[1], 0
    return (bottom - top) / 200
