"""Merging printed fields into MRZ records: hand-built records, no OCR."""

from passport_ocr.record import MrzCheck, MrzInfo, Record, Warning
from passport_ocr.viz.merge import merge_printed
from passport_ocr.viz.read import PrintedValue
from passport_ocr.viz.translit import completed_name, mrz_spellings, spells


def record(checks_ok=True, warnings=(), **fields):
    base = {
        "surname": "ERIKSSON",
        "given_names": "ANNA MARIA",
        "document_number": "L898902C3",
        "nationality": "UTO",
        "date_of_birth": "1974-08-12",
        "sex": "F",
        "date_of_expiry": "2012-04-15",
    }
    base.update(fields)
    checks = [
        MrzCheck(name, "0", "0", checks_ok) for name in ("document_number", "date_of_birth", "date_of_expiry", "composite")
    ]
    info = MrzInfo(format="TD3", lines=[], raw_lines=[], valid=checks_ok, checks=checks)
    rec = Record(mrz=info, warnings=list(warnings))
    rec.fields.update(base)
    rec.confidence = {name: 0.9 for name in base}
    return rec


def printed(field, value, confidence=0.97, four_digit_year=True, text=None):
    return PrintedValue(field, value, confidence, text or value, four_digit_year=four_digit_year)


def test_print_only_fields_are_added_with_their_confidence():
    rec = merge_printed(record(), {"date_of_issue": printed("date_of_issue", "2007-04-16", 0.93)})
    assert rec.fields["date_of_issue"] == "2007-04-16"
    assert rec.confidence["date_of_issue"] == 0.93


def test_field_not_printed_stays_none():
    rec = merge_printed(record(), {})
    assert rec.fields["date_of_issue"] is None
    assert rec.fields["place_of_birth"] is None
    assert rec.fields["authority"] is None
    assert "date_of_issue" not in rec.confidence


def test_mismatch_keeps_the_checked_mrz_value_and_warns_with_both_values():
    rec = merge_printed(record(), {"document_number": printed("document_number", "L898902C8")})
    assert rec.fields["document_number"] == "L898902C3"
    (warning,) = [w for w in rec.warnings if w.code == "viz_mismatch"]
    assert warning.field == "document_number"
    assert "L898902C3" in warning.message and "L898902C8" in warning.message
    assert warning.severity == "info"  # the check digit vouches for the MRZ


def test_name_mismatch_is_an_error_no_check_digit_covers_names():
    rec = merge_printed(record(), {"surname": printed("surname", "Eriksen")})
    assert rec.fields["surname"] == "ERIKSSON"
    (warning,) = [w for w in rec.warnings if w.code == "viz_mismatch"]
    assert (warning.field, warning.severity) == ("surname", "error")
    assert rec.status == "needs_review"


def test_agreeing_print_in_national_spelling_raises_confidence():
    rec = record(surname="MUELLER")
    merge_printed(rec, {"surname": printed("surname", "Müller")})
    assert not any(w.code == "viz_mismatch" for w in rec.warnings)
    assert rec.confidence["surname"] > 0.9


def test_truncated_name_is_extended_in_mrz_letters():
    truncated = Warning("truncated_name", "the name fills its field", "given_names", "info")
    rec = record(given_names="MARIA JOSE FERNANDA ALEXANDRA CRIS", warnings=[truncated])
    merge_printed(rec, {"given_names": printed("given_names", "María José Fernanda Alexandra Cristóbal")})
    assert rec.fields["given_names"] == "MARIA JOSE FERNANDA ALEXANDRA CRISTOBAL"
    assert not any(w.code == "truncated_name" for w in rec.warnings)
    # No check digit covers the added letters: the name is given, and a human confirms it.
    (warning,) = [w for w in rec.warnings if w.code == "name_from_viz"]
    assert (warning.field, warning.severity) == ("given_names", "error")
    assert rec.confidence["given_names"] <= 0.5
    assert rec.status == "needs_review"


def test_truncated_name_takes_the_spelling_the_mrz_used():
    truncated = Warning("truncated_name", "the name fills its field", "surname", "info")
    rec = record(surname="MULLER LUDENSCH", warnings=[truncated])
    merge_printed(rec, {"surname": printed("surname", "Müller-Lüdenscheidt")})
    assert rec.fields["surname"] == "MULLER LUDENSCHEIDT"


def test_printed_name_with_a_misread_umlaut_agrees():
    rec = record(given_names="BJOERN")
    merge_printed(rec, {"given_names": printed("given_names", "BJÓRN")})
    assert not any(w.code == "viz_mismatch" for w in rec.warnings)


