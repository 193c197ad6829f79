"""The finer second look for labels above values that have none (geometry; fake models)."""

from PIL import Image

from passport_ocr.viz.detect import TextBox
from passport_ocr.engines.base import MrzGeometry
from passport_ocr.ocr_types import OcrLine
from support.recognizers import ReadsNoMarks
from passport_ocr.viz.label_search import (
    label_candidates,
    label_strip,
    merge_labels,
    unlabelled_values,
)
from passport_ocr.viz.read import read_printed_fields

VALUE = (600.0, 660.0, 800.0, 717.0)  # a 57 px high value, 'MONTRÉAL'
LABEL = (630.0, 630.0, 790.0, 653.0)  # a 23 px label just above it


def line(text, box):
    return OcrLine(text=text, box=box, confidence=0.95)


def test_values_without_a_label_above_them_are_searched():
    lines = [
        line("Place of birth", (100.0, 100.0, 260.0, 125.0)),
        line("PARIS", (102.0, 122.0, 220.0, 170.0)),
        line("MONTRÉAL", VALUE),
        line("08 NOV 2016", (100.0, 760.0, 340.0, 818.0)),  # a date: attributed without a label
        line("F", (100.0, 660.0, 124.0, 700.0)),  # too short for a place
    ]
    assert unlabelled_values(lines) == [VALUE]


def test_the_strip_lies_over_the_value_from_a_little_left_of_it():
    x0, y0, x1, y1 = label_strip(VALUE, (1600, 1000))
    height = VALUE[3] - VALUE[1]
    assert x0 < VALUE[0] < x1 and y0 < VALUE[1] < y1 < VALUE[3]
    assert VALUE[1] - y0 > height  # room for a label above, not just its lower half
    assert label_strip((10.0, 0.0, 200.0, 50.0), (1600, 1000)) is None  # nothing above the page's top


def test_a_label_found_above_is_kept_and_the_value_found_again_is_not():
    refound_value = (598.0, 662.0, 802.0, 715.0)
    candidates = label_candidates([(LABEL, VALUE), (refound_value, VALUE)], [line("MONTRÉAL", VALUE)], unread=[])
    assert len(candidates) == 1
    x0, y0, x1, y1 = candidates[0]
    assert (y0, y1) == (LABEL[1], LABEL[3]) and x0 < LABEL[0] and x1 > LABEL[2]  # padded sideways only


def test_a_box_much_higher_than_the_value_is_no_label():
    title = (600.0, 560.0, 900.0, 640.0)
    assert label_candidates([(title, VALUE)], [line("MONTRÉAL", VALUE)], unread=[]) == []


def test_pieces_of_one_label_on_a_row_are_joined():
    number, words = (605.0, 632.0, 622.0, 651.0), (640.0, 630.0, 790.0, 653.0)
    (joined,) = label_candidates([(number, VALUE), (words, VALUE)], [line("MONTRÉAL", VALUE)], unread=[])
    assert joined[0] < number[0] and joined[2] > words[2]


def test_a_found_label_replaces_the_piece_the_coarse_detection_read():
    piece = line("10. Auth", (630.0, 632.0, 690.0, 652.0))
    value = line("Bureau of Consular Affairs", VALUE)
    label = line("10. Authority", LABEL)
    merged = merge_labels([piece, value], [label])
    assert [l.text for l in merged] == ["10. Authority", "Bureau of Consular Affairs"]
    # ...but never a value or a longer line already read in its place.
    assert merge_labels([value], [line("BRNO", (598.0, 662.0, 700.0, 715.0))]) == [value]


class _StripDetector:
    """The page's detection finds only the value; a strip's finds the label in it."""

    def __init__(self):
        self.calls = 0

    def detect(self, image, max_side=960):
        self.calls += 1
        if self.calls == 1:
            return [TextBox(*VALUE, 0.9, 0.0)]
        # Strip coordinates: the label's box, shifted by the strip's origin.
        strip = label_strip(VALUE, (1600, 1000))
        return [TextBox(LABEL[0] - strip[0], LABEL[1] - strip[1], LABEL[2] - strip[0], LABEL[3] - strip[1], 0.8, 0.0)]


