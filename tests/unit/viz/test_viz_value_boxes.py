"""Choosing which detected boxes to recognise, from the labels already read (no model)."""

from passport_ocr.ocr_types import OcrLine
from passport_ocr.viz.value_boxes import could_be_value_of, possible_labels, ready_boxes, unwanted_value, worth_reading_whole

LABEL_H, VALUE_H = 34, 50


def label_at(x: float, y: float, width: float = 150) -> tuple[float, float, float, float]:
    return (x, y, x + width, y + LABEL_H)


def value_under(label: tuple, width: float = 220, height: float = VALUE_H) -> tuple[float, float, float, float]:
    return (label[0] + 2, label[3] - 8, label[0] + 2 + width, label[3] - 8 + height)


def read_as(boxes: list, texts: dict[int, str]) -> dict[int, OcrLine]:
    return {i: OcrLine(text=text, box=boxes[i], confidence=0.9) for i, text in texts.items()}


def test_a_value_lies_under_its_label_not_beside_or_above_it():
    label = label_at(500, 200)
    assert could_be_value_of(label, value_under(label))
    assert not could_be_value_of(label, value_under(label_at(1000, 200)))  # another column
    assert not could_be_value_of(value_under(label), label)  # above
    assert not could_be_value_of(label, value_under(label_at(500, 400)))  # rows further down


def test_boxes_are_decided_top_down_once_their_possible_labels_are():
    nationality = label_at(500, 200)
    boxes = [nationality, value_under(nationality), label_at(1000, 205)]
    labels_of = possible_labels(boxes)
    assert labels_of == [[], [0], []]
    assert ready_boxes(labels_of, decided=set()) == [0, 2]
    assert ready_boxes(labels_of, decided={0, 2}) == [1]


def test_values_of_unwanted_labels_are_skipped_and_wanted_ones_read():
    nationality, place = label_at(500, 200), label_at(1000, 200)
    boxes = [nationality, place, value_under(nationality), value_under(place)]
    read = read_as(boxes, {0: "Nationality / Nationalité", 1: "Place of birth / Lieu de naissance"})
    assert unwanted_value(2, boxes, read)
    assert not unwanted_value(3, boxes, read)


def test_a_box_under_an_unwanted_label_is_read_when_it_may_be_a_label_or_the_line_holds_a_value():
    sex = label_at(500, 200)
    # Not taller than the label: more likely the next label than a value.
    boxes = [sex, value_under(sex, height=LABEL_H)]
    assert not unwanted_value(1, boxes, read_as(boxes, {0: "Sex / Sexe"}))
    # The line above holds its own value: it claims nothing under it.
    boxes = [sex, value_under(sex)]
    assert not unwanted_value(1, boxes, read_as(boxes, {0: "Nationality / Nationalité DEUTSCH"}))
    # Unread text above (a title, say): nothing claims the box.
    assert not unwanted_value(1, boxes, {})


def test_only_the_closest_box_under_an_unwanted_label_is_its_value():
    nationality = label_at(500, 200)
    value = value_under(nationality)
    second_row = (value[0], value[3] + 4, value[2], value[3] + 4 + VALUE_H)
    boxes = [nationality, value, second_row]
    read = read_as(boxes, {0: "Nationality"})
    assert unwanted_value(1, boxes, read)
    assert not unwanted_value(2, boxes, read)


def test_a_line_read_in_part_is_read_whole_only_where_a_value_or_a_label_could_be():
    title = (100, 40, 700, 100)
    state = (100, 100, 600, 140)
    authority_label = label_at(500, 600, width=400)
    authority = value_under(authority_label, width=700)
    boxes = [title, state, authority_label, authority]
    read = read_as(boxes, {0: "PASSPORT", 1: "REPUBLIK", 2: "Authority / Autorité", 3: "MAGISTRAT"})
    assert not worth_reading_whole(1, boxes, read)  # the state's name, under larger print
    assert worth_reading_whole(3, boxes, read)  # the value of a wanted label
    # A misread label above a larger line: read whole, its other language may name it.
    read[2] = OcrLine(text="Autnty", box=authority_label, confidence=0.5)
    assert worth_reading_whole(2, boxes, read)


def _record(birth_check_ok: bool, warnings=()):
    from passport_ocr.record import MrzCheck, MrzInfo, Record, Warning

    checks = [MrzCheck("document_number", "1", "1", True), MrzCheck("date_of_birth", "5", "5" if birth_check_ok else "4", birth_check_ok)]
    info = MrzInfo(format="TD3", lines=[], raw_lines=[], valid=birth_check_ok, checks=checks)
    return Record(mrz=info, warnings=[Warning(code, "", field, "error") for code, field in warnings])


def test_the_printed_birth_date_is_wanted_only_while_the_mrz_leaves_it_in_doubt():
    from passport_ocr.viz.value_boxes import WANTED_FIELDS, wanted_fields

    settled = wanted_fields(_record(birth_check_ok=True))
    assert "date_of_birth" not in settled
    assert settled == WANTED_FIELDS - {"date_of_birth"}  # print-only fields and names stay wanted
    # The century cannot be told from two digits; a failing check digit vouches for nothing.
    assert "date_of_birth" in wanted_fields(_record(True, [("ambiguous_century", "date_of_birth")]))
    assert "date_of_birth" in wanted_fields(_record(birth_check_ok=False))
    # A doubt about another field changes nothing.
    assert "date_of_birth" not in wanted_fields(_record(True, [("ambiguous_century", "date_of_expiry")]))


def test_the_value_under_a_birth_date_label_is_left_unread_when_not_wanted():
    from passport_ocr.viz.value_boxes import WANTED_FIELDS

    birth = label_at(500, 200)
    boxes = [birth, value_under(birth)]
    read = read_as(boxes, {0: "Date of birth / Date de naissance"})
    assert not unwanted_value(1, boxes, read)
    assert unwanted_value(1, boxes, read, WANTED_FIELDS - {"date_of_birth"})


def test_a_numbered_label_is_a_bare_label_and_its_value_of_an_unwanted_field_is_skipped():
    from passport_ocr.viz.value_boxes import label_fields

    assert label_fields("3. Passport No.") == {"document_number"}
    assert label_fields("11. Authority") == {"authority"}
    assert label_fields("3. XS7313199") is None  # a number, then a value: not a label
    assert label_fields("12 MAR 2025") is None
    number = label_at(500, 200)
    boxes = [number, value_under(number)]
    assert unwanted_value(1, boxes, read_as(boxes, {0: "3. Passport No. / No. du passeport"}))


def test_a_cut_value_under_a_label_misread_past_matching_is_read_whole():
    # 'Autorité / Authority' read 'AutorinéAurty' (read.py guesses it is the authority's
    # label): the value under it, read only in part ('PASSPORT' of 'PASSPORT CANADA'), is read whole.
    label = label_at(500, 200, width=200)
    boxes = [label, value_under(label, height=LABEL_H)]
    assert worth_reading_whole(1, boxes, read_as(boxes, {0: "AutorinéAurty", 1: "PASSPORT"}), frozenset({"authority"}))
    assert not worth_reading_whole(1, boxes, read_as(boxes, {0: "AutorinéAurty", 1: "PASSPORT"}), frozenset({"surname"}))
