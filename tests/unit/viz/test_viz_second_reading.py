"""The line network's second reading of unsure value lines (viz.second_reading)."""

import numpy as np
from PIL import Image

from passport_ocr.ocr_types import OcrLine
from passport_ocr.viz.line_net import LINE_ALPHABET
from passport_ocr.viz.second_reading import (
    FILLED_LETTER_CONFIDENCE, SecondReader, better_reading, fill_dropped, plain_text,
)


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


def _placed(text: str, xs: list[float], confidence: float = 0.9, unreadable: frozenset[str] = frozenset()) -> OcrLine:
    line = OcrLine.plain(text, confidence, box=(0, 0, 100, 20))
    line.char_x, line.unreadable = xs, unreadable
    return line


def _spread(text: str) -> list[float]:
    return [(k + 0.5) / len(text) for k in range(len(text))]


def test_letters_pp_ocr_dropped_are_put_back_from_the_networks_reading_for_review():
    # PP-OCR reads 'CỤC' as 'CC' (no 'Ụ' in its dictionary), the network 'CUC'.
    network = _placed("CUC QUAN", _spread("CUC QUAN"))
    first = _placed("CC QUÅN", [x for k, x in enumerate(_spread("CUC QUAN")) if k != 1])
    filled = fill_dropped(first, network, frozenset("AEIOUY"))
    assert filled is not None and filled.text == "CUC QUÅN"  # PP-OCR's marks kept
    assert filled.chars[1].confidence == FILLED_LETTER_CONFIDENCE and filled.confidence < first.confidence
    assert filled.char_x == network.char_x[:1] + [network.char_x[1]] + first.char_x[1:]
    # Small letters alike ('Cc Qun' for 'Cục Quản').
    small = fill_dropped(_placed("Cc Qun", [0.05, 0.3, 0.4, 0.5, 0.6, 0.9]), _placed("Cuc Quan", _spread("Cuc Quan")), frozenset("AEIOUY"))
    assert small is not None and small.text == "Cuc Quan"


def test_no_letter_is_put_back_where_the_readings_disagree_or_it_could_not_have_been_dropped():
    vowels = frozenset("AEIOUY")
    # The network misread a letter PP-OCR read ('THC' for 'THƠ').
    assert fill_dropped(_placed("CÂN THƠ", _spread("CÂN THƠ")), _placed("CAN THC", _spread("CAN THC")), vowels) is None
    # A consonant is no letter PP-OCR cannot output.
    assert fill_dropped(_placed("BAN", _spread("BAN")[:1] + _spread("BAN")[2:]), _placed("BRAN", _spread("BRAN")), vowels) is None
    # PP-OCR's neighbours stand a pitch apart: no letter was dropped between them.
    assert fill_dropped(_placed("NI", [0.2, 0.4]), _placed("NOI", [0.2, 0.6, 0.8]), vowels) is None
    # Nothing missing.
    assert fill_dropped(_placed("HÀ", _spread("HA")), _placed("HA", _spread("HA")), vowels) is None


def test_on_a_page_that_prints_letters_pp_ocr_cannot_output_every_value_line_is_read_again():
    from passport_ocr.viz.alphabets import page_alphabet

    reader = SecondReader()
    reader.net = _FakeNet(_frames("HA NOI"))
    vietnamese = page_alphabet("VNM")
    unreadable = frozenset(c for c in vietnamese.letters if c in "ỘỤẤỐ")
    network = reader.read([Image.new("L", (100, 20), 255)])[0]
    # PP-OCR's positions: those of the network's letters but the 'O' it dropped.
    sure = _placed("HÀ NI", [x for k, x in enumerate(network.char_x) if k != 4], 0.95, unreadable)
    reader.reread([Image.new("L", (100, 20), 255)], [sure], vietnamese)
    assert sure.text == "HÀ NOI" and not sure.frames  # a sure line: the date spotter fits PP-OCR alone
    # Without such letters on the page a sure line is not read again.
    french = _placed("HÀ NI", list(sure.char_x[:4]) + [sure.char_x[5]], 0.95, unreadable)
    reader.reread([Image.new("L", (100, 20), 255)], [french], page_alphabet("FRA"))
    assert french.text == "HÀ NI" and not french.frames