class _ByHeight(ReadsNoMarks):
    """Reads a crop as the value or the label, by its height."""

    def read(self, crops, squeeze=1.0, spot_labels=False):
        return [OcrLine(text="MONTRÉAL" if crop.height > 40 else "9. Lieu de naissance", confidence=0.95) for crop in crops]


def test_a_missing_label_is_found_above_its_value_and_names_it():
    from passport_ocr.viz.local_text import LocalPageText, PageTextParams

    reader = LocalPageText.__new__(LocalPageText)
    reader.detector, reader.recognizer, reader.params = _StripDetector(), _ByHeight(), PageTextParams()
    # An MRZ 40 px high per character on a page at scale 1: the page is 1600 wide.
    image = Image.new("RGB", (1600, 1200), "white")
    geometry = MrzGeometry(corners=[(110, 1100), (1490, 1100), (1490, 1180), (110, 1180)], angle_deg=0, char_height_px=40)
    lines = reader.page_text(image, geometry, "TD3")
    assert reader.detector.calls == 2
    assert [l.text for l in lines] == ["9. Lieu de naissance", "MONTRÉAL"]
    assert read_printed_fields(lines, {})["place_of_birth"].value == "MONTRÉAL"


def test_no_second_look_when_place_and_authority_were_found():
    from passport_ocr.viz.local_text import LocalPageText, PageTextParams

    place, authority = (100.0, 100.0, 300.0, 123.0), (100.0, 300.0, 260.0, 326.0)
    place_value, authority_value = (102.0, 121.0, 250.0, 170.0), (102.0, 324.0, 300.0, 372.0)

    class _Page(_StripDetector):
        def detect(self, image, max_side=960):
            self.calls += 1
            boxes = (place, place_value, authority, authority_value, VALUE)  # top to bottom
            return [TextBox(*box, 0.8, 0.0) for box in boxes]

    class _ByHeight(ReadsNoMarks):
        def read(self, crops, squeeze=1.0, spot_labels=False):
            texts = {23: "Place of birth", 26: "Authority"}
            return [OcrLine(text=texts.get(crop.height, "MONTRÉAL"), confidence=0.95) for crop in crops]

    reader = LocalPageText.__new__(LocalPageText)
    reader.detector, reader.recognizer, reader.params = _Page(), _ByHeight(), PageTextParams()
    image = Image.new("RGB", (1600, 1200), "white")
    geometry = MrzGeometry(corners=[(110, 1100), (1490, 1100), (1490, 1180), (110, 1180)], angle_deg=0, char_height_px=40)
    found = read_printed_fields(reader.page_text(image, geometry, "TD3"), {})
    assert {"place_of_birth", "authority"} <= set(found)
    assert reader.detector.calls == 1  # the last MONTRÉAL has no label, but nothing is missing


