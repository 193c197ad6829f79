"""Finding printed fields in OCR'd lines laid out like a data page (hand-built lines)."""

from passport_ocr.ocr_types import OcrChar, OcrLine
from passport_ocr.viz.read import read_printed_fields, unattributed_date_lines
from support.page_lines import page

MRZ_FIELDS = {"date_of_birth": "1974-08-12", "date_of_expiry": "2012-04-15", "surname": "ERIKSSON"}


# The ICAO specimen's layout: two columns, values under their labels.
SPECIMEN = page(
    ("Surname/ Nom", 460, 207, 605, 234),
    ("ERIKSSON", 473, 233, 628, 267),
    ("Date of Birth/ Date de naissance", 466, 391, 760, 415),
    ("12 AUGUST/AOUT 74", 474, 416, 759, 448),
    ("Sex/ Sexe", 463, 451, 563, 478),
    ("Place of birth/ Lieu de naissance", 712, 450, 1010, 478),
    ("F", 470, 474, 503, 506),
    ("ZENITH", 737, 476, 848, 506),
    ("Date of issue/ Date de délivrance", 462, 508, 765, 536),
    ("Authority/ Autorité", 897, 508, 1064, 536),
    ("16 APR/AVR 07", 476, 538, 676, 566),
    ("PASSPORT OFFICE", 913, 536, 1180, 567),
    ("Date of expiry/ Date d'expiration", 462, 573, 756, 601),
    ("15 APR/AVR 12", 475, 598, 680, 629),
)


def test_values_under_their_labels_in_two_columns():
    found = read_printed_fields(SPECIMEN, MRZ_FIELDS)
    assert found["place_of_birth"].value == "ZENITH"
    assert found["authority"].value == "PASSPORT OFFICE"
    assert found["surname"].value == "ERIKSSON"
    assert found["sex"].value == "F"


def test_two_digit_year_of_issue_settled_by_the_mrz_dates():
    found = read_printed_fields(SPECIMEN, MRZ_FIELDS)
    assert found["date_of_issue"].value == "2007-04-16"
    assert found["date_of_issue"].four_digit_year is False
    assert found["date_of_birth"].value == "1974-08-12"
    assert found["date_of_expiry"].value == "2012-04-15"


def test_value_beside_its_label():
    lines = page(("Date of issue: 16.04.2007", 10, 10, 300, 30), ("Place of birth: ZENITH", 10, 40, 300, 60))
    found = read_printed_fields(lines, MRZ_FIELDS)
    assert found["date_of_issue"].value == "2007-04-16"
    assert found["place_of_birth"].value == "ZENITH"


def test_date_equal_to_the_mrz_birth_date_is_the_birth_date_whatever_its_label():
    # The label was misread as 'issue': the MRZ says which date this is.
    lines = page(("Date of issue", 10, 10, 200, 30), ("12.08.1974", 10, 32, 150, 52))
    found = read_printed_fields(lines, MRZ_FIELDS)
    assert found["date_of_birth"].value == "1974-08-12"
    assert "date_of_issue" not in found


def test_unlabelled_date_a_validity_period_before_expiry_is_the_issue_date():
    lines = page(
        ("Xqzt vvw", 10, 10, 200, 30),  # an unreadable label
        ("16.04.2007", 10, 32, 150, 52),
        ("12.08.1974", 300, 32, 450, 52),
        ("15.04.2012", 10, 90, 150, 110),
    )
    found = read_printed_fields(lines, MRZ_FIELDS)
    assert found["date_of_issue"].value == "2007-04-16"
    assert found["date_of_issue"].labelled is False
    assert found["date_of_issue"].confidence < 0.9


def test_unlabelled_date_only_near_a_whole_validity_is_reviewed():
    # '12.05.2025' read '22.05.2025' surely (a blurred photo): ten days from five years before
    # the expiry 2030-05-12, so it is taken, but below merge's review bar of 0.5.
    fields = {"date_of_birth": "2005-10-26", "date_of_expiry": "2030-05-12"}
    lines = page(("26.10.2005", 10, 10, 150, 30), ("22.05.2025", 10, 60, 150, 80), ("12.05.2030", 10, 110, 150, 130))
    found = read_printed_fields(lines, fields)["date_of_issue"]
    assert found.value == "2025-05-22"
    assert found.confidence < 0.5
    # Read right, it makes the validity whole years and keeps the unlabelled score.
    lines[1] = page(("12.05.2025", 10, 60, 150, 80))[0]
    found = read_printed_fields(lines, fields)["date_of_issue"]
    assert found.value == "2025-05-12"
    assert found.confidence > 0.5


def test_unlabelled_date_off_by_one_unsure_digit_takes_the_runner_up_unsurely():
    # '28.02.2024' read '28.02.2021' (the 4 a runner-up): three years off any validity before
    # the expiry 2034-02-27, unless the digit is the runner-up, which makes it ten years.
    fields = {"date_of_birth": "1955-06-07", "date_of_expiry": "2034-02-27"}
    issue = read_with_runner_up("28.02.2021", (10, 60, 150, 80), 9, 0.55, ("4", 0.3))
    lines = page(("07.06.1955", 10, 10, 150, 30)) + [issue] + page(("27.02.2034", 10, 110, 150, 130))
    found = read_printed_fields(lines, fields)["date_of_issue"]
    assert found.value == "2024-02-28"
    assert found.labelled is False
    assert found.confidence <= 0.6 * 0.3  # as sure as the recogniser was of the changed digit


