"""The VIZ stage end to end: real specimen and generated page with the offline models, and
the OCR.Space path (page lines already read) without any model."""

from dataclasses import dataclass, field
from datetime import date

import pytest
from PIL import Image

from passport_ocr.engines.base import MrzGeometry, MrzReading
from passport_ocr.ocr_types import OcrLine
from passport_ocr.record import Record
from passport_ocr.viz import page_lines_for, read_visual_zone


def mrz_record(engine, image, today):
    from passport_ocr.mrz import read_mrz

    best, best_reading = None, None
    for reading in engine.mrz_candidates(image):
        result = read_mrz(reading.lines, today=today)
        if best is None or result.score > best.score:
            best, best_reading = result, reading
        if result.info.valid:
            break
    rec = Record(fields=dict(best.fields), confidence=dict(best.confidence), warnings=list(best.warnings), mrz=best.info)
    return rec, best_reading


@pytest.fixture(scope="module")
def local_engine():
    pytest.importorskip("passport_ocr.engines.local")
    from passport_ocr.engines import get_engine
    from passport_ocr.settings import Settings

    return get_engine(Settings(engine="local"))


def test_icao_specimen_date_of_issue_and_printed_fields(local_engine, real_samples_dir, real_truth):
    truth = next(t for t in real_truth if t["file"] == "uto_td3_icao.png")
    image = Image.open(real_samples_dir / truth["file"]).convert("RGB")
    rec, reading = mrz_record(local_engine, image, date(2026, 1, 1))
    read_visual_zone(image, reading, rec, local_engine)
    assert rec.fields["date_of_issue"] == truth["date_of_issue"] == "2007-04-16"
    assert rec.fields["place_of_birth"] == "ZENITH"
    assert rec.fields["authority"] == "PASSPORT OFFICE"
    assert rec.confidence["date_of_issue"] > 0.8
    assert not any(w.code == "viz_mismatch" for w in rec.warnings)


def _as_jpeg(image: Image.Image, quality: int) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "file, make_harder",
    [
        # 250 px wide: the issue date's dot before the year reads as a comma ('22.02,2008').
        ("deu_bdr_mustermann.jpg", lambda page: page.resize((250, round(page.height * 250 / page.width)), Image.LANCZOS)),
        # Darkened: the card's compact date reads with a colon ('0101:03').
        ("che_id_vadis.jpg", lambda page: Image.eval(page, lambda level: int(level * 0.45))),
    ],
)
def test_real_specimen_made_harder_keeps_its_date_of_issue(local_engine, real_samples_dir, real_truth, file, make_harder):
    from passport_ocr.extract import extract
    from passport_ocr.settings import Settings

    truth = next(t for t in real_truth if t["file"] == file)
    page = make_harder(Image.open(real_samples_dir / file).convert("RGB"))
    rec = extract(_as_jpeg(page, 85), engine=local_engine, settings=Settings(engine="local"))
    assert rec.fields["date_of_issue"] == truth["date_of_issue"]


def test_generated_page_date_of_issue_and_authority(local_engine):
    synth = pytest.importorskip("passport_synth")
    sample = synth.generate(seed=3, condition="clean", doc_format="TD3")
    rec, reading = mrz_record(local_engine, sample.image, synth.REFERENCE_DATE)
    read_visual_zone(sample.image, reading, rec, local_engine)
    assert rec.fields["date_of_issue"] == sample.truth["date_of_issue"]
    assert rec.fields["authority"].upper() == sample.truth["authority"].upper()
    assert rec.fields["place_of_birth"].upper() == sample.truth["place_of_birth"].upper()


@dataclass
class PageReading(MrzReading):
    """Like OCR.Space's reading: the whole page's lines come with the MRZ."""

    page_lines: list[OcrLine] = field(default_factory=list)


class NoPageText:
    name = "ocrspace"


def test_page_lines_of_the_reading_are_used_without_the_mrz():
    page = [
        OcrLine.plain("Date of issue", box=(10, 10, 200, 30)),
        OcrLine.plain("16 APR 2007", box=(10, 32, 150, 52)),
        OcrLine.plain("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", box=(10, 300, 900, 330)),
        OcrLine.plain("12 AUG 2012", box=(10, 400, 150, 420)),  # under the MRZ: not the data page
    ]
    geometry = MrzGeometry(corners=[(10, 300), (900, 300), (900, 370), (10, 370)], angle_deg=0, char_height_px=30)
    reading = PageReading(lines=[], geometry=geometry, page_lines=page)
    lines = page_lines_for(NoPageText(), Image.new("RGB", (10, 10)), reading, "TD3")
    assert [line.text for line in lines] == ["Date of issue", "16 APR 2007"]

    rec = Record()
    rec.fields.update(date_of_birth="1974-08-12", date_of_expiry="2012-04-15")
    read_visual_zone(Image.new("RGB", (10, 10)), reading, rec, NoPageText())
    assert rec.fields["date_of_issue"] == "2007-04-16"


