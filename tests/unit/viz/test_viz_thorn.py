"""Icelandic 'Þ' told from 'P' by its shape, on rendered letters of the installed fonts."""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from passport_ocr.ocr_types import OcrChar, OcrLine
from passport_ocr.viz.alphabets import page_alphabet
from passport_ocr.viz.recognize import THORN_CONFIDENCE, read_thorns
from passport_ocr.viz.thorn import is_thorn

FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
]


def rendered(text: str, font_file: str, width: int = 220) -> tuple[np.ndarray, float]:
    """A 48 px grey line in [0, 1] of `text`, and the centre of its first letter."""
    font = ImageFont.truetype(font_file, 30)
    image = Image.new("L", (width, 48), 255)
    ImageDraw.Draw(image).text((6, 6), text, font=font, fill=0)
    return np.asarray(image, dtype=np.float32) / 255.0, 6 + font.getlength(text[0]) / 2


@pytest.mark.parametrize("font_file", FONTS)
def test_a_thorn_hangs_its_bowl_below_the_top_of_its_stem(font_file):
    for word in ("ÞÓR", "þjóð"):
        assert is_thorn(*rendered(word, font_file)), word
    for word in ("PÁLL", "pund", "RÓS", "DÓRA", "BJÖRK", "FÁLKI", "EIÐUR", "HÖFN", "Kári", "Ísland"):
        assert not is_thorn(*rendered(word, font_file)), word


def test_a_p_read_for_a_thorn_becomes_one_for_review_on_pages_that_print_it():
    grey, centre = rendered("ÞJÓÐSKRÁ", FONTS[0])
    crop = Image.fromarray((grey * 255).astype(np.uint8)).convert("RGB")

    def line(runner_up):
        chars = [OcrChar("P", 0.8, [runner_up])] + [OcrChar(c, 0.99) for c in "JÓÐSKRÁ"]
        return OcrLine("PJÓÐSKRÁ", chars, char_x=[centre / grey.shape[1]] + [0.2 + 0.08 * k for k in range(7)])

    icelandic = line(("Þ", 0.05))
    read_thorns([crop], [icelandic], page_alphabet("ISL"))
    assert icelandic.text == "ÞJÓÐSKRÁ" and icelandic.chars[0].confidence <= THORN_CONFIDENCE
    # Not where the recogniser saw no thorn at all, nor on a page that prints none.
    unseen = line(("p", 0.05))
    read_thorns([crop], [unseen], page_alphabet("ISL"))
    assert unseen.text == "PJÓÐSKRÁ"
    british = line(("Þ", 0.05))
    read_thorns([crop], [british], page_alphabet("GBR"))
    assert british.text == "PJÓÐSKRÁ"