def test_a_validity_printed_as_one_period_gives_its_first_date_as_the_date_of_issue():
    # An old Romanian card: 'Valabilitate/Validité/Validity 17.10.03-09.05.2013', the
    # expiry on the holder's birthday (so no whole-year validity vouches for the issue date).
    fields = {"date_of_birth": "1985-05-09", "date_of_expiry": "2013-05-09"}
    lines = page(
        ("Emisa de/Delivree par/Issued by", 10, 10, 300, 30),
        ("Mun. Hunedoara", 10, 32, 200, 52),
        ("Valabilitate/Validite/Validity", 400, 10, 700, 30),
        ("17.10.03-09.05.2013", 400, 32, 650, 52),
    )
    found = read_printed_fields(lines, fields)
    assert found["date_of_issue"].value == "2003-10-17"
    assert found["date_of_issue"].confidence < 0.5  # still reviewed: nothing else confirms it
    assert found["date_of_expiry"].value == "2013-05-09"
    # Two dates side by side without a dash are not a period.
    lines[3] = page(("17.10.03 09.05.2013", 400, 32, 650, 52))[0]
    assert "date_of_issue" not in read_printed_fields(lines, fields)


def test_unlabelled_date_that_is_no_plausible_issue_date_is_ignored():
    lines = page(("03.02.1999", 10, 32, 150, 52))
    assert "date_of_issue" not in read_printed_fields(lines, MRZ_FIELDS)


def test_labelled_issue_date_after_expiry_is_a_misread_and_dropped():
    lines = page(("Date of issue", 10, 10, 200, 30), ("16.04.2017", 10, 32, 150, 52))
    assert "date_of_issue" not in read_printed_fields(lines, MRZ_FIELDS)


def test_labelled_issue_date_further_before_expiry_than_any_validity_is_a_misread_and_dropped():
    # '25 MAY 2014' read '25 MAY 1974' on a phone photo of a passport expiring 2024: fifty
    # years is no validity, and taken it pushed the holder's birth ('84') back to 1884.
    lines = page(("Date of issue", 10, 10, 200, 30), ("25 MAY 1974", 10, 32, 150, 52))
    assert "date_of_issue" not in read_printed_fields(lines, {"date_of_birth": "1984-12-07", "date_of_expiry": "2024-05-25"})
    lines = page(("Date of issue", 10, 10, 200, 30), ("25 MAY 2014", 10, 32, 150, 52))
    found = read_printed_fields(lines, {"date_of_birth": "1984-12-07", "date_of_expiry": "2024-05-25"})
    assert found["date_of_issue"].value == "2014-05-25"


def test_fields_not_printed_are_absent():
    lines = page(("Surname/ Nom", 10, 10, 200, 30), ("ERIKSSON", 10, 32, 150, 52))
    found = read_printed_fields(lines, MRZ_FIELDS)
    assert set(found) == {"surname"}


def test_label_continued_on_the_next_line_is_not_the_value():
    lines = page(
        ("6. Place of birth/Geburtsort/", 519, 702, 803, 746),
        ("Lieu de naissance", 545, 724, 731, 774),
        ("BERLIN", 555, 762, 689, 805),
    )
    assert read_printed_fields(lines, MRZ_FIELDS)["place_of_birth"].value == "BERLIN"


def test_date_cut_in_two_by_the_detector_is_joined():
    lines = page(
        ("Date of issue/Date de délivrance", 437, 619, 762, 668),
        ("25 MAY /MAY", 443, 653, 708, 702),
        ("14", 705, 660, 784, 698),
    )
    found = read_printed_fields(lines, {"date_of_birth": "1984-12-07", "date_of_expiry": "2024-05-25"})
    assert found["date_of_issue"].value == "2014-05-25"


def test_one_name_line_is_split_at_the_comma():
    lines = page(("Name (Surname, Given names)", 10, 10, 300, 30), ("LIN, MEI-HUA", 10, 32, 200, 52))
    found = read_printed_fields(lines, {})
    assert found["surname"].value == "LIN"
    assert found["given_names"].value == "MEI-HUA"


def test_lines_without_boxes_are_read_in_order():
    lines = [OcrLine.plain("Authority"), OcrLine.plain("MINISTRY OF FOREIGN AFFAIRS")]
    assert read_printed_fields(lines, {})["authority"].value == "MINISTRY OF FOREIGN AFFAIRS"


def test_issue_date_before_a_birth_date_of_uncertain_century_is_kept():
    # The MRZ parser guessed born 2024 for '240306'; the passport was issued in 2018.
    lines = page(("Date of issue", 10, 10, 200, 30), ("19 DÉC/DEC 18", 10, 32, 150, 52))
    found = read_printed_fields(lines, {"date_of_birth": "2024-03-06", "date_of_expiry": "2023-12-19"})
    assert found["date_of_issue"].value == "2018-12-19"


