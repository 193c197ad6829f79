"""Hand-built page text: OCR'd lines laid out like a data page."""

from passport_ocr.ocr_types import OcrLine


def page(*rows, confidence: float = 0.98) -> list[OcrLine]:
    """Lines from (text, x0, y0, x1, y1) rows, every character read with `confidence`."""
    return [OcrLine.plain(text, confidence, box=(x0, y0, x1, y1)) for text, x0, y0, x1, y1 in rows]