def test_printed_name_that_does_not_extend_the_truncated_one_is_a_mismatch():
    truncated = Warning("truncated_name", "the name fills its field", "surname", "info")
    rec = record(surname="ANDERSSONSKA", warnings=[truncated])
    merge_printed(rec, {"surname": printed("surname", "Johansson")})
    assert rec.fields["surname"] == "ANDERSSONSKA"
    assert any(w.code == "viz_mismatch" and w.field == "surname" for w in rec.warnings)


def test_ambiguous_century_settled_by_the_printed_four_digit_year():
    ambiguous = Warning("ambiguous_century", "the birth century cannot be told from the MRZ", "date_of_birth")
    rec = record(date_of_birth="2024-03-05", warnings=[ambiguous])
    assert rec.status == "needs_review"
    merge_printed(rec, {"date_of_birth": printed("date_of_birth", "1924-03-05", text="05.03.1924")})
    assert rec.fields["date_of_birth"] == "1924-03-05"
    (warning,) = [w for w in rec.warnings if w.code == "ambiguous_century"]
    assert warning.severity == "info" and "05.03.1924" in warning.message
    assert rec.status == "extracted"


def test_an_unflagged_century_guess_is_corrected_by_the_printed_four_digit_year():
    # MRZ '110101' read in 2026 gives 2011 without doubt (a holder born 1911 would be 115),
    # but a specimen page prints 01.01.1911: the print holds the century, the MRZ does not.
    rec = record(date_of_birth="2011-01-01", date_of_expiry="2012-07-04")
    merge_printed(rec, {"date_of_birth": printed("date_of_birth", "1911-01-01", text="01.01.1911")})
    assert rec.fields["date_of_birth"] == "1911-01-01"
    (warning,) = [w for w in rec.warnings if w.code == "ambiguous_century"]
    assert warning.severity == "info" and "01.01.1911" in warning.message and "2011" in warning.message
    assert not any(w.code == "viz_mismatch" for w in rec.warnings)
    # Merged again (the page's print read a second time), it says the same.
    merge_printed(rec, {"date_of_birth": printed("date_of_birth", "1911-01-01", text="01.01.1911")})
    assert [w.message for w in rec.warnings if w.code == "ambiguous_century"] == [warning.message]
    # A printed century that would put the birth after the expiry is a misreading: a mismatch.
    rec = record(date_of_birth="1974-08-12", date_of_expiry="2012-04-15")
    merge_printed(rec, {"date_of_birth": printed("date_of_birth", "2074-08-12", text="12.08.2074")})
    assert rec.fields["date_of_birth"] == "1974-08-12"
    assert any(w.code == "viz_mismatch" for w in rec.warnings)


def test_an_unflagged_birth_after_the_date_of_issue_takes_the_earlier_century():
    rec = record(date_of_birth="2011-01-01", date_of_expiry="2012-07-04")
    merge_printed(rec, {"date_of_issue": printed("date_of_issue", "2002-07-04")})
    assert rec.fields["date_of_birth"] == "1911-01-01"
    (warning,) = [w for w in rec.warnings if w.code == "ambiguous_century"]
    assert warning.severity == "info" and "2002-07-04" in warning.message


def test_ambiguous_century_not_settled_by_a_two_digit_print():
    ambiguous = Warning("ambiguous_century", "the birth century cannot be told from the MRZ", "date_of_birth")
    rec = record(date_of_birth="2024-03-05", warnings=[ambiguous])
    merge_printed(rec, {"date_of_birth": printed("date_of_birth", "2024-03-05", four_digit_year=False)})
    (warning,) = [w for w in rec.warnings if w.code == "ambiguous_century"]
    assert warning.severity == "error"


def test_nationality_printed_as_a_word_is_not_compared():
    rec = merge_printed(record(), {"nationality": printed("nationality", "UTOPIAN")})
    assert not rec.warnings


def test_nationality_word_with_national_letters_is_not_taken_for_a_code():
    # 'ČESKÁ' without its accented letters is three letters long; it is still a word.
    rec = merge_printed(record(nationality="CZE"), {"nationality": printed("nationality", "ČESKÁ")})
    assert not rec.warnings


def test_printed_nationality_code_that_differs_is_a_mismatch():
    rec = merge_printed(record(nationality="CZE"), {"nationality": printed("nationality", "SVK")})
    assert [w.code for w in rec.warnings] == ["viz_mismatch"]


def test_sex_in_two_languages_agrees():
    rec = merge_printed(record(sex="F"), {"sex": printed("sex", "K/F")})
    assert not any(w.code == "viz_mismatch" for w in rec.warnings)