def test_a_printed_four_digit_birth_year_lets_an_unlabelled_issue_date_precede_the_mrz_guess():
    # The MRZ guessed born 2025 for '250525'; the page prints 1925, so a date of issue in 2021
    # a whole ten years before expiry is no doubt, labels or not.
    lines = page(("25.05.1925", 10, 10, 150, 30), ("23.09.2021", 10, 60, 150, 80), ("23.09.2031", 10, 110, 150, 130))
    fields = {"date_of_birth": "2025-05-25", "date_of_expiry": "2031-09-23"}
    found = read_printed_fields(lines, fields)
    assert found["date_of_issue"].value == "2021-09-23"
    assert found["date_of_birth"].value == "1925-05-25"
    # Printed with two digits the century stays unknown, and the date is not taken unlabelled.
    lines = page(("25.05.25", 10, 10, 150, 30), ("23.09.2021", 10, 60, 150, 80), ("23.09.2031", 10, 110, 150, 130))
    assert "date_of_issue" not in read_printed_fields(lines, fields)


def test_value_in_two_languages_keeps_spaced_slash():
    lines = page(("Authority", 10, 10, 200, 30), ("Poliisi/ Polisen", 10, 32, 200, 52))
    assert read_printed_fields(lines, {})["authority"].value == "Poliisi / Polisen"


def test_misread_small_label_above_a_larger_value_names_its_field():
    lines = page(
        ("Sex", 432, 535, 470, 568),
        ("9.Place oftieu de naissa", 861, 537, 1100, 566),
        ("F", 430, 554, 455, 597),
        ("PRAHA", 859, 557, 990, 600),
    )
    assert read_printed_fields(lines, MRZ_FIELDS)["place_of_birth"].value == "PRAHA"


def test_a_label_that_reads_closely_names_a_value_as_high_as_itself():
    # Small print on a worn card is detected in a box as high as its value's.
    lines = page(
        ("Place f birth/ Lie de neissance", 438, 330, 734, 366),
        ("UTRECHT", 439, 357, 600, 395),
    )
    assert read_printed_fields(lines, MRZ_FIELDS)["place_of_birth"].value == "UTRECHT"


def test_a_label_read_loosely_needs_a_larger_value_below():
    # Only as close to a label as many a value is: a line under it as high as it says nothing.
    lines = page(("Mace of eth", 100, 100, 400, 140), ("LIÈGE", 100, 124, 200, 164))
    assert "place_of_birth" not in read_printed_fields(lines, MRZ_FIELDS)
    lines = page(("Mace of eth", 100, 100, 400, 130), ("LIÈGE", 100, 124, 200, 164))
    assert read_printed_fields(lines, MRZ_FIELDS)["place_of_birth"].value == "LIÈGE"


def test_a_label_misread_before_its_slash_starts_with_its_line():
    # Only 'Lieu de naissance' is matched; its value starts under 'Place of birth', at the
    # line's left edge, far left of the matched words.
    lines = page(
        ("9.Place ofhirth/Lieu de naissane", 1132, 702, 1468, 745),
        ("PRAHA", 1128, 732, 1281, 780),
    )
    assert read_printed_fields(lines, MRZ_FIELDS)["place_of_birth"].value == "PRAHA"


def test_a_misread_label_is_not_guessed_from_text_alone():
    # The same text under, not above, a larger line: nothing says it is a label.
    lines = page(
        ("PRAHA", 859, 500, 990, 543),
        ("9.Place oftieu de naissa", 861, 545, 1100, 574),
    )
    assert "place_of_birth" not in read_printed_fields(lines, MRZ_FIELDS)


def test_a_guessed_label_never_names_a_date():
    # 'Date of issue' misread so that it looks most like another date label: the date is
    # still the date of issue, found as the one date a validity period before expiry.
    lines = page(
        ("Dala a  Date da", 79, 607, 260, 641),
        ("15 APR 2007", 82, 645, 284, 690),
    )
    assert read_printed_fields(lines, MRZ_FIELDS)["date_of_issue"].value == "2007-04-15"


def test_a_value_is_as_sure_as_its_least_sure_letter():
    # 'KØBENHAVN' read as 'KOBENHAVN': every letter sure but the O. The line's average would
    # say 0.97; the value says how sure its weakest letter is.
    confidences = [0.99, 0.55] + [0.99] * 7
    value = OcrLine(
        text="KOBENHAVN",
        chars=[OcrChar(ch, c) for ch, c in zip("KOBENHAVN", confidences)],
        box=(737, 476, 920, 506),
        confidence=sum(confidences) / len(confidences),
    )
    label = OcrLine.plain("Place of birth/ Lieu de naissance", 0.98, box=(712, 450, 1010, 478))
    found = read_printed_fields([label, value], MRZ_FIELDS)["place_of_birth"]
    assert found.value == "KOBENHAVN"
    assert found.confidence <= 0.55


