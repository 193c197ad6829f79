"""PDF input: the first page is rendered for OCR at a bounded size; hostile PDFs get typed errors."""

from __future__ import annotations

import math

import pytest

from passport_ocr.engines import get_engine
from passport_ocr.errors import EncryptedPdf, ImageTooLarge, InputTooLarge, UnreadableImage
from passport_ocr.extract import extract
from passport_ocr.imaging.load import load_image, sniff_content_type
from passport_ocr.imaging.pdf import MAX_LONG_SIDE_PX, RENDER_DPI, render_scale, rendered_size
from passport_ocr.settings import Settings
from passport_synth import generate
from support import pdfs

LIMITS = dict(max_bytes=5 * 1024 * 1024, max_pixels=50_000_000)
MRZ_FIELDS = ("document_type", "issuing_country", "surname", "given_names", "document_number",
              "nationality", "date_of_birth", "sex", "date_of_expiry")
BLUE, WHITE = (0, 0, 255), (255, 255, 255)


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(engine="local")


@pytest.fixture(scope="module")
def engine(settings):
    return get_engine(settings)


def mrz_of(data: bytes, engine, settings) -> dict:
    record = extract(data, engine=engine, settings=settings, fields="mrz").to_dict()
    assert record["status"] in ("extracted", "needs_review"), record
    return {name: record[name] for name in MRZ_FIELDS} | {"lines": record["mrz"]["lines"]}


def checked_fields(read_or_truth: dict) -> dict:
    # The optional data's O/0 is not check-digit settled, so compare the fields that are.
    return {name: read_or_truth[name] for name in MRZ_FIELDS}


# --- passports in PDFs are read like their images -------------------------------------------
def test_a_generated_passport_as_a_pdf_reads_the_same_mrz_as_the_png(engine, settings):
    sample = generate(11, "clean", "TD3")
    from_png = mrz_of(sample.data, engine, settings)

    from_pdf = mrz_of(pdfs.scan_pdf(sample.image, dpi=200), engine, settings)

    assert from_pdf == from_png
    assert checked_fields(from_pdf) == checked_fields(sample.truth)


def test_a_passport_scanned_on_an_a4_page_renders_at_300_dpi_and_is_read(engine, settings):
    sample = generate(12, "clean", "TD3")
    data = pdfs.scan_pdf(pdfs.on_a4_page(sample.image))

    page = load_image(data, **LIMITS)

    assert page.mode == "RGB"
    assert page.size == rendered_size(*pdfs.A4_PT, RENDER_DPI / 72)  # 2481 x 3508
    assert checked_fields(mrz_of(data, engine, settings)) == checked_fields(sample.truth)


def test_a_multi_page_pdf_is_read_from_its_first_page(engine, settings):
    first, second = generate(13, "clean", "TD3"), generate(14, "clean", "TD3")
    assert first.truth["mrz"] != second.truth["mrz"]

    read = mrz_of(pdfs.scan_pdf(first.image, second.image, dpi=200), engine, settings)

    assert checked_fields(read) == checked_fields(first.truth)


def test_a_pdf_is_recognised_by_its_bytes_even_after_leading_junk():
    data = b"garbage a mail gateway prepended\r\n" + pdfs.vector_pdf(612, 792)
    assert sniff_content_type(data) == "application/pdf"
    page = load_image(data, **LIMITS)
    assert page.getpixel((10, 10)) == BLUE and page.getpixel((page.width - 10, 10)) == WHITE


def test_the_page_rotation_is_applied():
    # /Rotate 90 (how scanners mark a landscape scan): the left half ends up on top.
    page = load_image(pdfs.vector_pdf(612, 792, page_entries=b"/Rotate 90 "), **LIMITS)
    assert page.width > page.height
    assert page.getpixel((10, 10)) == BLUE and page.getpixel((10, page.height - 10)) == WHITE


def test_an_owner_password_alone_does_not_stop_the_reading():
    # "Protected" PDFs that open without a password: printing allowed, editing not.
    page = load_image(pdfs.encrypted_pdf(user_password=b""), **LIMITS)
    assert page.getpixel((10, 10)) == BLUE and page.getpixel((page.width - 10, 10)) == WHITE


# --- the render size is chosen from the page size, before rendering ------------------------
@pytest.mark.parametrize(
    "page_pt, expected_px",
    [
        ((612, 792), (2550, 3300)),  # letter: the full 300 DPI
        ((354.33, 249.45), (1477, 1040)),  # a page the size of a passport data page (125 x 88 mm)
        ((1190.55, 1683.78), (2481, 3508)),  # A2: long side capped, about 150 DPI
        ((14400, 14400), (3508, 3508)),  # 200 x 200 inches, the largest page PDF allows
        ((14400, 1), (3508, 1)),
    ],
)
def test_render_size_is_300_dpi_with_the_long_side_capped(page_pt, expected_px):
    width, height = rendered_size(*page_pt, render_scale(*page_pt, max_pixels=LIMITS["max_pixels"]))
    assert abs(width - expected_px[0]) <= 1 and abs(height - expected_px[1]) <= 1
    assert max(width, height) <= MAX_LONG_SIDE_PX


