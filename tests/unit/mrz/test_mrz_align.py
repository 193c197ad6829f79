"""Line finding and re-alignment: junk, split lines, spaces, filler glyphs, K fillers."""

from datetime import date

from passport_ocr.mrz import read_mrz
from passport_ocr.ocr_types import OcrLine

TODAY = date(2025, 6, 1)
TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
TD1 = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]


def read(lines):
    return read_mrz([OcrLine.plain(line) for line in lines], today=TODAY)


def test_junk_lines_around_the_mrz_are_ignored():
    result = read(["REPUBLIC OF UTOPIA", "PASSPORT", "12 AUG 74", *TD3, "Signature"])
    assert result.info.lines == TD3 and result.info.valid


def test_a_line_split_in_two_is_joined():
    result = read([TD3[0], TD3[1][:21], TD3[1][21:]])
    assert result.info.lines == TD3 and result.info.valid


def test_spaces_inside_lines():
    result = read([TD3[0][:10] + " " + TD3[0][10:], TD3[1][:20] + " " + TD3[1][20:]])
    assert result.info.lines == TD3 and result.info.valid


def test_filler_glyphs_are_fillers():
    for glyph in "«‹く([{":
        result = read([line.replace("<", glyph) for line in TD3])
        assert result.info.lines == TD3, glyph


def test_dropped_and_added_fillers_are_repaired_in_filler_runs():
    result = read([TD3[0][:30] + TD3[0][32:], TD3[1][:37] + "<<" + TD3[1][37:]])
    assert result.info.lines == TD3 and result.info.valid
    reasons = {c.reason for c in result.info.corrections}
    assert reasons == {"filler"}


def test_fillers_read_as_k():
    result = read([TD3[0].replace("<", "K"), TD3[1].replace("<", "K")])
    assert result.info.valid
    assert result.fields["personal_number"] == "ZE184226B"
    assert result.fields["surname"] == "ERIKSSON"
    # The separators themselves were K's: the names are repaired but flagged.
    assert any(w.code == "low_confidence" and w.field == "given_names" for w in result.warnings)


def test_letters_in_digit_positions_become_digits():
    lines = [TD3[0], "L898902C36UTO74O8I22F12O4I59ZE184226B<<<<<1O"]
    result = read(lines)
    assert result.info.lines == TD3 and result.info.valid
    assert {c.reason for c in result.info.corrections} == {"field_type"}
    assert not [w for w in result.warnings if w.severity == "error"]


def test_check_digits_confirm_a_look_alike_in_the_document_number():
    result = read([TD3[0], "L898902C36UTO7408122F1204159ZE184226B<<<<<10".replace("L8989O2C3", "L8989O2C3")
                   .replace("L898902C3", "L8989O2C3")])
    assert result.fields["document_number"] == "L898902C3"
    assert result.info.valid
    assert [(c.read, c.corrected, c.reason) for c in result.info.corrections] == [("O", "0", "check_digit")]
    assert not any(w.field == "document_number" for w in result.warnings)


def test_recogniser_alternatives_are_searched():
    line2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
    ocr = [OcrLine.plain(TD3[0]), OcrLine.plain(line2)]
    # The recogniser read the second '8' of the document number as '4', with '8' as runner-up.
    ocr[1].chars[3].char = "4"
    ocr[1].chars[3].confidence = 0.5
    ocr[1].chars[3].alternatives = [("8", 0.45)]
    ocr[1].text = "".join(c.char for c in ocr[1].chars)
    result = read_mrz(ocr, today=TODAY)
    assert result.info.valid
    assert result.fields["document_number"] == "L898902C3"


def test_td1_with_junk_and_a_short_line():
    result = read(["IDENTITY CARD", TD1[0][:-2], TD1[1], TD1[2]])
    assert result.info.lines == TD1 and result.info.valid


def test_raw_lines_keep_what_the_ocr_read():
    result = read(["PASSPORT", "p«utoeriksson««anna«maria", "«««««««««««««««««««", TD3[1]])
    assert result.info.raw_lines == ["p«utoeriksson««anna«maria«««««««««««««««««««", TD3[1]]
    assert result.info.lines == TD3
