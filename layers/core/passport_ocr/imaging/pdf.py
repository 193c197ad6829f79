"""PDF bytes -> the first page rendered as an RGB image, or a typed error saying why not.

Scanners and e-mail workflows deliver passports as PDFs: usually an A4/letter page with the
document on it, sometimes a page the size of the document, sometimes a phone photo wrapped in
a page whose size comes from the photo's pixel count at 72 DPI. Only the first page is read.

The render size is chosen from the page size in points before anything is drawn, so a huge
page costs no more than an A4 one: it is drawn at a lower scale, never refused for its size.
The images embedded in the page are counted against the pixel limit before rendering too,
since PDFium decodes them whatever the output size.
"""

from __future__ import annotations

import math
import threading

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from ..errors import EncryptedPdf, ImageTooLarge, UnreadableImage

POINTS_PER_INCH = 72.0
# 300 DPI puts an MRZ character (about 2.5 mm high) at ~30 px, comfortably above what the
# recogniser needs, on a page printed at its true size.
RENDER_DPI = 300.0
# The long side of A4 at 300 DPI (297 mm): A4 and letter pages render at the full 300 DPI,
# larger pages at whatever scale fits. A bigger page holding a passport at its real size is
# rare (A3 scans still render at ~210 DPI); a big page from a photo at 72 DPI renders at
# ~3500 px, as much as the OCR uses of a photo. It bounds one render at 3508 x 3508 x 3 bytes
# (~37 MB) whatever the page claims.
MAX_LONG_SIDE_PX = 3508
# Deeper Form XObject nesting is not something a scan produces; PDFium stops there too.
MAX_FORM_DEPTH = 15

# PDFium is not thread-safe, not even across documents, and pypdfium2 releases the GIL in its
# calls: the local stack's API and ingest worker share one process, so every use is serialised.
_PDFIUM_LOCK = threading.Lock()

_LOAD_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: "the PDF is password-protected: send it without a password, or an image of the page",
    pdfium_c.FPDF_ERR_SECURITY: "the PDF is encrypted with an unsupported security handler: send it unencrypted",
}


def render_first_page(data: bytes, *, max_pixels: int) -> Image.Image:
    """Render page 1 of the PDF in `data` as an RGB image.

    Raises EncryptedPdf (a password is needed), UnreadableImage (truncated, corrupt, no
    pages, an empty page box) or ImageTooLarge (the page's embedded images exceed
    `max_pixels`, or `max_pixels` is too small to hold the page at any scale).
    """
    with _PDFIUM_LOCK:
        document = _open(data)
        try:
            if len(document) < 1:
                raise UnreadableImage("the PDF has no pages")
            page = _first_page(document)
            try:
                width_pt, height_pt = page.get_size()
                scale = render_scale(width_pt, height_pt, max_pixels)
                _check_embedded_images(page, max_pixels)
                return _render(page, scale)
            finally:
                page.close()
        finally:
            document.close()


def render_scale(width_pt: float, height_pt: float, max_pixels: int) -> float:
    """Pixels per point: RENDER_DPI, lowered until the long side fits MAX_LONG_SIDE_PX and the
    rendered pixel count (each side rounded up, as PDFium sizes the bitmap) fits max_pixels."""
    if not (math.isfinite(width_pt) and math.isfinite(height_pt)) or width_pt <= 0 or height_pt <= 0:
        raise UnreadableImage(f"the PDF's first page has an empty or invalid size ({width_pt} x {height_pt} pt)")
    # Shaved by a hair so float noise does not round a side up by a whole pixel
    # (120 pt * 300 / 72 = 500.00000000000006 would become 501 px).
    scale = min(RENDER_DPI / POINTS_PER_INCH, MAX_LONG_SIDE_PX / max(width_pt, height_pt)) * (1 - 1e-9)
    if math.prod(rendered_size(width_pt, height_pt, scale)) <= max_pixels:
        return scale
    # Largest s with (w*s + 1) * (h*s + 1) <= max_pixels: the rounding up of each side can
    # add at most one pixel, so this bound keeps the rendered size within the limit.
    w, h = width_pt, height_pt
    scale = (-(w + h) + math.sqrt((w + h) ** 2 + 4 * w * h * (max_pixels - 1))) / (2 * w * h)
    if scale <= 0 or math.prod(rendered_size(w, h, scale)) > max_pixels:
        raise ImageTooLarge(
            f"the PDF page ({w:.0f} x {h:.0f} pt) cannot be rendered within the limit of {max_pixels} pixels"
        )
    return scale


def rendered_size(width_pt: float, height_pt: float, scale: float) -> tuple[int, int]:
    return math.ceil(width_pt * scale), math.ceil(height_pt * scale)


def _open(data: bytes) -> pdfium.PdfDocument:
    # The raw loader, not PdfDocument(data): that one raises the same error for "no pages" as
    # for "corrupt" and leaks a document that loaded with zero pages.
    raw = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if not raw:
        error = pdfium_c.FPDF_GetLastError()
        if error in _LOAD_ERRORS:
            raise EncryptedPdf(_LOAD_ERRORS[error])
        raise UnreadableImage("the PDF is truncated or corrupt: its structure cannot be read")
    # `data` outlives the document: both live until render_first_page returns.
    return pdfium.PdfDocument(raw)


def _first_page(document: pdfium.PdfDocument) -> pdfium.PdfPage:
    try:
        return document[0]
    except pdfium.PdfiumError as exc:
        raise UnreadableImage("the PDF's first page cannot be read (corrupt page tree or page)") from exc


def _check_embedded_images(page: pdfium.PdfPage, max_pixels: int) -> None:
    """An image XObject can claim 100000 x 100000 pixels in a few bytes of Flate data; PDFium
    would decode all of them. Each use counts: a repeated image is decoded per use at worst."""
    total = 0
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=MAX_FORM_DEPTH):
        try:
            width, height = image.get_px_size()
        except pdfium.PdfiumError:
            continue  # an image PDFium cannot size is one it will not draw
        total += width * height
        if total > max_pixels:
            raise ImageTooLarge(
                f"the PDF's first page embeds images of more than {max_pixels} pixels in all (possible decompression bomb)"
            )


def _render(page: pdfium.PdfPage, scale: float) -> Image.Image:
    try:
        # rev_byteorder: PDFium's native order is BGR; this gives RGB without a conversion.
        bitmap = page.render(scale=scale, rev_byteorder=True, fill_color=(255, 255, 255, 255))
    except (pdfium.PdfiumError, ValueError, MemoryError) as exc:
        raise UnreadableImage(f"the PDF's first page cannot be rendered: {exc}") from exc
    try:
        # convert() always returns a new image: the bitmap's buffer is freed just below.
        return bitmap.to_pil().convert("RGB")
    finally:
        bitmap.close()
