"""Locating the data page from the MRZ geometry, and cutting long lines between words (no model)."""

from PIL import Image, ImageDraw

from passport_ocr.viz.detect import TextBox
from passport_ocr.ocr_types import OcrLine
from support.recognizers import ReadsNoMarks
from passport_ocr.viz.read import read_printed_fields

from passport_ocr.engines.base import MrzGeometry
from passport_ocr.viz.local_text import _first_part, upright_page


def dark_box_centre(page: Image.Image) -> tuple[float, float]:
    gray = page.convert("L")
    xs, ys = [], []
    for y in range(0, gray.height, 2):
        for x in range(0, gray.width, 2):
            if gray.getpixel((x, y)) < 100:
                xs.append(x)
                ys.append(y)
    return sum(xs) / len(xs) / page.width, sum(ys) / len(ys) / page.height


def test_page_above_the_mrz_is_cut_out_upright_and_scaled():
    # A 440 px wide MRZ at y 400-440 and a dark mark in the page above it, left of centre.
    image = Image.new("RGB", (600, 500), "white")
    ImageDraw.Draw(image).rectangle((150, 200, 190, 230), fill="black")
    geometry = MrzGeometry(corners=[(80, 400), (520, 400), (520, 440), (80, 440)], angle_deg=0, char_height_px=20)
    page, scale = upright_page(image, geometry, "TD3", char_px=40, max_upscale=3)
    assert scale == 2.0
    assert page.width == round(440 * 1.16 * 2)
    upright = dark_box_centre(page)

    # The same document turned a quarter (counter-clockwise): corners move with it.
    turned = image.rotate(90, expand=True)  # (x, y) -> (y, 600 - x)
    corners = [(y, 600 - x) for x, y in geometry.corners]
    page_turned, _ = upright_page(turned, MrzGeometry(corners, 90, 20), "TD3", char_px=40, max_upscale=3)
    assert page_turned.size == page.size
    found = dark_box_centre(page_turned)
    assert abs(found[0] - upright[0]) < 0.01 and abs(found[1] - upright[1]) < 0.01
    assert upright[0] < 0.5  # still left of centre: not mirrored


def test_long_line_cut_at_the_last_word_gap_within_reach():
    line = Image.new("L", (400, 40), 255)
    draw = ImageDraw.Draw(line)
    for x0, x1 in ((5, 60), (75, 140), (155, 300), (310, 395)):  # 'words' 10-15 px apart
        draw.rectangle((x0, 10, x1, 30), fill=0)
    x0, y0, x1, y1 = _first_part(line, (0, 0, 400, 40), aspect=5.0)
    assert 140 < x1 < 155  # in the gap before the third word, the last one starting within 5 heights


def test_short_line_or_line_without_gaps_is_not_cut():
    line = Image.new("L", (400, 40), 255)
    ImageDraw.Draw(line).rectangle((5, 10, 395, 30), fill=0)
    assert _first_part(line, (0, 0, 400, 40), aspect=5.0) == (0, 0, 400, 40)
    assert _first_part(line, (0, 0, 200, 40), aspect=5.0) == (0, 0, 200, 40)


class _RecordingDetector:
    def __init__(self):
        self.sides: list[int] = []

    def detect(self, image, max_side=960):
        self.sides.append(max_side)
        return []


class _NothingToRead(ReadsNoMarks):
    def read(self, crops, squeeze=1.0, spot_labels=False):
        assert not crops
        return []


def test_card_pages_are_detected_at_a_finer_scale_than_passport_pages():
    # Cards print labels smaller next to the MRZ; the detector sees their pages larger.
    from passport_ocr.viz.local_text import LocalPageText, PageTextParams

    reader = LocalPageText.__new__(LocalPageText)
    reader.detector, reader.recognizer, reader.params = _RecordingDetector(), _NothingToRead(), PageTextParams()
    image = Image.new("RGB", (600, 500), "white")
    geometry = MrzGeometry(corners=[(80, 400), (520, 400), (520, 440), (80, 440)], angle_deg=0, char_height_px=20)
    for doc_format in ("TD3", "TD1"):
        assert reader.page_text(image, geometry, doc_format) == []
    passport_side, card_side = reader.detector.sides
    # Per MRZ character, not per page: the TD1 page above the MRZ is shorter but as wide.
    assert card_side / passport_side == dict(PageTextParams().detect_char_px_by_format)["TD1"] / PageTextParams().detect_char_px
    assert card_side > passport_side


def test_stage_clock_charges_cpu_time_to_the_stage_just_ended():
    import time

    from passport_ocr.viz.local_text import StageClock

    def burn(seconds):
        until = time.process_time() + seconds
        while time.process_time() < until:
            pass

    started = time.process_time()
    clock = StageClock()
    burn(0.02)
    clock.lap("detect")
    clock.lap("read")  # nothing done since the last lap
    burn(0.01)
    clock.lap("detect")  # a stage met again adds up
    assert set(clock.seconds) == {"detect", "read"}
    assert clock.seconds["detect"] >= 0.03 and clock.seconds["read"] < 0.005
    assert sum(clock.seconds.values()) <= time.process_time() - started


def test_a_colour_line_is_cut_where_its_grey_version_is():
    line = Image.new("RGB", (400, 40), (250, 245, 230))  # tinted paper
    draw = ImageDraw.Draw(line)
    for x0, x1 in ((5, 60), (75, 140), (155, 300), (310, 395)):
        draw.rectangle((x0, 10, x1, 30), fill=(20, 30, 120))  # blue ink
    box = (0, 0, 400, 40)
    assert _first_part(line, box, aspect=5.0) == _first_part(line.convert("L"), box, aspect=5.0)
    assert 140 < _first_part(line, box, aspect=5.0)[2] < 155