def test_a_leading_apostrophe_belongs_to_the_name():
    lines = page(("Place of birth", 712, 450, 1010, 478), ("'S-GRAVENHAGE", 737, 476, 960, 506))
    assert read_printed_fields(lines, MRZ_FIELDS)["place_of_birth"].value == "'S-GRAVENHAGE"


def test_a_lone_lowercase_i_in_an_uppercase_word_is_the_dotted_capital():
    lines = page(("Place of birth", 712, 450, 1010, 478), ("iSTANBUL", 737, 476, 900, 506))
    assert read_printed_fields(lines, MRZ_FIELDS)["place_of_birth"].value == "İSTANBUL"
    lines = page(("Place of birth", 712, 450, 1010, 478), ("Taipei", 737, 476, 900, 506))
    assert read_printed_fields(lines, MRZ_FIELDS)["place_of_birth"].value == "Taipei"


def test_part_of_a_date_is_never_a_place_or_an_authority():
    # The value line holds a date whose day falls left of where the label's value starts.
    lines = page(("Place of birth", 712, 450, 900, 478), ("30 MAI/MAY 2018", 600, 476, 940, 510))
    assert "place_of_birth" not in read_printed_fields(lines, MRZ_FIELDS)


def test_a_label_whose_slash_was_lost_is_not_its_own_value():
    # 'Place of birth / Lieu de naissance' read without its slash and misspelt: the rest is the
    # label in French, the value is the line under it.
    lines = page(("Place of birth Lie de nassance", 448, 374, 789, 420), ("Malmö", 446, 409, 546, 450))
    assert read_printed_fields(lines, MRZ_FIELDS)["place_of_birth"].value == "Malmö"
    # A place beside its label is still a value.
    beside = page(("Place of birth SAINT-ÉTIENNE", 10, 40, 300, 60))
    assert read_printed_fields(beside, MRZ_FIELDS)["place_of_birth"].value == "SAINT-ÉTIENNE"


def test_a_label_whose_slash_was_misread_starts_with_its_other_language():
    # 'Lieu de naissance / Place of birth' with the slash read as '7': the label starts with
    # the line, over its value, not at 'Place'.
    lines = page(("Lieu de nasspce7 Pace of birth", 900, 560, 1290, 590), ("SÃO PAULO", 905, 588, 1080, 635))
    assert read_printed_fields(lines, MRZ_FIELDS)["place_of_birth"].value == "SÃO PAULO"


def test_a_label_cut_inside_its_only_word_names_the_larger_value_under_it_unsurely():
    lines = page(("10. Auth", 407, 478, 463, 502), ("Bureau of Consular Affairs", 403, 482 + 20, 803, 545 + 20))
    found = read_printed_fields(lines, MRZ_FIELDS)["authority"]
    assert found.value == "Bureau of Consular Affairs"
    assert found.confidence < 0.7  # below merge's review bar: the label was only begun
    # A cut word of several fields' labels names none of them.
    # ('naci' begins 'nacimiento' of birth dates and places and 'nacionalidad').
    assert "place_of_birth" not in read_printed_fields(page(("8. Naci", 10, 10, 60, 34), ("LEÓN", 12, 44, 90, 88)), {})


def read_with_runner_up(text: str, box, position: int, read: float, runner_up: tuple[str, float]) -> OcrLine:
    """A line read surely but at `position`, read at `read` with one runner-up."""
    chars = [OcrChar(c, 0.98, []) for c in text]
    chars[position] = OcrChar(text[position], read, [runner_up])
    return OcrLine(text, chars, box=box, confidence=0.9)


def test_an_unsure_issue_digit_takes_the_runner_up_that_makes_the_validity_whole_years():
    # '16.04.2007' misread '18.04.2007' (the 6 a close runner-up): the MRZ expiry 2012-04-15
    # makes 16 April a five-year validity ending the day before, 18 April none.
    fields = {**MRZ_FIELDS, "date_of_expiry": "2012-04-15"}
    label = ("Date of issue", 10, 10, 200, 30)
    for runner_up, want in ((("6", 0.45), "2007-04-16"), (("6", 0.05), "2007-04-18"), (("3", 0.45), "2007-04-18")):
        lines = page(label) + [read_with_runner_up("18.04.2007", (10, 32, 150, 52), 1, 0.5, runner_up)]
        found = read_printed_fields(lines, fields)
        assert found["date_of_issue"].value == want, runner_up
        assert found["date_of_issue"].confidence <= 0.5  # the digit stays as unsure as it was read
        if found["date_of_issue"].value == "2007-04-16":
            assert found["date_of_issue"].confidence <= runner_up[1]  # ... as the recogniser was of it
    # A date read as a whole number of years before expiry is kept, whatever the runners-up.
    lines = page(label) + [read_with_runner_up("16.04.2007", (10, 32, 150, 52), 1, 0.5, ("8", 0.45))]
    assert read_printed_fields(lines, fields)["date_of_issue"].value == "2007-04-16"


