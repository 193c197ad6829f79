"""The line network's second reading of unsure value lines (viz.second_reading)."""

import numpy as np
from PIL import Image

from passport_ocr.ocr_types import OcrLine
from passport_ocr.viz.line_net import LINE_ALPHABET
from passport_ocr.viz.second_reading import SecondReader, better_reading, plain_text


def _line(text: str, confidence: float) -> OcrLine:
    return OcrLine.plain(text, confidence, box=(0, 0, 100, 20))


def test_the_reading_that_is_a_date_wins_whichever_is_surer():
    rough = _line("03 1|AR M585 19", 0.55)
    assert better_reading(rough, _line("08 MAR/MARS 19", 0.5)).text == "08 MAR/MARS 19"
    # '16 N0V 1946' is a date to viz.dates (a digit in a month word reads as its letter).
    birth = _line("16 N0V 1946", 0.79)
    assert better_reading(birth, _line("16 NON 1946", 0.85)) is birth
    # A day and a year around an unreadable month is more of a date than no date at all.
    assert better_reading(_line("25.58.2026", 0.74), _line("25.08.025", 0.9)).text == "25.58.2026"
    assert better_reading(rough, _line("", 0.0)) is rough


def test_of_two_dates_the_surer_wins_and_other_text_stays_as_pp_ocr_read_it():
    read = _line("24.09.2011", 0.5)
    assert better_reading(read, _line("24.08.2011", 0.76)).text == "24.08.2011"
    assert better_reading(read, _line("24.08.2011", 0.4)) is read
    rough = _line("8686T9N01", 0.3)
    assert better_reading(rough, _line("BABATUNDE", 0.76)) is rough


def test_the_same_letters_keep_the_first_reading_and_its_marks():
    accented = _line("KLAIPĖDA", 0.6)
    assert plain_text("KLAIPĖDA") == "KLAIPEDA"
    assert better_reading(accented, _line("KLAIPEDA", 0.95)) is accented


class _FakeNet:
    """Gives one fixed probability matrix for every crop."""

    available = True

    def __init__(self, probabilities: np.ndarray):
        self.matrix = probabilities

    def probabilities(self, crops):
        return [self.matrix for _ in crops]


def _frames(text: str, sureness: float = 0.9) -> np.ndarray:
    """A (T, classes) matrix spelling `text`: each character one frame, a blank between."""
    classes = 1 + len(LINE_ALPHABET)
    rows = []
    for char in text:
        row = np.full(classes, (1 - sureness) / (classes - 1))
        row[1 + LINE_ALPHABET.index(char)] = sureness
        blank = np.full(classes, 0.001 / (classes - 1))
        blank[0] = 0.999
        rows += [row, blank]
    return np.array(rows)


def test_reread_puts_the_networks_reading_in_place_with_its_letter_positions():
    reader = SecondReader()
    reader.net = _FakeNet(_frames(" 14 DEC 2021 "))
    line = _line("14065 20", 0.5)
    reader.reread([Image.new("L", (100, 20), 255)], [line])
    assert line.text == "14 DEC 2021" and line.box == (0, 0, 100, 20)
    assert len(line.char_x) == len(line.chars) == len(line.text)
    assert line.char_x == sorted(line.char_x) and 0 < line.char_x[0] < line.char_x[-1] < 1
    assert line.confidence > 0.5


def test_only_unsure_lines_are_worth_a_second_reading():
    reader = SecondReader()
    assert reader.wanted(_line("03 1|AR M585 19", 0.55)) and not reader.wanted(_line("25 OCT 2004", 0.95))
    # A label PP-OCR could not match is left to the label search, which scores its likeness.
    assert not reader.wanted(_line("Dae ot brt /ute", 0.41))


def test_the_shipped_line_network_reads_a_printed_date():
    from PIL import ImageDraw, ImageFont

    from passport_ocr.viz.line_net import LineNet

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 30)
    dates = ["14 DEC 2021", "08 MAR/MARS 19", "25.08.2026"]
    crops = []
    for text in dates:
        # Padded as the detector's boxes are: about half the ink height above, 0.4 below.
        image = Image.new("RGB", (int(font.getlength(text)) + 12, 52), (235, 232, 226))
        ImageDraw.Draw(image).text((6, 12), text, font=font, fill=(40, 40, 40))
        crops.append(image)
    readings = SecondReader().read(crops)
    assert LineNet.shared().available
    assert [line.text for line in readings] == dates
