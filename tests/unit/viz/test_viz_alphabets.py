"""The issuing country's alphabet as a prior on the recogniser's letters (hand-built readings)."""

from passport_ocr.ocr_types import OcrChar, OcrLine
from passport_ocr.viz.alphabets import (
    COUNTRY_LANGUAGES,
    LANGUAGE_LETTERS,
    base_letter,
    doubt_marks,
    page_alphabet,
    restrict_char,
    restrict_line,
)
from passport_ocr.viz.read import read_printed_fields


def reading(text, unsure=None):
    """A line read surely, except the characters of `unsure`: index -> (probability, runners-up)."""
    unsure = unsure or {}
    chars = []
    for i, c in enumerate(text):
        probability, alternatives = unsure.get(i, (0.99, []))
        chars.append(OcrChar(c, probability, alternatives))
    return OcrLine(text=text, chars=chars, confidence=0.95, box=(0, 0, 10 * len(text), 40))


def test_alphabet_holds_the_national_letters_and_english_french_ones():
    turkish = page_alphabet("TUR").letters
    assert {"Ğ", "ğ", "Ş", "ş", "İ", "ı", "Ç", "Ü"} <= turkish
    assert "É" in turkish  # French, printed on every page
    assert "Č" not in turkish and "Ñ" not in turkish
    lithuanian = page_alphabet("LTU").letters
    assert {"Ė", "ė", "Į", "Ų", "Ū"} <= lithuanian and "Í" not in lithuanian


def test_unknown_country_replaces_no_letter():
    assert page_alphabet("XYZ") is None and page_alphabet(None) is None
    line = reading("MÜDÜRLÜČÜ", {7: (0.6, [("Ć", 0.2)])})
    restricted = restrict_line(line, None)
    assert restricted.text == "MÜDÜRLÜČÜ"
    assert [c.char for c in restricted.chars] == [c.char for c in line.chars]


def test_every_country_names_known_languages_and_vietnamese_has_its_toned_vowels():
    assert all(language in LANGUAGE_LETTERS for languages in COUNTRY_LANGUAGES.values() for language in languages)
    vietnamese = page_alphabet("VNM").letters
    assert {"Ụ", "ụ", "Ả", "Ấ", "Ậ", "Ơ", "ơ", "Ư", "Đ", "đ"} <= vietnamese


def test_letter_outside_the_alphabet_gives_way_to_a_runner_up_inside_it():
    # A Lithuanian page: 'Í' is no Lithuanian (nor English or French) letter, 'I' is.
    line = restrict_line(reading("MIGRACÍJOS", {6: (0.609, [("I", 0.391)])}), page_alphabet("LTU"))
    assert line.text == "MIGRACIJOS"
    # Sure: nothing but the doubtful foreign reading competes with it.
    assert line.chars[6].confidence > 0.9


def test_a_runner_up_in_the_other_case_takes_the_readings_case():
    line = restrict_line(reading("BAKANLIČI", {7: (0.736, [("Ć", 0.096), ("ğ", 0.066)])}), page_alphabet("TUR"))
    assert line.text == "BAKANLIĞI"
    # The recogniser gave the right letter little probability: the value must be reviewed.
    assert line.chars[7].confidence < 0.5


def test_foreign_letter_without_a_fitting_runner_up_stays_but_is_doubtful():
    line = restrict_line(reading("MÜDÜRLÜČÜ", {7: (0.805, [("Ć", 0.069)])}), page_alphabet("TUR"))
    assert line.text == "MÜDÜRLÜČÜ"
    assert line.chars[7].confidence < 0.5


def test_foreign_letter_read_surely_stays_sure():
    # A place of birth abroad in its own spelling (a Polish city on a Nigerian page).
    line = restrict_line(reading("KRAKÓW", {4: (0.996, [("O", 0.003)])}), page_alphabet("NGA"))
    assert "Ó" not in page_alphabet("NGA").letters
    assert line.text == "KRAKÓW"
    assert line.chars[4].confidence > 0.8


def test_letters_inside_the_alphabet_without_a_national_runner_up_are_left_alone():
    char = OcrChar("É", 0.78, [("E", 0.2)])
    assert restrict_char(char, page_alphabet("GBR")) is char
    line = reading("GYÖR 12.03.2020 / N°")
    assert restrict_line(line, page_alphabet("HUN")).text == "GYÖR 12.03.2020 / N°"
    # Nothing on the line a page could print with other marks: the line itself.
    plain = reading("12.03.2020 / KP")
    assert restrict_line(plain, page_alphabet("GBR")) is plain