def test_a_sure_issue_date_that_fits_no_whole_year_validity_is_left_unsure():
    # '22.05.2025' read surely for '12.05.2025' (no runner-up to mend it): with the MRZ expiry
    # 2030-05-12 the validity would be five years and ten days short, which documents are not.
    fields = {**MRZ_FIELDS, "date_of_expiry": "2030-05-12"}
    label = ("Date of issue", 10, 10, 200, 30)
    misread = read_printed_fields(page(label, ("22.05.2025", 10, 32, 150, 52)), fields)["date_of_issue"]
    assert misread.value == "2025-05-22"
    assert misread.confidence < 0.5  # below merge's review bar for dates of issue
    # The same page read right keeps its confidence, and so does an unlabelled date.
    right = read_printed_fields(page(label, ("12.05.2025", 10, 32, 150, 52)), fields)["date_of_issue"]
    assert right.confidence > 0.9
    unlabelled = read_printed_fields(page(("22.05.2025", 10, 32, 150, 52)), fields)
    assert unlabelled["date_of_issue"].confidence < 0.5


def test_a_label_spotted_from_the_frames_names_the_larger_value_under_it_unsurely():
    # A small faint 'Place of birth' read 'Thee ofwe': no text matching finds it, but the
    # recogniser's frames fit the field's label (viz.spot).
    label = OcrLine.plain("Thee ofwe", 0.45, box=(775.0, 492.0, 858.0, 516.0))
    value = OcrLine.plain("ROTTERDAM", 0.99, box=(775.0, 507.0, 945.0, 555.0))
    assert "place_of_birth" not in read_printed_fields([label, value], MRZ_FIELDS)
    label.spotted_label = ("place_of_birth", -0.6)
    found = read_printed_fields([label, value], MRZ_FIELDS)["place_of_birth"]
    assert found.value == "ROTTERDAM"
    assert found.confidence < 0.7  # below merge's review bar: the label was never read
    # Spotted above a date, it names nothing: a place holds no date.
    date = OcrLine.plain("12.05.2025", 0.99, box=(775.0, 507.0, 945.0, 555.0))
    assert "place_of_birth" not in read_printed_fields([label, date], MRZ_FIELDS)


def test_a_month_name_whose_accent_is_unsure_leaves_the_date_sure():
    # 'AOÛT' read 'AOÚT' at 0.5 with 'Û' at 0.45: the letter is surely a U, and the month is
    # August whatever its mark.
    text = "05 AOÚT/AUG 2024"
    chars = [OcrChar(c, 0.5, [("Û", 0.45)]) if c == "Ú" else OcrChar(c, 0.99) for c in text]
    value = OcrLine(text=text, chars=chars, box=(10, 32, 250, 52), confidence=0.9)
    lines = [OcrLine.plain("Date of issue", 0.99, box=(10, 10, 200, 30)), value]
    found = read_printed_fields(lines, {"issuing_country": "FRA", "date_of_birth": "1974-08-12", "date_of_expiry": "2034-08-04"})
    assert found["date_of_issue"].value == "2024-08-05"
    assert found["date_of_issue"].confidence > 0.9
    # A digit read unsurely still makes the date unsure.
    chars = [OcrChar("5", 0.3, [("3", 0.25)]) if i == 1 else c for i, c in enumerate(chars)]
    value = OcrLine(text=text, chars=chars, box=(10, 32, 250, 52), confidence=0.9)
    found = read_printed_fields([lines[0], value], {"issuing_country": "FRA", "date_of_birth": "1974-08-12", "date_of_expiry": "2034-08-04"})
    assert found["date_of_issue"].confidence < 0.5


# A card whose small labels came out cut or not at all: the names under them read right.
CUT_LABEL_CARD = page(
    ("1. Document No", 40, 40, 200, 60),
    ("2. Sumame", 40, 80, 160, 100),
    ("CHATTOPADHYAY", 40, 102, 330, 140),
    ("3. Given nar", 40, 150, 190, 170),
    ("AISHWARYA VENKATA SAI SRINIVAS", 40, 172, 600, 210),
    ("Anna Chattopadhyay", 400, 300, 700, 340),  # the holder's signature
)


def test_names_are_found_by_what_they_spell_when_their_labels_are_cut():
    fields = {"surname": "CHATTOPADHYAY", "given_names": "AISHWARYA VENKA"}
    found = read_printed_fields(CUT_LABEL_CARD, fields, frozenset({"given_names"}))
    assert found["surname"].value == "CHATTOPADHYAY"
    assert found["given_names"].value == "AISHWARYA VENKATA SAI SRINIVAS"
    assert not found["given_names"].labelled
    # A name the MRZ did not cut is only ever the line that spells it exactly.
    found = read_printed_fields(CUT_LABEL_CARD, {"surname": "CHATTOPADHYAY", "given_names": "AISHWARYA"})
    assert "given_names" not in found