@pytest.mark.parametrize("page_pt", [(612, 792), (14400, 14400), (14400, 3), (595.28, 841.89), (1e6, 1e6)])
@pytest.mark.parametrize("max_pixels", [2_000_000, 500_000, 100_000])
def test_the_pixel_limit_lowers_the_scale_instead_of_refusing(page_pt, max_pixels):
    scale = render_scale(*page_pt, max_pixels=max_pixels)
    assert math.prod(rendered_size(*page_pt, scale)) <= max_pixels
    # ... and not lower than the limits need: 2% more would break one of them.
    larger = rendered_size(*page_pt, scale * 1.02)
    assert math.prod(larger) > max_pixels or max(larger) > MAX_LONG_SIDE_PX


def test_a_200_inch_page_is_rendered_whole_at_a_reduced_scale():
    page = load_image(pdfs.vector_pdf(14400, 14400), **LIMITS)
    assert page.size == (MAX_LONG_SIDE_PX, MAX_LONG_SIDE_PX)
    # The whole page, shrunk: the blue left half is still exactly half of it.
    assert page.getpixel((MAX_LONG_SIDE_PX // 2 - 3, 10)) == BLUE
    assert page.getpixel((MAX_LONG_SIDE_PX // 2 + 3, 10)) == WHITE


def test_a_page_over_the_pixel_limit_is_rendered_within_it():
    page = load_image(pdfs.vector_pdf(612, 792), max_bytes=LIMITS["max_bytes"], max_pixels=1_000_000)
    assert page.width * page.height <= 1_000_000
    assert page.width * page.height > 950_000
    assert page.getpixel((10, 10)) == BLUE


@pytest.mark.parametrize("page_pt", [(0, 792), (612, -1), (math.inf, 792), (math.nan, 792)])
def test_an_empty_or_invalid_page_size_is_unreadable(page_pt):
    with pytest.raises(UnreadableImage, match="size"):
        render_scale(*page_pt, max_pixels=LIMITS["max_pixels"])


def test_a_limit_that_cannot_hold_the_page_at_all_is_image_too_large():
    with pytest.raises(ImageTooLarge, match="within the limit of 1 pixels"):
        load_image(pdfs.vector_pdf(612, 792), max_bytes=LIMITS["max_bytes"], max_pixels=1)


# --- hostile PDFs ---------------------------------------------------------------------------
@pytest.mark.parametrize("keep", [0.97, 0.5, 0.1])
def test_a_truncated_pdf_is_unreadable(keep):
    data = pdfs.scan_pdf(generate(15, "clean", "TD3").image, dpi=200)
    with pytest.raises(UnreadableImage, match="truncated or corrupt"):
        load_image(data[: int(len(data) * keep)], **LIMITS)


@pytest.mark.parametrize("data", [b"%PDF-1.7\n", b"%PDF-1.4\n" + bytes(range(256)) * 20], ids=["header-only", "junk"])
def test_a_pdf_header_on_junk_is_unreadable(data):
    with pytest.raises(UnreadableImage):
        load_image(data, **LIMITS)


def test_a_password_protected_pdf_is_refused_as_encrypted():
    with pytest.raises(EncryptedPdf, match="password") as caught:
        load_image(pdfs.encrypted_pdf(user_password=b"secret"), **LIMITS)
    assert caught.value.code == "encrypted_pdf"
    assert isinstance(caught.value, UnreadableImage)  # the same 422 / failed record as any unreadable file


def test_a_pdf_without_pages_is_unreadable():
    with pytest.raises(UnreadableImage, match="no pages"):
        load_image(pdfs.no_pages_pdf(), **LIMITS)


def test_an_embedded_image_bomb_is_refused_before_rendering():
    data = pdfs.image_bomb_pdf(100_000, 100_000)
    assert len(data) < 2_000  # 10^10 pixels claimed in a couple of kilobytes
    with pytest.raises(ImageTooLarge, match="embeds images"):
        load_image(data, **LIMITS)


def test_an_embedded_image_within_the_limit_is_drawn():
    page = load_image(pdfs.image_bomb_pdf(1_000, 1_000), **LIMITS)
    assert page.getpixel((10, 10)) == (128, 128, 128)  # the image's grey, drawn over the page


def test_the_byte_limit_comes_before_parsing():
    data = pdfs.vector_pdf(612, 792)
    with pytest.raises(InputTooLarge):
        load_image(data, max_bytes=len(data) - 1, max_pixels=LIMITS["max_pixels"])