def test_a_close_national_runner_up_wins_over_its_base_letter():
    polish = restrict_line(reading("WROCLAW", {4: (0.522, [("Ł", 0.459), ("E", 0.018)])}), page_alphabet("POL"))
    assert polish.text == "WROCŁAW"
    # Not a national letter of a British page: the reading stands as it was.
    british = restrict_line(reading("WROCLAW", {4: (0.522, [("Ł", 0.459), ("E", 0.018)])}), page_alphabet("GBR"))
    assert british.text == "WROCLAW" and british.chars[4].confidence == 0.522


def test_a_national_runner_up_with_a_tenth_of_its_base_letters_probability_wins_unsurely():
    # 'KØBENHAVN' read 'KOBENHAVN' on a Danish page, the Ø a runner-up at 0.176.
    line = restrict_line(reading("KOBENHAVN", {1: (0.791, [("Ø", 0.176), ("0", 0.011)])}), page_alphabet("DNK"))
    assert line.text == "KØBENHAVN"
    assert line.chars[1].confidence < 0.7
    # Further behind it stays a runner-up, and the reading is doubted for it.
    line = restrict_line(reading("KOBENHAVN", {1: (0.94, [("Ø", 0.05)])}), page_alphabet("DNK"))
    assert line.text == "KOBENHAVN" and line.chars[1].confidence < 0.7
    # Both letters Hungarian: neither is favoured, the reading keeps its own confidence.
    char = restrict_char(OcrChar("Ö", 0.78, [("Ő", 0.1)]), page_alphabet("HUN"))
    assert (char.char, char.confidence) == ("Ö", 0.78)


def test_the_national_weight_does_not_pick_between_two_marked_letters():
    # 'GENÈVE' on a Mexican page: É is Spanish, È French; the recogniser's choice stands.
    line = restrict_line(reading("GENÈVE", {3: (0.499, [("É", 0.439), ("Ê", 0.031)])}), page_alphabet("MEX"))
    assert line.text == "GENÈVE" and line.chars[3].confidence < 0.7


def test_base_letters_drop_marks_and_strokes():
    assert [base_letter(c) for c in "ğÇØłĐİıẦụA"] == list("GCOLDIIAUA")


def test_a_sure_plain_letter_is_doubted_as_much_as_its_marks_deserve():
    # 'MUGLA' for 'MUĞLA': the recogniser says G at 0.985 and gives Ğ 0.011.
    turkish = page_alphabet("TUR")
    read = OcrChar("G", 0.985, [("Ğ", 0.011)])
    assert doubt_marks(read, read, turkish, frozenset()).confidence < 0.7
    # Without a variant it still keeps three times its doubt, not its 0.985.
    alone = OcrChar("G", 0.985, [])
    assert 0.9 < doubt_marks(alone, alone, turkish, frozenset()).confidence < 0.96
    # A letter no language of the page writes with marks keeps the recogniser's confidence.
    k = OcrChar("K", 0.97, [])
    assert doubt_marks(k, k, turkish, frozenset()) is k
    # The field reader sees the doubt: the place is given, but below the review bar.
    label = OcrLine.plain("Place of birth / Lieu de naissance", 0.99, box=(0, 0, 300, 30))
    value = reading("MUGLA", {2: (0.985, [("Ğ", 0.011)])})
    value.box = (0, 32, 150, 72)
    place = read_printed_fields([label, value], {"issuing_country": "TUR"})["place_of_birth"]
    assert place.value == "MUGLA" and place.confidence < 0.7


def test_a_marked_letter_that_may_be_one_the_recogniser_lacks_is_doubtful():
    # 'CÂN THO' for 'CẦN THƠ': the dictionary has no 'Ầ', so 'Â' is all it can say.
    lacking = frozenset({"Ầ", "ầ", "Ấ", "ấ"})
    line = reading("CÂN THO", {1: (0.927, [("Ã", 0.035)])})
    line.unreadable = lacking
    assert restrict_line(line, page_alphabet("VNM")).chars[1].confidence <= 0.1
    # On a French page no such letter is printed: only the ordinary doubt.
    assert restrict_line(line, page_alphabet("FRA")).chars[1].confidence > 0.7


def test_the_field_reader_uses_the_issuing_countrys_alphabet():
    label = OcrLine.plain("Authority / Autorité", 0.98, box=(0, 0, 200, 30))
    value = reading("MIGRACÍJOS DEPARTAMENTAS", {6: (0.609, [("I", 0.391)])})
    value.box = (0, 32, 400, 72)
    lithuanian = read_printed_fields([label, value], {"issuing_country": "LTU"})
    assert lithuanian["authority"].value == "MIGRACIJOS DEPARTAMENTAS"
    spanish = read_printed_fields([label, value], {"issuing_country": "ESP"})
    assert spanish["authority"].value == "MIGRACÍJOS DEPARTAMENTAS"


