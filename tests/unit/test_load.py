"""imaging.load: every kind of bad input is refused with its own typed error; good ones come back upright 8-bit."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from passport_ocr.errors import (
    AnimatedImage,
    EmptyInput,
    ImageTooLarge,
    InputTooLarge,
    UnreadableImage,
    UnsupportedFormat,
)
from passport_ocr.imaging.load import load_image, sniff_content_type

LIMITS = dict(max_bytes=5 * 1024 * 1024, max_pixels=50_000_000)


# --- inputs generated at test time ------------------------------------------------------
def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def textured(size=(120, 80)) -> Image.Image:
    """RGB noise, so JPEG has real entropy data to truncate."""
    rng = np.random.default_rng(7)
    return Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims width x height, with no pixel data at all."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def exif_rotated_jpeg() -> bytes:
    """Stored 200 wide x 100 tall with a red left half; EXIF 6 says: rotate 90 degrees clockwise to view."""
    stored = Image.new("RGB", (200, 100), "white")
    stored.paste((255, 0, 0), (0, 0, 100, 100))
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(stored, "JPEG", exif=exif.tobytes(), quality=95)


# --- bad inputs -------------------------------------------------------------------------
def test_empty_input_is_refused():
    with pytest.raises(EmptyInput):
        load_image(b"", **LIMITS)


def test_bytes_over_the_limit_are_refused_before_decoding():
    # Not even an image: the size check must come first.
    with pytest.raises(InputTooLarge, match="1001 bytes"):
        load_image(b"x" * 1001, max_bytes=1000, max_pixels=LIMITS["max_pixels"])


@pytest.mark.parametrize(
    "data, hint",
    [
        (b"Hello, this is a text file renamed to passport.jpg\n", "text"),
        (b"<!DOCTYPE html><html><body>login</body></html>", "HTML"),
        (b"PK\x03\x04" + b"\x00" * 40, "ZIP"),
        (b"\x00\x01\x02\x03binary junk\xff\xfe", "binary"),
    ],
)
def test_non_images_are_unsupported(data, hint):
    with pytest.raises(UnsupportedFormat, match=hint):
        load_image(data, **LIMITS)


def test_a_pdf_goes_to_the_pdf_renderer_and_not_to_pillow():
    # A supported format now (tests/unit/test_pdf.py): a catalog without a page tree is a
    # broken PDF, not an unsupported file.
    pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    with pytest.raises(UnreadableImage, match="PDF"):
        load_image(pdf, **LIMITS)
    page = load_image(encode(Image.new("RGB", (120, 80), (0, 128, 0)), "PDF", resolution=72), **LIMITS)
    assert (page.mode, page.size) == ("RGB", (500, 334))  # 120 x 80 pt at 300 DPI
    red, green, blue = page.getpixel((250, 167))
    assert red < 8 and 120 < green < 136 and blue < 8  # green, give or take Pillow's JPEG inside the PDF


def test_unsupported_image_format_is_refused():
    # Pillow reads PPM, but it is not one of ours.
    with pytest.raises(UnsupportedFormat):
        load_image(encode(Image.new("RGB", (10, 10)), "PPM"), **LIMITS)


def test_truncated_jpeg_is_unreadable():
    full = encode(textured((400, 300)), "JPEG", quality=90)
    with pytest.raises(UnreadableImage, match="truncated"):
        load_image(full[: len(full) // 2], **LIMITS)


def test_truncated_png_is_unreadable():
    full = encode(textured((300, 200)), "PNG")
    with pytest.raises(UnreadableImage):
        load_image(full[: len(full) // 2], **LIMITS)


def test_jpeg_with_corrupt_header_is_unreadable():
    with pytest.raises(UnreadableImage):
        load_image(b"\xff\xd8\xff\xe0" + b"\x00" * 64, **LIMITS)


def test_png_header_claiming_100000_squared_pixels_is_a_bomb():
    with pytest.raises(ImageTooLarge):
        load_image(png_header_only(100_000, 100_000), **LIMITS)


def test_pixel_limit_is_checked_from_the_header_before_decoding():
    # 8000 x 8000 = 64 M pixels, under Pillow's own limit but over ours. The file has no
    # pixel data, so decoding it would raise UnreadableImage: ImageTooLarge proves the
    # check happened first.
    with pytest.raises(ImageTooLarge, match="8000x8000"):
        load_image(png_header_only(8000, 8000), **LIMITS)


def test_pillow_decompression_bomb_warning_is_an_error():
    # 10000 x 10000 = 100 M pixels: over Pillow's warning threshold (~89 M), under its error
    # threshold; with a generous limit of ours, Pillow's warning still refuses it.
    with pytest.raises(ImageTooLarge):
        load_image(png_header_only(10_000, 10_000), max_bytes=LIMITS["max_bytes"], max_pixels=10**9)


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_animated_images_are_refused(fmt):
    frames = [Image.new("RGB", (20, 20), (40 * index, 0, 0)) for index in range(3)]
    data = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    with pytest.raises(AnimatedImage, match="3 frames"):
        load_image(data, **LIMITS)


def test_single_frame_gif_loads():
    image = load_image(encode(Image.new("P", (30, 20), 1), "GIF"), **LIMITS)
    assert image.size == (30, 20)
    assert image.mode == "RGB"


def test_multi_page_tiff_gives_the_first_page():
    first = Image.new("RGB", (40, 30), (255, 0, 0))
    second = Image.new("RGB", (50, 60), (0, 0, 255))
    data = encode(first, "TIFF", save_all=True, append_images=[second])
    image = load_image(data, **LIMITS)
    assert image.size == (40, 30)
    assert image.getpixel((5, 5)) == (255, 0, 0)


def test_camera_mpo_jpeg_is_a_still_photo_not_an_animation():
    primary = Image.new("RGB", (64, 48), (255, 0, 0))
    preview = Image.new("RGB", (32, 24), (0, 0, 255))
    data = encode(primary, "MPO", save_all=True, append_images=[preview])
    assert sniff_content_type(data) == "image/jpeg"
    image = load_image(data, **LIMITS)
    assert image.size == (64, 48)
    red, _, blue = image.getpixel((10, 10))
    assert red > 200 and blue < 60


# --- good inputs: size and mode ---------------------------------------------------------
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "WEBP", "BMP"])
def test_each_supported_format_loads_as_rgb(fmt):
    image = load_image(encode(textured((64, 48)), fmt), **LIMITS)
    assert (image.size, image.mode) == ((64, 48), "RGB")


def test_cmyk_jpeg_becomes_rgb():
    cmyk = Image.new("CMYK", (32, 16), (0, 255, 255, 0))  # pure red in CMYK
    image = load_image(encode(cmyk, "JPEG", quality=95), **LIMITS)
    assert (image.size, image.mode) == ((32, 16), "RGB")
    red, green, blue = image.getpixel((16, 8))
    assert red > 200 and green < 60 and blue < 60


def test_rgba_png_is_flattened_onto_white():
    rgba = Image.new("RGBA", (20, 10), (0, 0, 0, 0))  # fully transparent black
    rgba.paste((0, 0, 0, 255), (0, 0, 10, 10))  # opaque black left half
    image = load_image(encode(rgba, "PNG"), **LIMITS)
    assert image.mode == "RGB"
    assert image.getpixel((15, 5)) == (255, 255, 255)
    assert image.getpixel((5, 5)) == (0, 0, 0)


def test_la_png_is_flattened_to_grey():
    la = Image.new("LA", (20, 10), (0, 0))
    image = load_image(encode(la, "PNG"), **LIMITS)
    assert image.mode == "L"
    assert image.getpixel((3, 3)) == 255


def test_palette_png_with_transparency_is_flattened_onto_white():
    palette_image = Image.new("P", (10, 10), 0)
    palette_image.putpalette([0, 0, 0] * 256)
    image = load_image(encode(palette_image, "PNG", transparency=0), **LIMITS)
    assert image.mode == "RGB"
    assert image.getpixel((5, 5)) == (255, 255, 255)


def test_16_bit_png_is_scaled_not_clipped():
    ramp = np.tile(np.linspace(0, 65535, 64).astype(np.uint16), (8, 1))
    image = load_image(encode(Image.fromarray(ramp), "PNG"), **LIMITS)
    assert (image.size, image.mode) == ((64, 8), "L")
    row = np.asarray(image)[0]
    assert row[0] == 0 and row[-1] == 255
    assert 120 <= row[32] <= 135  # mid-grey, where clipping would give 255


def test_exif_rotated_jpeg_comes_back_upright():
    image = load_image(exif_rotated_jpeg(), **LIMITS)
    assert image.size == (100, 200)
    # Rotating 90 degrees clockwise puts the stored left half on top.
    top_red, _, _ = image.getpixel((50, 20))
    bottom_red, bottom_green, _ = image.getpixel((50, 180))
    assert top_red > 200 and bottom_green > 200 and bottom_red > 200


def test_real_samples_load_as_8_bit(real_samples_dir):
    for path in sorted(real_samples_dir.iterdir()):
        if path.suffix.lower() not in (".jpg", ".png"):
            continue
        image = load_image(path.read_bytes(), **LIMITS)
        assert image.mode in ("RGB", "L"), path.name
        assert min(image.size) > 100, path.name


# --- sniffing ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fmt, content_type",
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("TIFF", "image/tiff"), ("WEBP", "image/webp"), ("BMP", "image/bmp"), ("GIF", "image/gif")],
)
def test_sniff_recognises_each_supported_format(fmt, content_type):
    assert sniff_content_type(encode(Image.new("RGB", (8, 8)), fmt)) == content_type


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"%PDF-1.4\n", "application/pdf"),
        (b"", None),
        (b"BM but only text, not a bitmap header", None),
        (b"hello world", None),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", None),
    ],
)
def test_sniff_edge_cases(data, expected):
    assert sniff_content_type(data) == expected