def test_a_short_cut_name_is_taken_only_from_just_under_the_surname():
    # 'A' prefixes the signature's 'Anna ...' too: only the line under the surname counts.
    fields = {"surname": "CHATTOPADHYAY", "given_names": "A"}
    found = read_printed_fields(CUT_LABEL_CARD, fields, frozenset({"given_names"}))
    assert found["given_names"].value == "AISHWARYA VENKATA SAI SRINIVAS"
    without_surname = [line for line in CUT_LABEL_CARD if line.text != "CHATTOPADHYAY"]
    assert "given_names" not in read_printed_fields(without_surname, fields, frozenset({"given_names"}))


def test_an_issue_date_whose_month_is_unreadable_takes_the_validity_periods_month_for_review():
    fields = {"date_of_birth": "1966-10-27", "date_of_expiry": "2035-08-20"}
    lines = page(("27 OCT 1966", 10, 10, 200, 40), ("21 A0 2025", 10, 60, 200, 90), ("20 AUG 2035", 10, 110, 200, 140))
    found = read_printed_fields(lines, fields)
    assert found["date_of_issue"].value == "2025-08-21"  # ten years, to the day before
    assert found["date_of_issue"].confidence <= 0.3 and not found["date_of_issue"].labelled
    # A day that fits no whole-year validity, or two lines that each could be it: nothing.
    lines = page(("27 OCT 1966", 10, 10, 200, 40), ("23 A0 2025", 10, 60, 200, 90))
    assert "date_of_issue" not in read_printed_fields(lines, fields)
    lines = page(("21 A0 2025", 10, 60, 200, 90), ("20 X 2030", 10, 110, 200, 140))
    assert "date_of_issue" not in read_printed_fields(lines, fields)


def test_a_numbered_label_read_in_part_is_never_a_value():
    # The given names under their label were not detected: the next field's label, read
    # '6. Natio', lies where their value would.
    lines = page(("5. Given names", 10, 10, 200, 30), ("6. Natio", 10, 34, 120, 54), ("REPUBLIC OF INDIA", 10, 58, 300, 90))
    found = read_printed_fields(lines, {"given_names": "RAJESH"})
    assert "given_names" not in found


def test_a_label_continued_in_another_language_below_still_names_the_value_under_both():
    # Not numbered, the second line is the same label in French: the value is under it.
    lines = page(("Given names", 10, 10, 200, 30), ("Prénoms", 10, 32, 150, 52), ("RAJESH KUMAR", 10, 56, 300, 86))
    assert read_printed_fields(lines, {"given_names": "RAJESH"})["given_names"].value == "RAJESH KUMAR"


def test_arbitrary_lines_never_make_the_reader_fail():
    # Whatever a recogniser makes of a rough page (dates that do not exist, misread months,
    # labels cut anywhere, lines without boxes or characters), the record keeps going.
    import random

    rng = random.Random(5)
    pieces = ["Date of issue", "Place of birth", "Authority", "6. Natio", "21 A0 2025", "25 y 1998", "17 NOV 2024",
              "16.11.2034", "Århus", "POLISEN", "1998", "M", "SWE", "ODEGAARD", "INGRID", "0CT", "", "29.02.2024",
              "31 FEB 2020", "a p2019", "99 ZZZ 9999", "/", "N°", "Ğ", "Date of birth", "Given names", "Surname"]
    mrz_options = [
        {},
        {"date_of_birth": "1998-05-25", "date_of_expiry": "2034-11-16", "surname": "ODEGAARD", "given_names": "INGRID", "document_type": "P", "issuing_country": "SWE"},
        {"date_of_birth": "2024-02-29", "date_of_expiry": "2029-02-28", "surname": "A", "given_names": "B"},
        {"date_of_birth": "not a date", "date_of_expiry": "2034-13-01"},
    ]
    for _ in range(1500):
        lines = []
        for _ in range(rng.randint(0, 12)):
            text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 3))).strip()
            x0, y0 = rng.uniform(0, 1000), rng.uniform(0, 1000)
            box = None if rng.random() < 0.1 else (x0, y0, x0 + rng.uniform(0, 500), y0 + rng.uniform(0, 80))
            chars = [OcrChar(c, rng.random(), [(rng.choice("ÁÂ1I0O"), 0.3 * rng.random())]) for c in text] if rng.random() < 0.7 else []
            lines.append(OcrLine(text=text, chars=chars, box=box, confidence=rng.random()))
        cut = frozenset(rng.sample(["surname", "given_names"], rng.randint(0, 2)))
        found = read_printed_fields(lines, rng.choice(mrz_options), cut)
        assert all(value.field == field for field, value in found.items())


# The Utopia specimen scanned small: the English half of the place-of-birth label misread past
# matching, and the authority's label misread as a whole (guessed).
WORN_SPECIMEN = page(
    ("Date of bimtu Dete de rsssacce", 290, 306, 509, 329),
    ("12 AUGIAOUT 74", 298, 323, 440, 350),
    ("Sao Seca", 290, 343, 364, 369),
    ("Ploce ofoité Lieo de eassance", 422, 344, 645, 371),
    ("ZENITH", 446, 363, 512, 389),
    ("F", 300, 366, 318, 386),
    ("AuffortyVesorse", 598, 381, 733, 408),
    ("Dete of tioe/ Dete de delnece", 289, 384, 514, 411),
    ("PASSPORT OFFICE", 613, 398, 781, 429),
    ("16 APRUAVR. 07", 294, 404, 417, 430),
)