def test_no_geometry_and_no_page_lines_leaves_the_fields_empty():
    rec = Record()
    read_visual_zone(Image.new("RGB", (10, 10)), MrzReading(lines=[]), rec, NoPageText())
    assert rec.fields["date_of_issue"] is None
    assert [w.code for w in rec.warnings] == ["viz_unavailable"]


def _page_reading(page: list[OcrLine]) -> "PageReading":
    geometry = MrzGeometry(corners=[(10, 300), (900, 300), (900, 370), (10, 370)], angle_deg=0, char_height_px=30)
    return PageReading(lines=[], geometry=geometry, page_lines=page)


def test_a_page_where_nothing_could_be_read_says_its_fields_are_unknown_not_absent():
    # Rough print: the data page was found, but no label and no field reads on it.
    rough = [OcrLine.plain("RNIIA  EAOIEI", box=(10, 40, 300, 60)), OcrLine.plain("0A M4R", box=(10, 80, 200, 100))]
    rec = Record()
    rec.fields.update(date_of_birth="1974-08-12", date_of_expiry="2012-04-15")
    read_visual_zone(Image.new("RGB", (10, 10)), _page_reading(rough), rec, NoPageText())
    assert rec.fields["date_of_issue"] is None
    assert [(w.code, w.severity) for w in rec.warnings] == [("viz_unread", "error")]


def test_a_page_whose_labels_read_but_print_no_issue_date_is_not_flagged():
    # A card that labels its holder's fields and prints no date of issue: null, and rightly so.
    card = [OcrLine.plain("Surname", box=(10, 40, 200, 60)), OcrLine.plain("ERIKSSON", box=(10, 62, 200, 82))]
    rec = Record()
    rec.fields.update(surname="ERIKSSON", date_of_birth="1974-08-12", date_of_expiry="2012-04-15")
    read_visual_zone(Image.new("RGB", (10, 10)), _page_reading(card), rec, NoPageText())
    assert rec.fields["date_of_issue"] is None and not [w for w in rec.warnings if w.code == "viz_unread"]


def test_a_cut_mrz_name_is_completed_from_its_printed_line_whose_label_is_unreadable():
    page = [
        OcrLine.plain("CHATTOPADHYAY", box=(10, 62, 300, 92)),
        OcrLine.plain("3. Given nar", box=(10, 100, 150, 115)),
        OcrLine.plain("AISHWARYA VENKATA SAI SRINIVAS", box=(10, 118, 600, 148)),
    ]
    rec = Record()
    rec.fields.update(surname="CHATTOPADHYAY", given_names="AISHWARYA VENKA", date_of_birth="1974-08-12")
    rec.warn("truncated_name", "the name fills its field", "given_names", "info")
    read_visual_zone(Image.new("RGB", (10, 10)), _page_reading(page), rec, NoPageText())
    assert rec.fields["given_names"] == "AISHWARYA VENKATA SAI SRINIVAS"
    assert [(w.code, w.severity) for w in rec.warnings if w.field == "given_names"] == [("name_from_viz", "error")]


def test_a_passport_whose_date_of_issue_place_and_authority_could_not_be_read_says_so():
    # Passports print them: null there is a reading missed, not a field absent.
    page = [OcrLine.plain("Surname", box=(10, 40, 200, 60)), OcrLine.plain("ERIKSSON", box=(10, 62, 200, 82))]
    for code, flagged in (("P", True), ("I", False), ("V", False)):
        rec = Record()
        rec.fields.update(document_code=code, surname="ERIKSSON", date_of_birth="1974-08-12", date_of_expiry="2012-04-15")
        read_visual_zone(Image.new("RGB", (10, 10)), _page_reading(page), rec, NoPageText())
        missing = [(w.code, w.field, w.severity) for w in rec.warnings if w.code == "viz_missing"]
        passport = [("viz_missing", field, "error") for field in ("date_of_issue", "place_of_birth", "authority")]
        assert missing == (passport if flagged else [])


def test_a_card_printing_a_date_that_could_not_be_read_says_its_issue_date_is_unknown():
    # '04 17 2009': a date with a misread month, neither the birth nor the expiry date. A card
    # need not print its date of issue, but this one prints a date the reader lost.
    labelled = [OcrLine.plain("Surname", box=(10, 40, 200, 60)), OcrLine.plain("ERIKSSON", box=(10, 62, 200, 82))]
    birth = [OcrLine.plain("12 08 1974", box=(10, 100, 200, 120))]
    for extra, flagged in (([OcrLine.plain("04 17 2009", box=(10, 140, 200, 160))], True), ([], False)):
        rec = Record()
        rec.fields.update(document_code="ID", surname="ERIKSSON", date_of_birth="1974-08-12", date_of_expiry="2014-12-07")
        read_visual_zone(Image.new("RGB", (10, 10)), _page_reading(labelled + birth + extra), rec, NoPageText())
        missing = [(w.code, w.field, w.severity) for w in rec.warnings if w.code == "viz_missing"]
        assert rec.fields["date_of_issue"] is None
        assert missing == ([("viz_missing", "date_of_issue", "error")] if flagged else [])
