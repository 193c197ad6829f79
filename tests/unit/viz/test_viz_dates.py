"""Printed dates in the styles and languages of travel documents."""

from datetime import date

import pytest

from passport_ocr.viz.dates import find_dates, month_number


@pytest.mark.parametrize(
    "text, day, month, year, year_digits",
    [
        ("12 AUG 2012", 12, 8, 2012, 4),
        ("12.08.2012", 12, 8, 2012, 4),
        ("12/08/2012", 12, 8, 2012, 4),
        ("12-08-2012", 12, 8, 2012, 4),
        ("2012-08-12", 12, 8, 2012, 4),
        ("20 Juin/Jun 1978", 20, 6, 1978, 4),
        ("8 Août/Aug 2006", 8, 8, 2006, 4),
        ("12 AUG/AOUT 12", 12, 8, 12, 2),
        ("12 AUGUST/AOUT 74", 12, 8, 74, 2),
        ("16 APR/AVR 07", 16, 4, 7, 2),
        ("03 MRZ 1999", 3, 3, 1999, 4),
        ("18 MAR 2025", 18, 3, 2025, 4),
        ("01 ENE 2011", 1, 1, 2011, 4),
        ("07 MAG 2011", 7, 5, 2011, 4),
        ("5 OUT 2012", 5, 10, 2012, 4),
        ("13 LIP/JUL 2016", 13, 7, 2016, 4),
        ("1 listopada 2010", 1, 11, 2010, 4),
        ("3 marraskuu 2010", 3, 11, 2010, 4),
        ("15 MEI 2015", 15, 5, 2015, 4),
        ("12AUG2012", 12, 8, 2012, 4),
        ("AUG 12, 2012", 12, 8, 2012, 4),
        ("12.08.74", 12, 8, 74, 2),
        ("01 0103", 1, 1, 3, 2),  # '01 01 03' with one space lost by the OCR
        ("08/25/2012", 25, 8, 2012, 4),  # month first only when the day cannot be a month
        ("07 11.2019", 7, 11, 2019, 4),  # a blurred dot read as a space
        ("12.08 2012", 12, 8, 2012, 4),
        ("22.02,2008", 22, 2, 2008, 4),  # a blurred dot read as a comma
        ("21:08.2006", 21, 8, 2006, 4),  # ... or as a colon
        ("2006:08.21", 21, 8, 2006, 4),
        ("0101:03", 1, 1, 3, 2),  # a compact date with a speck read as a colon
        ("2020.0608", 8, 6, 2020, 4),  # one separator of a year-first date lost
        ("2020-06.08", 8, 6, 2020, 4),
        ("2021 01-04", 4, 1, 2021, 4),  # a year-first date with a blurred separator read as a space
        ("23 JUINUN 2024", 23, 6, 2024, 4),  # 'JUIN/JUN' with its slash lost
        ("12 AUGAOU 20", 12, 8, 20, 2),
    ],
)
def test_one_date_in_many_styles(text, day, month, year, year_digits):
    (found,) = find_dates(text)
    assert (found.day, found.month, found.year, found.year_digits) == (day, month, year, year_digits)


def test_two_digit_year_has_both_centuries_as_candidates():
    (found,) = find_dates("16 APR/AVR 07")
    assert found.candidates() == [date(1907, 4, 16), date(2007, 4, 16)]


def test_four_digit_year_has_one_candidate():
    (found,) = find_dates("16.04.2007")
    assert found.candidates() == [date(2007, 4, 16)]


def test_several_dates_in_a_line_with_their_spans():
    text = "Date of issue 16 APR 2007  Expiry 15.04.2012"
    found = find_dates(text)
    assert [(d.day, d.month, d.year) for d in found] == [(16, 4, 2007), (15, 4, 2012)]
    assert text[found[0].start : found[0].end] == "16 APR 2007"


@pytest.mark.parametrize("text", ["L898902C3", "ZE 184226 B", "31.02.2012", "1234.5678", "2625-06 06", "12 08 7", "A234567893", "72033012347", "12 FOO 2012", "12 FOOJAN 2012", "3021 01 04"])
def test_no_date_where_none_is_printed(text):
    assert find_dates(text) == []


def test_month_names_fold_case_and_accents():
    assert month_number("Août") == 8
    assert month_number("DÉC") == 12
    assert month_number("Février") == 2
    assert month_number("März") == 3
    assert month_number("xyz") is None


@pytest.mark.parametrize(
    "text, day, month, year",
    [("21 0CT 2017", 21, 10, 2017), ("29 N0V 22", 29, 11, 22), ("12 AU6 2012", 12, 8, 2012), ("3 FE8 2001", 3, 2, 2001), ("12 JU1 2010", 12, 7, 2010)],
)
def test_a_month_name_with_letters_misread_as_digits(text, day, month, year):
    # A rough print's 'O' read '0', 'G' read '6': a month name holds no digit.
    assert [(d.day, d.month, d.year) for d in find_dates(text)] == [(day, month, year)]


@pytest.mark.parametrize("text", ["12 000 2017", "21 A0 2025", "12 N00 2017", "05 M1 2012"])
def test_digits_alone_or_naming_no_single_month_are_no_month(text):
    assert find_dates(text) == []


def test_a_month_in_two_languages_with_one_word_cut_reads_from_the_other():
    # Rough print cut one language's word to two letters: the other names the month.
    assert [(d.day, d.month, d.year) for d in find_dates("17 JA /JAN 85")] == [(17, 1, 85)]
    assert [(d.day, d.month, d.year) for d in find_dates("17 JAN /JA 85")] == [(17, 1, 85)]
    # Two letters alone are no month.
    assert find_dates("3 JA 2012") == []


def test_a_slash_between_two_languages_read_as_a_letter_still_names_the_month():
    # A held-out Canadian passport's '14 JAN /JAN 13', its slash read as 'L' in one reading.
    assert [(d.day, d.month, d.year) for d in find_dates("14 JAN LJAN 13")] == [(14, 1, 13)]
    assert [(d.day, d.month, d.year) for d in find_dates("8 AUG IAOUT 2006")] == [(8, 8, 2006)]
    # Only where both words name the same month: a place beside a month is no second language.
    assert find_dates("14 JAN LONDON 13") == []
    assert find_dates("14 JAN LMAR 13") == []