def test_a_label_whose_first_language_is_misread_starts_where_its_line_does():
    # 'Lieo de eassance' alone starts right of ZENITH: the whole label starts above it.
    found = read_printed_fields(WORN_SPECIMEN, MRZ_FIELDS)
    assert found["place_of_birth"].value == "ZENITH"


def test_one_value_is_never_given_to_two_fields():
    # The place of birth's value went undetected: the label's reach finds the authority's
    # value below and right of it. The nearer label (the authority's) keeps it.
    lines = page(
        ("Place of birth/ Lieu de naissance", 422, 344, 645, 371),
        ("Authority/ Autorité", 598, 381, 733, 408),
        ("PASSPORT OFFICE", 613, 398, 781, 429),
    )
    found = read_printed_fields(lines, MRZ_FIELDS)
    assert found["authority"].value == "PASSPORT OFFICE"
    assert "place_of_birth" not in found


def test_a_value_wider_than_its_label_is_kept_whole_when_nothing_is_above_its_left_part():
    lines = page(
        ("DATA WYDANIA/DATE OF ISSUE", 547, 813, 835, 861),
        ("ORGAN WYDAJACY", 1169, 817, 1353, 859),
        ("WOJEWODA MAZOWIECKI", 978, 851, 1313, 900),
        ("2004.12.31", 568, 853, 702, 898),
    )
    assert read_printed_fields(lines, MRZ_FIELDS)["authority"].value == "WOJEWODA MAZOWIECKI"
    # A value of the field to the left, merged into the line, is still cut off.
    merged = page(
        ("Sex", 400, 817, 460, 859),
        ("Authority", 560, 817, 700, 859),
        ("F PASSPORT OFFICE", 405, 851, 860, 900),
    )
    assert read_printed_fields(merged, MRZ_FIELDS)["authority"].value == "PASSPORT OFFICE"


def test_a_label_found_inside_a_word_glued_from_two_languages():
    # 'Issuing Authority/Autorité de délivrance' read with its slash lost.
    lines = page(
        ("14 JAN /JAN 13", 459, 650, 833, 700),
        ("issuina AumoitvAutorté de délvrance", 446, 750, 858, 790),
        ("GATINEAU", 481, 777, 672, 820),
    )
    assert read_printed_fields(lines, MRZ_FIELDS)["authority"].value == "GATINEAU"


def test_a_numbered_label_beside_another_is_not_joined_to_it():
    # Czech page: '06 POHLAVÍ/SEX' and '07 MÍSTO NAROZENÍ/PLACE OF BIRTH' (misread) boxed
    # apart on one row, close enough to pass for one line cut at a wide space.
    lines = page(
        ("06 POHLAVI/SEX", 631, 618, 793, 660),
        ("07 MÉSTO NABOZENT/PLACT O SURTH", 808, 617, 1145, 661),
        ("PRAHA", 821, 650, 949, 704),
        ("M", 627, 651, 695, 705),
    )
    found = read_printed_fields(lines, MRZ_FIELDS)
    assert found["place_of_birth"].value == "PRAHA"
    assert found["sex"].value == "M"


def test_unattributed_date_lines_are_the_dates_read_as_no_field():
    lines = [
        OcrLine.plain("Date of birth 2"),
        OcrLine.plain("12 08 1974"),
        OcrLine.plain("04 17 2009"),
        OcrLine.plain("21 A0 2025"),
        OcrLine.plain("75001 PARIS 1"),
    ]
    printed = read_printed_fields(lines, {"date_of_birth": "1974-08-12", "date_of_expiry": "2030-01-01"})
    assert "date_of_birth" in printed and "date_of_issue" not in printed
    assert unattributed_date_lines(lines, printed) == ["04 17 2009", "21 A0 2025"]


def test_misread_label_text_beside_a_label_over_a_larger_value_is_no_value():
    # '... / Lieu de naissance' read as 'tied': the line is a label's height, and the value,
    # printed larger, is under it.
    lines = page(
        ("Place of birth tied", 1209, 765, 1407, 809),
        ("NEW YORK", 1206, 786, 1436, 850),
    )
    found = read_printed_fields(lines, MRZ_FIELDS)
    assert found["place_of_birth"].value == "NEW YORK"


def test_value_beside_its_label_over_the_next_field_stays_beside():
    lines = page(("Place of birth: ZENITH", 10, 10, 300, 40), ("Authority: PASSPORT OFFICE", 10, 45, 360, 75))
    found = read_printed_fields(lines, MRZ_FIELDS)
    assert found["place_of_birth"].value == "ZENITH"
    assert found["authority"].value == "PASSPORT OFFICE"


