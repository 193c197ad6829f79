"""A place of birth and an authority placed by the ICAO field order when their labels are
illegible (hand-built lines laid out like worn data pages)."""

from passport_ocr.ocr_types import OcrLine
from passport_ocr.viz.order import place_by_order, reading_order
from passport_ocr.viz.read import UNLABELLED_PLACE_SCORE, read_printed_fields
from support.page_lines import page

MRZ_FIELDS = {
    "document_type": "P",
    "surname": "ODEGAARD",
    "given_names": "INGRID",
    "document_number": "BQQG5HH1",
    "nationality": "SWE",
    "issuing_country": "SWE",
    "date_of_birth": "1998-05-25",
    "sex": "M",
    "date_of_expiry": "2034-11-16",
    "personal_number": "38430164831171",
}


# A passport page whose small labels came out as specks or not at all; the values, printed
# larger, read right. Rows as ICAO 9303 orders them: DOB | personal number, sex | place of
# birth, date of issue | authority, date of expiry.
WORN_PASSPORT = page(
    ("PASSEPORT / PASSPORT", 71, 48, 524, 104),
    ("A", 95, 105, 162, 131),
    ("BQQG5HH1", 776, 157, 992, 236),
    ("SWE", 420, 157, 508, 236),
    ("ODEGÅRD", 70, 276, 259, 342),
    ("Ingrid", 70, 390, 196, 453),
    ("SVERIGE SWEDEN", 73, 495, 406, 558),
    ("25 MAY 1998", 73, 592, 338, 673),
    ("38430164831171", 602, 602, 953, 665),
    ("M", 70, 700, 100, 770),
    ("Århus", 601, 701, 722, 780),
    ("17 NOV 2024", 71, 815, 340, 890),
    ("Polisen", 598, 810, 756, 887),
    ("16 NOV 2034", 69, 930, 319, 998),
    confidence=0.95,
)


def test_unlabelled_place_and_authority_follow_the_field_order():
    found = read_printed_fields(WORN_PASSPORT, MRZ_FIELDS)
    assert found["date_of_issue"].value == "2024-11-17"
    assert found["place_of_birth"].value == "Århus"
    assert found["authority"].value == "Polisen"
    for field in ("place_of_birth", "authority"):
        assert found[field].labelled is False
        assert found[field].confidence <= UNLABELLED_PLACE_SCORE * 0.95 + 1e-9


def test_the_header_names_and_nationality_above_the_birth_date_are_never_placed():
    # Without the place and the authority lines, nothing is left to place: the state's name
    # and the holder's name lie above the birth date.
    lines = [line for line in WORN_PASSPORT if line.text not in ("Århus", "Polisen")]
    found = read_printed_fields(lines, MRZ_FIELDS)
    assert "place_of_birth" not in found and "authority" not in found


def test_readable_labels_win_over_the_order():
    labelled = WORN_PASSPORT + page(
        ("Place of birth", 601, 680, 760, 699),
        ("Authority", 598, 790, 700, 809),
    )
    found = read_printed_fields(labelled, MRZ_FIELDS)
    assert found["place_of_birth"].value == "Århus" and found["place_of_birth"].labelled
    assert found["authority"].value == "Polisen" and found["authority"].labelled


def test_nothing_is_placed_without_the_birth_date_to_anchor_the_order():
    lines = [line for line in WORN_PASSPORT if line.text != "25 MAY 1998"]
    assert place_by_order(lines, MRZ_FIELDS, "2024-11-17", frozenset({"place_of_birth", "authority"}), lambda t: False) == {}


def test_a_misread_small_label_is_not_a_value():
    # 'Fot ol bdh' is a label read as nonsense: half a value's height, it is not the place.
    lines = [line for line in WORN_PASSPORT if line.text != "Århus"] + page(("Fot ol bdh", 601, 690, 760, 722))
    assert "place_of_birth" not in read_printed_fields(lines, MRZ_FIELDS)


