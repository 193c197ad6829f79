"""The mark network's classes for each letter, its windows, and how its reading picks a letter."""

import numpy as np
import pytest

from passport_ocr.ocr_types import OcrChar
from PIL import Image, ImageDraw, ImageFont

from passport_ocr.viz.alphabets import MARK_CHANGE_CONFIDENCE, mark_letter, page_alphabet, restrict_line
from passport_ocr.viz.marks import WINDOW_HEIGHT, WINDOW_WIDTH, letter_marks, windows
from passport_ocr.viz.recognize import TextRecognizer


def test_each_letter_maps_to_what_is_above_below_and_across_it():
    assert letter_marks("E") == ("none", "none", "none")
    assert letter_marks("Ě") == ("caron", "none", "none")
    assert letter_marks("ğ") == ("breve", "none", "none")
    assert letter_marks("Ő") == ("double_acute", "none", "none")
    assert letter_marks("Ş") == ("none", "cedilla", "none")
    assert letter_marks("Ș") == ("none", "comma", "none")
    assert letter_marks("Ą") == ("none", "ogonek", "none")
    assert letter_marks("Ø") == ("none", "none", "stroke")
    assert letter_marks("İ") == ("dot", "none", "none")
    assert letter_marks("i") == ("none", "none", "none")  # its dot is the letter's own


def test_letters_the_network_cannot_tell_have_no_classes():
    assert letter_marks("Ầ") is None  # two marks above (Vietnamese)
    assert letter_marks("Æ") is None and letter_marks("Þ") is None  # letters of their own


def test_windows_are_centred_and_padded_with_the_background():
    line = np.full((WINDOW_HEIGHT, 100), 0.9, dtype=np.float32)
    line[:, 50] = 0.0  # one dark column
    crops = windows(line, [50.0, 0.0, 250.0])
    assert crops.shape == (3, 1, WINDOW_HEIGHT, WINDOW_WIDTH)
    assert crops[0, 0, :, WINDOW_WIDTH // 2].max() == 0.0
    # Beyond the line's ends: its background, the centre clamped onto the line.
    assert crops[1, 0, :, 0].min() == np.float32(0.9)
    assert crops[2, 0, :, -1].min() == np.float32(0.9)


def _read(char: str, marks: dict[str, float], confidence: float = 0.99) -> OcrChar:
    return OcrChar(char, confidence, [], {}, marks)


def test_sure_marks_mend_the_letter_and_leave_it_for_review():
    czech = page_alphabet("CZE")
    # The recogniser read 'É' surely; the network sees a caron.
    read = _read("É", {"E": 0.02, "É": 0.03, "Ě": 0.95})
    chosen = mark_letter(read, read, czech)
    assert chosen.char == "Ě" and chosen.confidence <= MARK_CHANGE_CONFIDENCE


def test_unsure_marks_change_no_letter_but_doubt_a_plain_one():
    read = _read("A", {"A": 0.3, "Å": 0.7})
    chosen = mark_letter(read, read, page_alphabet("DNK"))
    assert chosen.char == "A" and chosen.confidence == pytest.approx(0.3)
    clear = _read("A", {"A": 0.8, "Å": 0.2})
    assert mark_letter(clear, clear, page_alphabet("DNK")) is clear


def test_the_network_never_strips_a_mark_nor_gives_a_letter_the_page_does_not_print():
    read = _read("Ö", {"O": 0.97, "Ö": 0.03})
    assert mark_letter(read, read, page_alphabet("SWE")).char == "Ö"
    turkish = _read("Ğ", {"G": 0.0, "Ğ": 0.02, "Č": 0.98})  # Turkish prints Ğ, not Č
    assert mark_letter(turkish, turkish, page_alphabet("TUR")).char == "Ğ"


def test_a_marked_letter_the_network_rules_out_gives_way_to_the_one_it_prefers():
    # 'ARHUS' on a Norwegian page: the recogniser's runner-up 'Á' (Sami: national) was chosen;
    # the network gives it nothing and 'Å' 0.88, under the bar for a sure change.
    read = OcrChar("A", 0.61, [("Ä", 0.15), ("Á", 0.08), ("Å", 0.04)], {}, {"A": 0.0, "Á": 0.001, "Ä": 0.11, "Å": 0.88})
    chosen = mark_letter(read, OcrChar("Á", 0.5, [("A", 0.4)]), page_alphabet("NOR"))
    assert chosen.char == "Å" and chosen.confidence <= MARK_CHANGE_CONFIDENCE
    # A marked letter the network leaves a chance stays, and a plain one is never marked so.
    kept = OcrChar("Á", 0.5, [("A", 0.4)])
    assert mark_letter(_read("A", {"A": 0.0, "Á": 0.1, "Å": 0.8}), kept, page_alphabet("NOR")) is kept
    plain = OcrChar("A", 0.9, [])
    assert mark_letter(_read("A", {"A": 0.15, "Å": 0.85}), plain, page_alphabet("NOR")).char == "A"


def test_a_mended_letter_is_no_surer_than_the_recogniser_was_of_its_base():
    read = _read("O", {"O": 0.01, "Ø": 0.99}, confidence=0.4)
    chosen = mark_letter(read, read, page_alphabet("NOR"))
    assert chosen.char == "Ø" and chosen.confidence <= 0.4


DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def test_the_network_reads_a_caron_the_recogniser_reads_as_an_acute():
    # End to end on a rendered line, with the installed models: PP-OCRv6 reads 'PLZNÉ'.
    recognizer = TextRecognizer()
    font = ImageFont.truetype(DEJAVU, 40)
    image = Image.new("RGB", (int(font.getlength("MAGISTRÁT MĚSTA PLZNĚ")) + 20, 60), "white")
    ImageDraw.Draw(image).text((10, 5), "MAGISTRÁT MĚSTA PLZNĚ", font=font, fill="black")
    (line,) = recognizer.read([image])
    recognizer.read_marks([image], [line], page_alphabet("CZE"))
    assert restrict_line(line, page_alphabet("CZE")).text == "MAGISTRÁT MĚSTA PLZNĚ"
    # Small letters are left to the recogniser: the network takes the dot of 'i' for a mark.
    assert all(not c.marks for c in line.chars if c.char.islower())