def test_a_value_read_in_part_under_a_label_the_search_spotted_is_read_whole():
    # 'DEPARTMENT OF STATE' has no label the page's detection found, so the first pass reads
    # only its first word; the search finds its small label, misread but spotted (viz.spot).
    from PIL import ImageDraw

    from passport_ocr.viz.local_text import LocalPageText, PageTextParams

    value = (600.0, 660.0, 1100.0, 717.0)
    image = Image.new("RGB", (1600, 1200), "white")
    # Page pixels are image pixels shifted by the page's origin (see test_viz_local_text).
    dx, dy = 110 - 0.08 * 1380, 1100 - 0.72 * 1380
    for a, b in ((605, 700), (730, 1095)):  # two words: the first pass cuts at the gap
        ImageDraw.Draw(image).rectangle((a + dx, 670 + dy, b + dx, 707 + dy), fill="black")

    class _Detector:
        def __init__(self):
            self.calls = 0

        def detect(self, image, max_side=960):
            self.calls += 1
            if self.calls == 1:
                return [TextBox(*value, 0.9, 0.0)]
            strip = label_strip(value, (1600, 1000))
            return [TextBox(LABEL[0] - strip[0], LABEL[1] - strip[1], LABEL[2] - strip[0], LABEL[3] - strip[1], 0.8, 0.0)]

    class _Recognizer(ReadsNoMarks):
        def read(self, crops, squeeze=1.0, spot_labels=False):
            lines = []
            for crop in crops:
                if crop.height < 40:
                    lines.append(OcrLine(text="Lne t", confidence=0.45, spotted_label=("authority", -0.5) if spot_labels else None))
                else:
                    lines.append(OcrLine(text="DEPARTMENT OF STATE" if crop.width > 300 else "DEPARTMENT", confidence=0.95))
            return lines

    reader = LocalPageText.__new__(LocalPageText)
    reader.detector, reader.recognizer, reader.params = _Detector(), _Recognizer(), PageTextParams()
    geometry = MrzGeometry(corners=[(110, 1100), (1490, 1100), (1490, 1180), (110, 1180)], angle_deg=0, char_height_px=40)
    lines = reader.page_text(image, geometry, "TD3")
    assert [l.text for l in lines] == ["Lne t", "DEPARTMENT OF STATE"]
    found = read_printed_fields(lines, {})["authority"]
    assert found.value == "DEPARTMENT OF STATE" and found.confidence < 0.7


def test_a_value_is_unlabelled_unless_a_label_of_a_field_it_could_be_takes_it_as_its_value():
    # 'DGP POLICÍA NACIONAL' holds a label word ('nacional') but is no label line; the
    # expiry label beside the misread authority label reaches it only because the expiry
    # date under it was left unread; the issue date's label two rows up takes its own date.
    lines = [
        line("Date of issue / Date de délivrance", (437.0, 386.0, 670.0, 425.0)),
        line("Date of expiry", (797.0, 389.0, 932.0, 424.0)),
        line("2013-01-15", (439.0, 416.0, 623.0, 454.0)),
        line("Ahery!", (439.0, 450.0, 509.0, 479.0)),
        line("DGP POLICÍA NACIONAL", (440.0, 474.0, 1084.0, 509.0)),
    ]
    assert (440.0, 474.0, 1084.0, 509.0) in unlabelled_values(lines)
    # Under a label that names a text field, it is labelled.
    lines[3] = line("Authority", (439.0, 450.0, 560.0, 479.0))
    assert (440.0, 474.0, 1084.0, 509.0) not in unlabelled_values(lines)


def test_a_misread_line_where_the_label_would_be_is_read_again_as_a_candidate():
    # The strip's detection finds nothing; the page's own box of the faint label ('Ahery!',
    # read unsurely) is read again and spotted.
    from passport_ocr.viz.local_text import LocalPageText, PageTextParams

    label, value = (630.0, 630.0, 760.0, 653.0), (600.0, 660.0, 800.0, 717.0)

    class _Detector:
        def __init__(self):
            self.calls = 0

        def detect(self, image, max_side=960):
            self.calls += 1
            return [TextBox(*label, 0.9, 0.0), TextBox(*value, 0.9, 0.0)] if self.calls == 1 else []

    class _Recognizer(ReadsNoMarks):
        def read(self, crops, squeeze=1.0, spot_labels=False):
            return [
                OcrLine(text="Ahery!", confidence=0.55, spotted_label=("authority", -0.4) if spot_labels else None)
                if crop.height < 40 else OcrLine(text="STADT KÖLN", confidence=0.97)
                for crop in crops
            ]

    reader = LocalPageText.__new__(LocalPageText)
    reader.detector, reader.recognizer, reader.params = _Detector(), _Recognizer(), PageTextParams()
    image = Image.new("RGB", (1600, 1200), "white")
    geometry = MrzGeometry(corners=[(110, 1100), (1490, 1100), (1490, 1180), (110, 1180)], angle_deg=0, char_height_px=40)
    found = read_printed_fields(reader.page_text(image, geometry, "TD3"), {})
    assert found["authority"].value == "STADT KÖLN" and found["authority"].confidence < 0.7