def test_card_layout_takes_the_line_before_the_issue_date_not_the_nationality_beside_the_birth_date():
    # ID cards: birth date, sex and nationality on one row, the place of birth under them,
    # then the dates of issue and expiry side by side, and the authority last.
    card = page(
        ("VIRTANEN", 40, 100, 260, 140),
        ("25.05.1998", 40, 200, 250, 240),
        ("M", 300, 200, 330, 240),
        ("SUOMI FINLAND", 380, 200, 640, 240),
        ("ROVANIEMI", 40, 260, 260, 300),
        ("17.11.2024", 40, 320, 250, 360),
        ("16.11.2034", 300, 320, 510, 360),
        ("POLIISI LAPPEENRANTA", 40, 380, 460, 420),
    )
    card_fields = {**MRZ_FIELDS, "document_type": "I", "surname": "VIRTANEN"}
    found = read_printed_fields(card, card_fields)
    assert found["place_of_birth"].value == "ROVANIEMI"
    assert found["authority"].value == "POLIISI LAPPEENRANTA"
    # A card that prints no place of birth: the nationality beside the birth date is not one.
    found = read_printed_fields([line for line in card if line.text != "ROVANIEMI"], card_fields)
    assert "place_of_birth" not in found


def test_visas_print_no_place_of_birth_or_authority():
    found = read_printed_fields(WORN_PASSPORT, {**MRZ_FIELDS, "document_type": "V"})
    assert "place_of_birth" not in found and "authority" not in found


def test_reading_order_is_rows_top_to_bottom_then_left_to_right():
    lines = page(("b", 300, 12, 400, 40), ("a", 10, 10, 100, 40), ("c", 10, 60, 100, 90))
    assert [i for _, i in reading_order(lines)] == [1, 0, 2]
    assert [row for row, _ in reading_order(lines)] == [0, 0, 1]


def test_without_a_readable_issue_date_only_the_place_of_birth_is_placed():
    # '17 NOV 2024' misread past parsing: the place of birth is still the first value before
    # the next date-like line, but what follows it cannot be told from the expiry's row.
    lines = [
        OcrLine.plain("a p2024", 0.95, box=line.box) if line.text == "17 NOV 2024" else line for line in WORN_PASSPORT
    ]
    found = read_printed_fields(lines, MRZ_FIELDS)
    assert "date_of_issue" not in found
    assert found["place_of_birth"].value == "Århus"
    assert "authority" not in found
    # With nothing date-like after it, a lone value could be a card's authority: not placed.
    lines = [line for line in lines if line.text not in ("a p2024", "16 NOV 2034", "Polisen")]
    assert "place_of_birth" not in read_printed_fields(lines, MRZ_FIELDS)


def test_a_birth_date_misread_in_its_month_still_anchors_the_order():
    lines = [OcrLine.plain("25 y 1998", 0.95, box=line.box) if line.text == "25 MAY 1998" else line for line in WORN_PASSPORT]
    found = read_printed_fields(lines, MRZ_FIELDS)
    assert found["place_of_birth"].value == "Århus"
    assert found["authority"].value == "Polisen"
    # Nor does it need the expiry date read to tell values from labels by height.
    no_expiry = [line for line in lines if line.text != "16 NOV 2034"]
    assert read_printed_fields(no_expiry, MRZ_FIELDS)["place_of_birth"].value == "Århus"
    # A day or a year that is not the MRZ's is no anchor.
    lines = [OcrLine.plain("26 y 1998", 0.95, box=line.box) if line.text == "25 MAY 1998" else line for line in WORN_PASSPORT]
    assert "place_of_birth" not in read_printed_fields(lines, MRZ_FIELDS)


def test_a_value_loosely_like_a_label_is_placed_but_a_misread_date_label_is_not():
    # 'PASSPORT CANADA' resembles 'Passport No.' and 'LEEDS' 'Sexe'; both are values. A line
    # as high as the values that reads loosely as 'Date of issue' is that label, misread.
    lines = [
        OcrLine.plain({"Århus": "LEEDS", "Polisen": "PASSPORT CANADA"}.get(line.text, line.text), 0.95, box=line.box)
        for line in WORN_PASSPORT
    ]
    found = read_printed_fields(lines, MRZ_FIELDS)
    assert (found["place_of_birth"].value, found["authority"].value) == ("LEEDS", "PASSPORT CANADA")
    lines = lines + page(("9. Dae ol isue", 800, 701, 1060, 780))
    assert read_printed_fields(lines, MRZ_FIELDS)["place_of_birth"].value == "LEEDS"


def test_a_line_read_as_nothing_is_no_value_whatever_its_place():
    # The authority is printed on another page; where it would be, the recogniser read the
    # signature's small label as nothing it could name ('Cenneo' at 0.26).
    lines = [line for line in WORN_PASSPORT if line.text != "Polisen"] + page(("Cenneo", 598, 810, 756, 887), confidence=0.26)
    found = read_printed_fields(lines, MRZ_FIELDS)
    assert "authority" not in found
    assert found["place_of_birth"].value == "Århus"