def test_mrz_spellings_of_national_characters():
    assert mrz_spellings("Weiß") == ["WEISS"]
    assert mrz_spellings("Øster-Ålund")[0] == "OESTER AALUND"
    assert mrz_spellings("D'Artagnan") == ["DARTAGNAN"]
    assert "MULLER" in mrz_spellings("Müller") and mrz_spellings("Müller")[0] == "MUELLER"
    assert mrz_spellings("Čapek") == ["CAPEK"]


def test_completed_name_word_by_word_truncation():
    assert completed_name("ANNA M", "Anna Maria") == "ANNA MARIA"
    assert completed_name("JEAN PIER FRAN", "Jean-Pierre François") == "JEAN PIERRE FRANCOIS"
    assert completed_name("ANNA MARIA", "ANNA MARIA") is None
    assert completed_name("JOHN", "ANNA MARIA") is None
    assert completed_name("ANNA MARIA", "ANNA") is None


def test_completed_name_keeps_the_mrz_spelling_of_whole_words():
    # The print's marks misread ('Ó' for 'Ö'): the words the MRZ holds whole keep its letters,
    # the dropped word is spelt from the print.
    assert completed_name("ERIKA BJOERN JOERG HANS", "ERIKA BJÓRN JÓRG HANS-PETER") == "ERIKA BJOERN JOERG HANS PETER"
    # A cut word takes the print's spelling the MRZ prefix allows.
    assert completed_name("MUL", "Müller") == "MULLER"
    assert completed_name("MUEL", "Müller") == "MUELLER"


def test_spells_allows_a_misread_umlaut_but_not_another_name():
    assert spells("BJOERN", "BJÓRN") and spells("BJOERN", "Björn") and spells("BJOERN", "BJORN")
    assert spells("MUELLER LUDENSCHEIDT", "Müller-Lüdenscheidt")
    assert not spells("BJOERN", "BJARNE")
    assert not spells("ANNA", "ANNA MARIA")
    assert not spells("JOE", "JO E")


def test_ambiguous_century_settled_by_the_date_of_issue():
    # MRZ '240306' read in 2026: born 2024 or 1924. Issued in 2018, the holder was born in 1924.
    ambiguous = Warning("ambiguous_century", "the birth century cannot be told from the MRZ", "date_of_birth")
    rec = record(date_of_birth="2024-03-06", date_of_expiry="2023-12-19", warnings=[ambiguous])
    merge_printed(rec, {"date_of_issue": printed("date_of_issue", "2018-12-19")})
    assert rec.fields["date_of_birth"] == "1924-03-06"
    (warning,) = [w for w in rec.warnings if w.code == "ambiguous_century"]
    assert warning.severity == "info"


def test_birth_century_kept_when_the_issue_date_agrees_with_it():
    ambiguous = Warning("ambiguous_century", "the birth century cannot be told from the MRZ", "date_of_birth")
    rec = record(date_of_birth="2024-03-06", date_of_expiry="2031-05-01", warnings=[ambiguous])
    merge_printed(rec, {"date_of_issue": printed("date_of_issue", "2026-05-02")})
    assert rec.fields["date_of_birth"] == "2024-03-06"
    assert [w.severity for w in rec.warnings if w.code == "ambiguous_century"] == ["error"]


def test_print_only_value_read_with_little_confidence_is_given_but_flagged():
    rec = merge_printed(record(), {"place_of_birth": printed("place_of_birth", "KOBENHAVN", 0.55)})
    assert rec.fields["place_of_birth"] == "KOBENHAVN"
    (warning,) = [w for w in rec.warnings if w.field == "place_of_birth"]
    assert (warning.code, warning.severity) == ("low_confidence", "error")
    assert rec.status == "needs_review"


def test_print_only_value_read_with_confidence_is_not_flagged():
    rec = merge_printed(record(), {"authority": printed("authority", "PASSPORT OFFICE", 0.95)})
    assert not rec.warnings and rec.status == "extracted"


def test_a_place_found_without_its_label_is_given_for_review():
    unlabelled = PrintedValue("place_of_birth", "ZENITH", 0.57, "ZENITH", labelled=False)
    rec = merge_printed(record(), {"place_of_birth": unlabelled})
    assert rec.fields["place_of_birth"] == "ZENITH"
    warning = next(w for w in rec.warnings if w.field == "place_of_birth")
    assert (warning.code, warning.severity) == ("viz_unlabelled", "error")
    # Found under its label with the same confidence, it is only low-confidence.
    rec = merge_printed(record(), {"place_of_birth": printed("place_of_birth", "ZENITH", 0.57)})
    assert [w.code for w in rec.warnings if w.field == "place_of_birth"] == ["low_confidence"]
