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


def test_vietnamese_letters_map_to_their_stack_dot_below_and_horn():
    assert letter_marks("Ả") == ("hook", "none", "none")
    assert letter_marks("Ầ") == ("circumflex_grave", "none", "none")
    assert letter_marks("ẵ") == ("breve_tilde", "none", "none")
    assert letter_marks("Ụ") == ("none", "dot_below", "none")
    assert letter_marks("Ậ") == ("circumflex", "dot_below", "none")  # NFD puts the dot below first
    assert letter_marks("Ư") == ("none", "none", "horn")
    assert letter_marks("Ớ") == ("acute", "none", "horn")
    assert letter_marks("Ợ") == ("none", "dot_below", "horn")
    assert letter_marks("Ẹ") == ("none", "dot_below", "none")  # Yoruba too


def test_letters_the_network_cannot_tell_have_no_classes():
    assert letter_marks("Ǘ") is None  # a stack Vietnamese does not print (Pinyin)
    assert letter_marks("Þ") is None and letter_marks("ß") is None  # letters of their own


def test_a_ligature_is_its_second_letter_with_another_joined_to_it():
    assert letter_marks("Æ") == letter_marks("æ") == ("none", "none", "ligature")


def test_the_shipped_network_has_the_classes_the_reader_names():
    import onnxruntime

    from passport_ocr.viz.marks import ABOVE, ATTACHED, BELOW, MODEL_FILE

    session = onnxruntime.InferenceSession(str(MODEL_FILE), providers=["CPUExecutionProvider"])
    meta = session.get_modelmeta().custom_metadata_map
    assert meta["above"].split(",") == list(ABOVE) and meta["below"].split(",") == list(BELOW)
    assert meta["attached"].split(",") == list(ATTACHED)
    assert (int(meta["height"]), int(meta["width"])) == (WINDOW_HEIGHT, WINDOW_WIDTH)
    assert [o.name for o in session.get_outputs()] == ["above", "below", "attached"]


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
    read = _read("É", {"E": 0.01, "É": 0.01, "Ě": 0.98})
    chosen = mark_letter(read, read, czech)
    assert chosen.char == "Ě" and chosen.confidence <= MARK_CHANGE_CONFIDENCE
    # A national letter read ('Ú' is Czech) gives way only to a network surer than for a
    # plain one: 'ŮSTÍ' for 'ÚSTÍ' at 0.94 on a blurred page.
    national = _read("Ú", {"U": 0.03, "Ú": 0.03, "Ů": 0.94})
    assert mark_letter(national, national, czech).char == "Ú"
    plain = _read("U", {"U": 0.01, "Ú": 0.01, "Ů": 0.98})
    assert mark_letter(plain, plain, czech).char == "Ů"


def test_unsure_marks_change_no_letter_but_doubt_a_plain_one():
    from passport_ocr.viz.alphabets import MARK_NATIONAL_WEIGHT

    read = _read("A", {"A": 0.3, "Å": 0.7})
    chosen = mark_letter(read, read, page_alphabet("DNK"))
    # 'Å' is Danish: it weighs MARK_NATIONAL_WEIGHT times more, not enough for a change.
    assert chosen.char == "A" and chosen.confidence == pytest.approx(0.3 / (0.3 + 0.7 * MARK_NATIONAL_WEIGHT))
    clear = _read("A", {"A": 0.9, "Å": 0.1})
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
    assert mark_letter(_read("A", {"A": 0.3, "Å": 0.7}), plain, page_alphabet("NOR")).char == "A"


def test_a_marked_letter_both_readers_agree_on_is_sure_again():
    from passport_ocr.viz.alphabets import doubt_marks

    # 'ÉVORA' on a clean Portuguese page: the recogniser says 'É' 0.82 and 'È' 0.13, which
    # its doubt about marks takes to 0; the network sees an acute too.
    portuguese = page_alphabet("PRT")
    read = OcrChar("É", 0.82, [("È", 0.135), ("E", 0.03)], {}, {"É": 0.985, "E": 0.014, "Ê": 0.001})
    doubted = doubt_marks(read, read, portuguese, frozenset())
    assert doubted.confidence < 0.1
    assert mark_letter(read, doubted, portuguese).confidence > 0.95
    # A network that sees no mark, or is unsure of it, leaves the doubt as it was.
    for marks in ({"E": 0.99, "É": 0.01}, {"É": 0.7, "Ê": 0.3}):
        other = OcrChar("É", 0.82, [("È", 0.135), ("E", 0.03)], {}, marks)
        assert mark_letter(other, doubted, portuguese).confidence == doubted.confidence
    # Nor a letter the recogniser only gave as a runner-up: 'Ż' for a read 'Z' ('ŁÓDŹ').
    runner_up = OcrChar("Z", 0.6, [("Ż", 0.3), ("Ź", 0.05)], {}, {"Ż": 0.99, "Ź": 0.01})
    assert mark_letter(runner_up, OcrChar("Ż", 0.14, []), page_alphabet("POL")).confidence == 0.14
    # Nor where most of the page's forms of the letter are beyond the recogniser (Vietnam).
    lacking = frozenset({"Ầ", "Ấ", "Ẩ", "Ẫ", "Ậ", "Ạ", "Ả", "Ằ", "Ắ", "Ẳ", "Ẵ", "Ặ"})
    vietnamese = OcrChar("Â", 0.9, [("Á", 0.05)], {}, {"Â": 0.99})
    low = OcrChar("Â", 0.1, [("Á", 0.05)])
    assert mark_letter(vietnamese, low, page_alphabet("VNM"), lacking).confidence == 0.1


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


def _rendered(text: str, face: str = DEJAVU) -> Image.Image:
    font = ImageFont.truetype(face, 34)
    image = Image.new("RGB", (int(font.getlength(text)) + 20, 56), "white")
    ImageDraw.Draw(image).text((10, 6), text, font=font, fill="black")
    return image


def _read_on_page(texts: list[str], country: str, face: str = DEJAVU) -> list[str]:
    """The reader's steps on clean rendered lines: PP-OCRv6, the line network's second
    reading (letters PP-OCR dropped), the mark network, the page's alphabet."""
    from passport_ocr.viz.second_reading import SecondReader

    recognizer, alphabet = TextRecognizer(), page_alphabet(country)
    images = [_rendered(text, face) for text in texts]
    lines = recognizer.read(images)
    SecondReader().reread(images, lines, alphabet)
    recognizer.read_marks(images, lines, alphabet)
    return [restrict_line(line, alphabet).text for line in lines]


def test_vietnamese_letters_pp_ocr_cannot_output_are_read_with_the_line_and_mark_networks():
    # PP-OCRv6 reads 'HÀ NI', 'Hà Ni' and 'Cc Qun lý Xut nhp cnh' (its dictionary lacks 'Ộ',
    # 'ộ', 'ụ', 'ả', 'ấ', 'ậ').
    texts = ["HÀ NỘI", "Hà Nội", "Cục Quản lý Xuất nhập cảnh"]
    assert _read_on_page(texts, "VNM") == texts


def test_ae_read_as_e_or_as_two_letters_is_the_ligature_on_a_danish_page():
    serif = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
    # DejaVu Sans's 'Æ' comes out of PP-OCRv6 as 'AE', DejaVu Serif's as 'E'.
    texts = ["NÆSTVED", "UDLÆNDINGE- OG INTEGRATIONSMINISTERIET", "MICHAEL"]
    assert _read_on_page(texts, "DNK") == texts
    assert _read_on_page(texts, "DNK", serif) == texts
