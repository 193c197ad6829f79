from datetime import date

import pytest

from passport_ocr.errors import UnreadableMrz
from passport_ocr.mrz import check_digit, read_mrz
from passport_ocr.mrz.countries import is_known_country
from passport_ocr.mrz.dates import birth_date, expiry_date
from passport_ocr.mrz.names import split_name
from passport_ocr.ocr_types import OcrLine

TODAY = date(2026, 11, 25)


def read(lines, today=TODAY):
    return read_mrz([OcrLine.plain(line) for line in lines], today=today)


def warnings_of(result):
    return {(w.code, w.field): w.severity for w in result.warnings}


def td3(surname_given="ERIKSSON<<ANNA<MARIA", issuer="UTO", nationality="UTO", number="L898902C3",
        birth="740812", sex="F", expiry="120415", personal="ZE184226B", personal_digit=None):
    """A TD3 MRZ with correct check digits for the given fields."""
    top = f"P<{issuer:<<3}{surname_given}".ljust(44, "<")[:44]
    personal = personal.ljust(14, "<")
    if personal_digit is None:
        personal_digit = check_digit(personal)
    body = (number.ljust(9, "<") + check_digit(number.ljust(9, "<")) + nationality.ljust(3, "<") + birth
            + check_digit(birth) + sex + expiry + check_digit(expiry) + personal + personal_digit)
    composite = check_digit(body[0:10] + body[13:20] + body[21:43])
    return [top, body + composite]


# --- country codes --------------------------------------------------------------------

def test_country_table_has_iso_and_icao_codes():
    for code in ("DEU", "D", "UTO", "GBD", "UNO", "XXA", "XXX", "RKS", "EUE"):
        assert is_known_country(code), code
    assert not is_known_country("QQQ")


def test_unknown_country_code_is_flagged_never_rewritten():
    result = read(td3(issuer="QQQ"))
    assert result.fields["issuing_country"] == "QQQ"
    assert ("unknown_country_code", "issuing_country") in warnings_of(result)


def test_germany_d_with_fillers():
    result = read(td3(issuer="D", nationality="D"))
    assert result.fields["issuing_country"] == "D" and result.fields["nationality"] == "D"
    assert not any(w.code == "unknown_country_code" for w in result.warnings)


def test_country_table_settles_an_uncertain_character():
    lines = td3(issuer="D", nationality="D")
    lines[0] = lines[0][:2] + "0" + lines[0][3:]  # 'D<<' read as '0<<'
    result = read(lines)
    assert result.fields["issuing_country"] == "D"
    assert any(c.line == 0 and c.position == 2 and c.corrected == "D" for c in result.info.corrections)


# --- dates ----------------------------------------------------------------------------

def test_birth_century_is_the_latest_in_the_past():
    assert birth_date("740812", TODAY).value == date(1974, 8, 12)
    assert birth_date("050101", TODAY).value == date(2005, 1, 1)
    assert birth_date("301231", TODAY).value == date(1930, 12, 31)


def test_birth_century_ambiguity():
    # 2012 (14 years old) or 1912 (114): both possible.
    assert birth_date("120301", TODAY).ambiguous_century
    # 2008 (18) or 1908 (118, older than AMBIGUOUS_OLDEST_AGE): taken as 2008.
    assert not birth_date("080301", TODAY).ambiguous_century
    # On a document that expired in 2012 the holder is judged then: born 1911, they were 101
    # (a Czech specimen's holder), not 115 as now, so 2011 is no longer a sure guess.
    assert not birth_date("110101", TODAY).ambiguous_century
    assert birth_date("110101", TODAY, expiry=date(2012, 7, 4)).ambiguous_century
    assert not birth_date("110101", TODAY, expiry=date(2031, 7, 4)).ambiguous_century


def test_expiry_window():
    assert expiry_date("120415", TODAY) == date(2012, 4, 15)
    assert expiry_date("350101", TODAY) == date(2035, 1, 1)
    assert expiry_date("470101", TODAY) == date(1947, 1, 1)  # 2047 is beyond today + 20 years


def test_invalid_dates_are_none_with_a_warning():
    assert birth_date("741312", TODAY).value is None
    assert expiry_date("120230", TODAY) is None
    result = read(td3(birth="741312"))
    assert result.fields["date_of_birth"] is None
    assert warnings_of(result)[("invalid_date", "date_of_birth")] == "error"


def test_ambiguous_century_and_expired_warnings():
    result = read(td3(birth="120301", expiry="200101"))
    warnings = warnings_of(result)
    assert result.fields["date_of_birth"] == "2012-03-01"
    assert warnings[("ambiguous_century", "date_of_birth")] == "error"
    assert warnings[("expired", "date_of_expiry")] == "info"


# --- names ----------------------------------------------------------------------------

def test_name_split():
    assert split_name("ERIKSSON<<ANNA<MARIA<<<<") == ("ERIKSSON", "ANNA MARIA")
    assert split_name("VAN<DER<STEEN<<MARIANNE<LOUISE") == ("VAN DER STEEN", "MARIANNE LOUISE")
    assert split_name("MADONNA<<<<<<<<<") == ("MADONNA", None)


def test_digits_in_names_become_letters():
    lines = td3()
    lines[0] = lines[0].replace("ERIKSSON", "ER1K55ON")
    result = read(lines)
    assert result.fields["surname"] == "ERIKSSON"
    assert {(c.read, c.corrected, c.reason) for c in result.info.corrections} >= {("1", "I", "field_type"), ("5", "S", "field_type")}


