from datetime import date

import pytest

from passport_ocr.mrz import read_mrz
from passport_ocr.ocr_types import OcrLine
from passport_ocr.record import FIELD_NAMES

TODAY = date(2025, 6, 1)
ERIKSSON = {
    "issuing_country": "UTO",
    "surname": "ERIKSSON",
    "given_names": "ANNA MARIA",
    "sex": "F",
}


def read(lines):
    return read_mrz([OcrLine.plain(line) for line in lines], today=TODAY)


@pytest.mark.parametrize(
    "mrz, layout, expected",
    [
        (
            ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"],
            "TD3",
            dict(ERIKSSON, document_type="P", document_code="P", document_number="L898902C3", nationality="UTO",
                 date_of_birth="1974-08-12", date_of_expiry="2012-04-15", personal_number="ZE184226B"),
        ),
        (
            ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"],
            "TD2",
            dict(ERIKSSON, document_type="I", document_code="I", document_number="D23145890", nationality="UTO",
                 date_of_birth="1974-08-12", date_of_expiry="2012-04-15", personal_number=None),
        ),
        (
            ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"],
            "TD1",
            dict(ERIKSSON, document_type="I", document_code="I", document_number="D23145890", nationality="UTO",
                 date_of_birth="1974-08-12", date_of_expiry="2012-04-15", personal_number=None),
        ),
        (
            ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"],
            "MRVA",
            dict(ERIKSSON, document_type="V", document_code="V", document_number="L8988901C", nationality="XXX",
                 date_of_birth="1940-09-07", date_of_expiry="1996-12-10", personal_number=None),
        ),
        (
            ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<"],
            "MRVB",
            dict(ERIKSSON, document_type="V", document_code="V", document_number="L8988901C", nationality="XXX",
                 date_of_birth="1940-09-07", date_of_expiry="1996-12-10", personal_number=None),
        ),
    ],
)
def test_icao_specimens(mrz, layout, expected):
    result = read(mrz)
    assert result.info.format == layout
    assert result.info.valid
    assert all(check.ok for check in result.info.checks)
    assert result.info.lines == mrz
    assert result.info.corrections == []
    for name, value in expected.items():
        assert result.fields[name] == value, name
    assert set(result.fields) == set(FIELD_NAMES)
    assert result.fields["date_of_issue"] is None and result.fields["authority"] is None
    assert all(0.9 <= result.confidence[name] <= 1.0 for name in ("document_number", "date_of_birth", "date_of_expiry"))


def test_real_specimens_read_to_their_truth(real_truth):
    compared = ["document_type", "document_code", "issuing_country", "surname", "given_names",
                "document_number", "nationality", "date_of_birth", "sex", "date_of_expiry"]
    for truth in real_truth:
        result = read(truth["mrz"])
        assert result.info.valid, truth["file"]
        assert result.info.lines == truth["mrz"], truth["file"]
        assert {name: result.fields[name] for name in compared} == {name: truth[name] for name in compared}, truth["file"]


def test_optional_data_goes_to_info_for_td1_and_visas():
    td1 = read(["IAUSA0000000033LIN1044750079<<", "5808175F1004027COD<<<<<<<<<<<7", "SPECIMEN<<TEST<VOID<<<<<<<<<<<"])
    assert td1.info.optional_data == ["LIN1044750079", ""]
    assert td1.fields["personal_number"] is None
    visa = read(["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"])
    assert visa.info.optional_data == ["6ZE184226B"]


def test_score_ranks_a_valid_reading_above_a_broken_one():
    good = read(["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"])
    broken = read(["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<17"])
    assert good.score > broken.score