def test_a_name_line_with_a_word_that_reads_as_a_label_is_still_the_name():
    # 'BJÓRN' is close to 'born' in the label table: the line spells the MRZ name word for
    # word (its umlaut misread), and goes on from the cut MRZ given names.
    lines = page(
        ("GROSS", 46, 150, 141, 188),
        ("ERIKA BJÓRN JÓRG HANS-PETER", 47, 237, 491, 274),
    )
    fields = {"surname": "GROSS", "given_names": "ERIKA BJOERN JOERG HANS"}
    found = read_printed_fields(lines, fields, frozenset({"given_names"}))
    assert found["given_names"].value == "ERIKA BJÓRN JÓRG HANS-PETER"


def test_an_issue_date_of_unusual_validity_takes_the_runner_up_of_a_usual_one():
    # '28.01.2018' read '28.01.2016' on a rough page, the 8 a runner-up: to the MRZ expiry
    # 2028-01-27 that is twelve years, which few documents are valid for; ten, most are.
    fields = {**MRZ_FIELDS, "date_of_expiry": "2028-01-27"}
    label = page(("Date of issue", 10, 10, 200, 30))
    misread = read_with_runner_up("28.01.2016", (10, 32, 150, 52), 9, 0.6, ("8", 0.3))
    found = read_printed_fields(label + [misread], fields)["date_of_issue"]
    assert found.value == "2018-01-28" and found.confidence <= 0.3
    # With no such runner-up the twelve years stand (some documents are), and a date of a
    # usual validity keeps its reading whatever the runners-up.
    alone = read_with_runner_up("28.01.2016", (10, 32, 150, 52), 9, 0.6, ("5", 0.3))
    assert read_printed_fields(label + [alone], fields)["date_of_issue"].value == "2016-01-28"
    usual = read_with_runner_up("28.01.2018", (10, 32, 150, 52), 9, 0.6, ("6", 0.3))
    assert read_printed_fields(label + [usual], fields)["date_of_issue"].value == "2018-01-28"


def test_a_label_boxed_in_two_pieces_keeps_its_whole_value():
    # 'Lieu de naissance / Place of birth' boxed as 'eu de na' and 'ance / Place of birth'
    # (a phone photo): the value under both is one place, not cut where the piece read as a
    # label starts.
    lines = page(
        ("eu de na", 1119, 790, 1209, 816), ("ance / Place of birth", 1240, 784, 1453, 819),
        ("ÚSTÍ NAD LABEM", 1101, 811, 1470, 860),
    )
    assert read_printed_fields(lines, MRZ_FIELDS)["place_of_birth"].value == "ÚSTÍ NAD LABEM"
    # Another column's text over the value's left part, a column's gap away, still cuts it.
    lines = page(
        ("Sex / Sexe", 900, 790, 1010, 816), ("Place of birth", 1240, 784, 1453, 819),
        ("F ÚSTÍ NAD LABEM", 905, 811, 1470, 860),
    )
    cut = read_printed_fields(lines, MRZ_FIELDS).get("place_of_birth")
    assert cut is None or not cut.value.startswith("F ")


def test_the_apostrophe_of_a_dutch_elided_article_is_put_back_for_review():
    # "'s-GRAVENHAGE" boxed without its apostrophe: read 'S-GRAVENHAGE' surely.
    lines = page(("Place of birth", 10, 10, 200, 30), ("S-GRAVENHAGE", 12, 32, 260, 72))
    found = read_printed_fields(lines, MRZ_FIELDS)["place_of_birth"]
    assert found.value == "'S-GRAVENHAGE" and found.confidence < 0.7
    # Read with it, it is sure; a place with a hyphen further on is left alone.
    sure = read_printed_fields(page(("Place of birth", 10, 10, 200, 30), ("'S-GRAVENHAGE", 12, 32, 260, 72)), MRZ_FIELDS)
    assert sure["place_of_birth"].value == "'S-GRAVENHAGE" and sure["place_of_birth"].confidence > 0.9
    other = read_printed_fields(page(("Place of birth", 10, 10, 200, 30), ("SAINT-ÉTIENNE", 12, 32, 260, 72)), MRZ_FIELDS)
    assert other["place_of_birth"].value == "SAINT-ÉTIENNE"


def test_a_label_boxed_apart_in_its_two_languages_heads_one_column():
    # A Brazilian card photographed: 'Authority' and 'Autorité' detected as two boxes over
    # 'POLÍCIA FEDERAL'. Its other language ends nothing; another field's label would.
    lines = page(
        ("Date of issue", 555, 485, 690, 514),
        ("30 MAI/MAY 2018", 554, 504, 874, 553),
        ("Authority", 554, 551, 640, 574),
        ("Autorité", 655, 551, 728, 574),
        ("POLÍCIA FEDERAL", 550, 569, 890, 613),
    )
    assert read_printed_fields(lines, MRZ_FIELDS)["authority"].value == "POLÍCIA FEDERAL"
    columns = page(
        ("Authority", 554, 551, 640, 574),
        ("Place of birth", 700, 551, 800, 574),
        ("POLICIA ZENITH", 550, 569, 890, 613),
    )
    assert read_printed_fields(columns, MRZ_FIELDS)["authority"].value == "POLICIA"