# A 1600 x 1200 image whose MRZ (x 110-1490, 40 px characters) places the data page above it.
# Page pixels are image pixels shifted by the page's origin (MRZ left end less the margin,
# the page's height above the MRZ).
PAGE_GEOMETRY = MrzGeometry(corners=[(110, 1100), (1490, 1100), (1490, 1180), (110, 1180)], angle_deg=0, char_height_px=40)
_PAGE_DX, _PAGE_DY = 110 - 0.08 * 1380, 1100 - 0.72 * 1380


def inked_page(*lines) -> Image.Image:
    """The image whose data page holds, for each (box, word spans) in page pixels, ink over
    those spans of the box."""
    image = Image.new("RGB", (1600, 1200), "white")
    draw = ImageDraw.Draw(image)
    for (_, y0, _, y1), words in lines:
        for a, b in words:
            draw.rectangle((a + _PAGE_DX, y0 + 10 + _PAGE_DY, b + _PAGE_DX, y1 - 10 + _PAGE_DY), fill="black")
    return image


class DetectsOnce:
    """A detector that finds `boxes` on the page, and nothing where it is asked again (the
    label search's strips)."""

    def __init__(self, *boxes):
        self.boxes, self.calls = boxes, 0

    def detect(self, image, max_side=960):
        self.calls += 1
        return [TextBox(*box, 0.9, 0.0) for box in self.boxes] if self.calls == 1 else []


def page_reader(detector, recognizer):
    from passport_ocr.viz.local_text import LocalPageText, PageTextParams

    reader = LocalPageText.__new__(LocalPageText)
    reader.detector, reader.recognizer, reader.params = detector, recognizer, PageTextParams()
    return reader


def test_a_value_under_a_label_cut_inside_its_word_is_read_whole():
    # '發照機關 / Authority' cut by the first pass at '/ Autho' names the authority: the value
    # under it, cut too, is read whole.
    label, value = (450.0, 300.0, 1000.0, 343.0), (452.0, 345.0, 1100.0, 389.0)
    image = inked_page((label, ((455, 500), (520, 600), (625, 990))), (value, ((455, 600), (625, 700), (720, 1090))))

    class _CutOrWhole(ReadsNoMarks):
        def read(self, crops, squeeze=1.0, spot_labels=False):
            texts = {
                (43, False): "/ Autho", (43, True): "/ Authority",
                (44, False): "EMBASSY", (44, True): "EMBASSY OF THE REPUBLIC OF CHINA",
            }
            return [OcrLine(text=texts[(crop.height, crop.width > 400)], confidence=0.95) for crop in crops]

    lines = page_reader(DetectsOnce(label, value), _CutOrWhole()).page_text(image, PAGE_GEOMETRY, "TD3")
    assert [line.text for line in lines] == ["/ Autho", "EMBASSY OF THE REPUBLIC OF CHINA"]
    assert read_printed_fields(lines, {})["authority"].value == "EMBASSY OF THE REPUBLIC OF CHINA"


def test_values_read_in_part_are_read_whole_when_no_label_names_the_place_or_authority():
    # Labels too small to read: the field order may still place a value (viz.order), which
    # must then be whole ('WOJEWODA' is not the authority 'WOJEWODA MAZOWIECKI').
    value = (452.0, 345.0, 1100.0, 389.0)
    image = inked_page((value, ((455, 600), (625, 700), (720, 1090))))

    class _CutOrWhole(ReadsNoMarks):
        def __init__(self):
            self.whole_reads = 0

        def read(self, crops, squeeze=1.0, spot_labels=False):
            self.whole_reads += sum(crop.width > 400 for crop in crops)
            return [
                OcrLine(text="WOJEWODA MAZOWIECKI" if crop.width > 400 else "WOJEWODA", confidence=0.95)
                for crop in crops
            ]

    reader = page_reader(DetectsOnce(value), _CutOrWhole())
    lines = reader.page_text(image, PAGE_GEOMETRY, "TD3")
    assert [line.text for line in lines] == ["WOJEWODA MAZOWIECKI"]
    assert reader.recognizer.whole_reads == 1
    # Asked only for fields the page gives without the order (no place, no authority), the
    # value is left in part.
    reader.detector = DetectsOnce(value)
    lines = reader.page_text(image, PAGE_GEOMETRY, "TD3", frozenset({"date_of_issue"}))
    assert [line.text for line in lines] == ["WOJEWODA"]


def test_a_value_under_a_bare_label_of_a_wanted_text_field_is_read_whole_at_once():
    # 'Authority' read, the long line under it is its value: read whole, never in part first.
    label, value = (450.0, 300.0, 700.0, 343.0), (452.0, 345.0, 1100.0, 389.0)
    image = inked_page((label, ((455, 690),)), (value, ((455, 600), (625, 700), (720, 1090))))

    class _Reader(ReadsNoMarks):
        def __init__(self):
            self.widths = []

        def read(self, crops, squeeze=1.0, spot_labels=False):
            self.widths += [crop.width for crop in crops if crop.height == 44]
            return [
                OcrLine(text="Authority" if crop.height == 43 else "MINISTRY OF FOREIGN AFFAIRS", confidence=0.95)
                for crop in crops
            ]

    reader = page_reader(DetectsOnce(label, value), _Reader())
    lines = reader.page_text(image, PAGE_GEOMETRY, "TD3", frozenset({"authority"}))
    assert [line.text for line in lines] == ["Authority", "MINISTRY OF FOREIGN AFFAIRS"]
    assert reader.recognizer.widths == [648]  # the value, once, whole