def test_truncated_name_is_info():
    result = read(td3(surname_given="ABCDEFGHIJKLMNOPQRST<<ABCDEFGHIJKLMNOPQRSTU"))
    assert warnings_of(result)[("truncated_name", "given_names")] == "info"


def test_a_name_cut_after_a_whole_word_may_be_truncated():
    # 39 positions: 'ANN<' (of 'ANN<MARIE', say) ends one before the field's end.
    result = read(td3(surname_given="GROSSMANN<<ERIKA<BJOERN<JOERG<HANS<ANN<"))
    assert warnings_of(result)[("truncated_name", "given_names")] == "info"
    shorter = read(td3(surname_given="GROSSMANN<<ERIKA<BJOERN<JOERG<HANS<AN<<"))
    assert ("truncated_name", "given_names") not in warnings_of(shorter)


def test_uncertain_name_characters_are_flagged():
    lines = td3()
    ocr = [OcrLine.plain(line) for line in lines]
    position = lines[0].index("ANNA")
    ocr[0].chars[position].confidence = 0.3
    result = read_mrz(ocr, today=TODAY)
    assert ("low_confidence", "given_names") in warnings_of(result)
    assert result.confidence["given_names"] < 0.5


def test_sex_filler_means_unspecified():
    assert read(td3(sex="<")).fields["sex"] == "X"


# --- personal number and overflow -----------------------------------------------------

def test_td3_personal_number_check_digit_may_be_a_filler():
    result = read(td3(personal="", personal_digit="<"))
    assert result.info.valid
    assert result.fields["personal_number"] is None
    assert result.info.lines[1][42] == "<"


def test_td3_filler_check_digit_needs_an_empty_personal_number():
    result = read(td3(personal="ZE184226B", personal_digit="<"))
    assert not result.info.valid
    assert ("check_digit_failed", "personal_number") in warnings_of(result)


def test_td1_document_number_overflow():
    number = "D23145890734"
    line1 = f"I<UTO{number[:9]}<{number[9:]}{check_digit(number)}".ljust(30, "<")
    line2 = "3407127M9507122UTO<<<<<<<<<<<"
    line2 += check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    result = read([line1, line2, "STEVENSON<<PETER<JOHN<<<<<<<<<"])
    assert result.info.valid
    assert result.fields["document_number"] == number
    assert result.info.optional_data == ["", ""]
    assert [c.name for c in result.info.checks if c.name == "document_number"] == ["document_number"]


# --- failures -------------------------------------------------------------------------

def test_a_page_without_mrz_is_unreadable():
    with pytest.raises(UnreadableMrz):
        read(["REPUBLIC OF UTOPIA", "PASSPORT", "Surname / Nom"])
    with pytest.raises(UnreadableMrz):
        read_mrz([], today=TODAY)


def test_unfixable_checks_are_listed_and_fields_flagged():
    lines = td3()
    lines[1] = lines[1][:19] + "X" + lines[1][20:]  # the birth check digit read as a letter no digit looks like
    result = read(lines)
    failing = [c.name for c in result.info.checks if not c.ok]
    assert not result.info.valid
    assert "date_of_birth" in failing
    assert ("check_digit_failed", "date_of_birth") in warnings_of(result)
    assert result.confidence["date_of_birth"] < 0.5


def test_digits_in_a_code_that_no_look_alike_makes_known_stay_as_printed():
    # An old Romanian card prints a number as the nationality: mapping '1', '3', '2' to
    # look-alike letters ('IJZ') would rewrite it into another unknown code.
    result = read(td3(nationality="132"))
    assert result.fields["nationality"] == "132"
    assert result.info.lines[1][10:13] == "132" and not any(c.position in (10, 11, 12) for c in result.info.corrections)
    assert ("unknown_country_code", "nationality") in warnings_of(result)
    # Digits that do make a known code are still its letters: 'UT0' is Utopia.
    result = read(td3(nationality="UT0"))
    assert result.fields["nationality"] == "UTO"
    assert not any(w.code == "unknown_country_code" for w in result.warnings)


def test_an_empty_code_field_is_flagged_as_empty():
    result = read(td3(nationality="<<<"))
    assert result.fields["nationality"] is None
    (warning,) = [w for w in result.warnings if w.code == "unknown_country_code"]
    assert warning.field == "nationality" and "empty" in warning.message


def test_a_clearly_read_unknown_code_is_not_pulled_to_a_neighbour():
    lines = td3(issuer="DEV")  # 'V' and 'U' look alike: one letter from 'DEU', but read with full confidence
    result = read(lines)
    assert result.fields["issuing_country"] == "DEV"
    assert ("unknown_country_code", "issuing_country") in warnings_of(result)


# --- structure the check digits cannot see -------------------------------------------
def test_a_document_number_with_a_leading_filler_is_flagged_even_when_its_checks_pass():
    # A shifted line (a speck read as '<', a filler lost at the end) whose check digits
    # agree by chance: the number is left-aligned in every real MRZ, so this cannot be right.
    lines = td3(number="<27366390")
    result = read(lines)
    assert result.info.valid  # every check digit agrees...
    assert ("malformed_field", "document_number") in warnings_of(result)  # ...but it is flagged
    assert result.confidence["document_number"] < 0.5


def test_a_right_padded_document_number_is_not_flagged():
    result = read(td3(number="CA000000"))
    assert result.fields["document_number"] == "CA000000"
    assert "malformed_field" not in {code for code, _ in warnings_of(result)}
