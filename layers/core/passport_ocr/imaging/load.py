"""Bytes from a client -> one upright still image, or a typed error saying why not.

Everything here treats the input as hostile: the byte size is checked before anything is
parsed, the pixel count is read from the header before anything is decoded, only the
formats we support are handed to Pillow (so e.g. EPS never reaches Ghostscript), and the
whole image is decoded here so a truncated file fails now rather than half-way through OCR.
A PDF (recognised by its header, not its name) goes to imaging.pdf, which renders page 1.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import (
    AnimatedImage,
    EmptyInput,
    ImageTooLarge,
    InputTooLarge,
    UnreadableImage,
    UnsupportedFormat,
)

# Pillow format name for each content type we accept.
PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/tiff": "TIFF",
    "image/webp": "WEBP",
    "image/bmp": "BMP",
    "image/gif": "GIF",
}

# Formats whose extra frames are not animation, so we read the first frame: TIFF pages, and
# MPO, the JPEG many phones and cameras write with a second (preview or depth) image.
MULTI_PAGE_FORMATS = {"TIFF", "MPO"}

EXIF_ORIENTATION = 0x0112

# The BMP magic "BM" is two ordinary letters, so we also require a known DIB header size.
_BMP_DIB_HEADER_SIZES = {12, 16, 40, 52, 56, 64, 108, 124}


def sniff_content_type(data: bytes) -> str | None:
    """The content type the leading bytes announce ('image/jpeg', 'application/pdf', ...), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "image/tiff"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:2] == b"BM" and len(data) >= 18 and int.from_bytes(data[14:18], "little") in _BMP_DIB_HEADER_SIZES:
        return "image/bmp"
    # A PDF may have a little junk before its header; readers accept it within the first 1 KB.
    if b"%PDF-" in data[:1024]:
        return "application/pdf"
    return None


def load_image(data: bytes, *, max_bytes: int, max_pixels: int) -> Image.Image:
    """Decode `data` into an upright (EXIF orientation applied) 8-bit RGB or L image; a PDF
    becomes its first page rendered in RGB (see imaging.pdf for the resolution).

    Raises EmptyInput, InputTooLarge, UnsupportedFormat, UnreadableImage (EncryptedPdf for a
    password-protected PDF), ImageTooLarge or AnimatedImage (all from passport_ocr.errors).
    Pillow's own decompression-bomb warning counts as ImageTooLarge too, so `max_pixels`
    above Pillow's MAX_IMAGE_PIXELS (about 89 M) is capped at it.
    """
    if not data:
        raise EmptyInput("the input is empty (0 bytes)")
    if len(data) > max_bytes:
        raise InputTooLarge(f"the input is {len(data)} bytes, more than the limit of {max_bytes} bytes")

    content_type = sniff_content_type(data)
    if content_type == "application/pdf":
        # Imported on the first PDF: loading libpdfium would add ~40 ms to every cold start.
        from .pdf import render_first_page

        return render_first_page(data, max_pixels=max_pixels)
    if content_type is None:
        raise UnsupportedFormat(
            f"the input is not a supported image ({_describe_unknown(data)}): send JPEG, PNG, TIFF, WebP, BMP, GIF or PDF"
        )

    image = _open_header(data, content_type, max_pixels)
    _reject_animation(image)
    _decode_fully(image, content_type)
    image = _apply_exif_orientation(image)
    return _to_8bit_rgb_or_l(image)


def _open_header(data: bytes, content_type: str, max_pixels: int) -> Image.Image:
    """Open lazily (header only) and check the pixel count before any pixel is decoded."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice that; a bomb is a bomb.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[content_type]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge(f"the image has too many pixels (possible decompression bomb): {exc}") from exc
    except UnidentifiedImageError as exc:
        raise UnreadableImage(f"the file starts like {content_type} but its header cannot be read") from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
        raise UnreadableImage(f"the {content_type} header is corrupt: {exc}") from exc

    width, height = image.size
    if width <= 0 or height <= 0:
        raise UnreadableImage(f"the {content_type} header claims an empty image ({width}x{height})")
    if width * height > max_pixels:
        raise ImageTooLarge(f"the image is {width}x{height} = {width * height} pixels, more than the limit of {max_pixels}")
    return image


def _reject_animation(image: Image.Image) -> None:
    if image.format in MULTI_PAGE_FORMATS:
        return  # Pillow opens on the first page, which is the one we read.
    try:
        frame_count = getattr(image, "n_frames", 1)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UnreadableImage(f"the {image.format} file is corrupt: {exc}") from exc
    if frame_count > 1:
        raise AnimatedImage(f"the {image.format} image is animated ({frame_count} frames): send one still frame")


def _decode_fully(image: Image.Image, content_type: str) -> None:
    """Decode every pixel now: Pillow's lazy loading would otherwise hide truncation."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge(f"the image has too many pixels (possible decompression bomb): {exc}") from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, MemoryError) as exc:
        raise UnreadableImage(f"the {content_type} image is truncated or corrupt: {exc}") from exc


def _apply_exif_orientation(image: Image.Image) -> Image.Image:
    try:
        if image.getexif().get(EXIF_ORIENTATION, 1) == 1:
            return image  # exif_transpose would copy the whole image for nothing
        return ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, TypeError, KeyError):
        # A damaged EXIF block should not cost us an otherwise readable photo.
        return image


def _to_8bit_rgb_or_l(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode in ("RGB", "L"):
        return image
    if mode == "1":
        return image.convert("L")
    if mode in ("I", "I;16", "I;16L", "I;16B", "I;16N", "F"):
        return _high_depth_to_l(image)
    if mode == "P":
        has_alpha = "transparency" in image.info or (image.palette is not None and image.palette.mode == "RGBA")
        image = image.convert("RGBA" if has_alpha else "RGB")
        mode = image.mode
        if mode == "RGB":
            return image
    if mode in ("LA", "La", "PA"):
        return _flatten_on_white(image.convert("LA").convert("RGBA")).convert("L")
    if mode in ("RGBA", "RGBa"):
        return _flatten_on_white(image.convert("RGBA"))
    # CMYK, YCbCr, LAB, HSV and anything else Pillow can convert.
    return image.convert("RGB")


def _flatten_on_white(rgba: Image.Image) -> Image.Image:
    """Transparent parts become white paper, not black: the OCR expects dark ink on light."""
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


def _high_depth_to_l(image: Image.Image) -> Image.Image:
    """16-bit and float greyscale -> 8-bit, scaling instead of clipping (Pillow clips at 255)."""
    values = np.asarray(image, dtype=np.float64)
    if image.mode.startswith("I;16"):
        top = 65535.0
    elif image.mode == "F":
        top = 1.0 if values.size and values.max() <= 1.0 else 255.0
    else:
        # 32-bit "I" says nothing of the source depth: 16-bit data if any value needs it.
        top = 65535.0 if values.size and values.max() > 255 else 255.0
    scaled = np.clip(values * (255.0 / top), 0, 255).round().astype(np.uint8)
    return Image.fromarray(scaled)


def _describe_unknown(data: bytes) -> str:
    """A short guess at what the client actually sent, for the error message."""
    head = data[:512].lstrip().lower()
    if data.startswith(b"PK\x03\x04"):
        return "looks like a ZIP archive"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "looks like HTML"
    if head.startswith(b"<?xml") or head.startswith(b"<svg"):
        return "looks like XML/SVG"
    if head.startswith((b"{", b"[")):
        return "looks like JSON"
    try:
        data[:512].decode("utf-8")
    except UnicodeDecodeError:
        return "unknown binary format"
    return "looks like text"