def test_neighbouring_languages_printed_on_a_page_are_in_its_alphabet():
    # A Czech passport of someone born in Slovakia before 1993: 'ĽUBOTÍN'.
    czech = restrict_line(reading("LUBOTÍN", {0: (0.5, [("Ľ", 0.45)])}), page_alphabet("CZE"))
    assert czech.text == "ĽUBOTÍN"
    # Sami place names in northern Norway; not on a Polish page.
    assert {"Ŋ", "Ŧ", "Đ"} <= page_alphabet("NOR").letters
    assert "Ŋ" not in page_alphabet("POL").letters


def test_nordic_pages_print_each_others_letters_without_preferring_them():
    # A Swede born in Tromsø, a Danish authority's 'Æ': the marks of an 'O' or an 'A' on a
    # Swedish page are read for 'Ø' and 'Æ' too, and 'AE' there may be a split 'Æ'.
    swedish = page_alphabet("SWE")
    assert {"Ø", "ø", "Æ", "Þ", "Ð"} <= swedish.letters
    assert "Ø" not in swedish.national and "Ö" in swedish.national
    assert "AE" in swedish.split_ligatures
    # No national preference: a sure plain 'O' stays an 'O'.
    assert restrict_line(reading("TROMSO", {5: (0.9, [("Ø", 0.08)])}), swedish).text == "TROMSO"
    assert "Ø" not in page_alphabet("D").letters


def test_letters_drawn_alike_are_read_as_the_one_the_page_prints():
    # 'ÞJÓÐSKRÁ' read 'PJÓDSKRÁ': the D's runner-up 'Đ' is drawn as Icelandic 'Ð'; the P's 'Þ'.
    unsure = {0: (0.792, [("p", 0.065), ("Þ", 0.052)]), 3: (0.931, [("Đ", 0.065)])}
    line = restrict_line(reading("PJÓDSKRÁ", unsure), page_alphabet("ISL"))
    assert line.text == "PJÓDSKRÁ"
    assert line.chars[0].confidence < 0.7 and line.chars[3].confidence < 0.7
    assert ("Ð", 0.065) in line.chars[3].alternatives


def test_an_engine_without_per_character_evidence_is_not_doubted_for_marks():
    # OCR.Space gives one flat confidence per line: nothing the recogniser's calibration fits.
    line = OcrLine.plain("SAINT-ÉTIENNE", 0.9)
    assert [c.confidence for c in restrict_line(line, page_alphabet("FRA")).chars] == [0.9] * 13


def test_ae_on_a_page_whose_languages_write_ae_as_one_letter_is_doubted():
    from passport_ocr.viz.alphabets import SPLIT_LIGATURE_CONFIDENCE

    # 'UDLÆNDINGE' read 'UDLAENDINGE' at full confidence on a Danish page: maybe 'Æ'.
    line = restrict_line(reading("UDLAENDINGE"), page_alphabet("DNK"))
    assert line.text == "UDLAENDINGE"  # not rewritten: 'AE' may be printed
    confidences = [c.confidence for c in line.chars]
    assert confidences[3] == confidences[4] == SPLIT_LIGATURE_CONFIDENCE
    assert min(confidences[:3] + confidences[5:]) > 0.9
    assert restrict_line(reading("Udlaendinge"), page_alphabet("NOR")).chars[3].confidence == SPLIT_LIGATURE_CONFIDENCE
    # Not where the page's own languages do not write it: a French 'RAPHAEL', a German 'AE'.
    for text, country in (("RAPHAEL", "FRA"), ("MICHAEL", "DEU"), ("AEROPORT", None)):
        assert min(c.confidence for c in restrict_line(reading(text), page_alphabet(country)).chars) > 0.9


def test_an_e_the_mark_network_sees_joined_to_an_a_is_the_ligature_and_takes_the_a_read_beside_it():
    from dataclasses import replace

    from passport_ocr.viz.alphabets import MARK_CHANGE_CONFIDENCE

    danish = page_alphabet("DNK")
    ligature = {"E": 0.02, "É": 0.01, "Æ": 0.97}
    for text, e in (("UDLAENDINGE", 4), ("UDLENDINGE", 3)):
        line = reading(text)
        line.char_x = [(k + 0.5) / len(text) for k in range(len(text))]
        line.chars[e] = replace(line.chars[e], marks=ligature)
        mended = restrict_line(line, danish)
        assert mended.text == "UDLÆNDINGE" and len(mended.char_x) == len(mended.chars) == 10
        assert mended.chars[3].confidence <= MARK_CHANGE_CONFIDENCE
    # An 'E' the network sees alone stays, 'AE' doubted as before.
    line = reading("MICHAEL")
    line.chars[5] = replace(line.chars[5], marks={"E": 0.96, "É": 0.02, "Æ": 0.02})
    assert restrict_line(line, danish).text == "MICHAEL"
