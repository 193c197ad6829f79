"""Choosing among several readings of one MRZ, and the corrector rules found with them."""

from datetime import date

from passport_ocr.mrz import check_digit, read_mrz
from passport_ocr.mrz.choose import Candidate, choose, is_settled, lines_in_doubt
from passport_ocr.engines.base import MrzReading
from passport_ocr.ocr_types import OcrChar, OcrLine

TODAY = date(2026, 11, 1)
# Generated TD3 pages whose number begins with the letter O (the recogniser reads it '0').
ITA = ["P<ITABIANCHI<<LUCREZIA<<<<<<<<<<<<<<<<<<<<<<", "O1275418<2ITA9306152F3407208X4D6WNG8CL1G<<18"]
NLD = ["P<NLDVISSER<<SANNE<<<<<<<<<<<<<<<<<<<<<<<<<<", "R4703378<3NLD9606151F2905143<<<<<<<<<<<<<<06"]
CHE = ["IDCHES0002068<8<<<<<<<<<<<<<<<", "8102287F1301014CHE<<<<<<<<<<<4", "VADIS<<QUO<<<<<<<<<<<<<<<<<<<<"]


def read(text: str, evidence: dict[int, tuple[str, float, list[tuple[str, float]]]] | None = None) -> OcrLine:
    """A line read confidently (a faint runner-up each, as the local engine reports), except
    at `evidence` positions: (read, probability, runners-up)."""
    evidence = evidence or {}
    chars = []
    for i, char in enumerate(text):
        if i in evidence:
            chars.append(OcrChar(*evidence[i]))
        else:
            chars.append(OcrChar(char, 0.98, [("<" if char != "<" else "C", 0.015)]))
    return OcrLine("".join(c.char for c in chars), chars)


def doubts(result) -> set:
    return {w.field for w in result.warnings if w.severity == "error"}


def test_a_letter_o_read_as_zero_at_the_start_of_a_number_is_restored_by_its_check_digit():
    # The recogniser gives '0' 0.99 and no probability to 'O': no evidence either way.
    ocr = [read(ITA[0]), read(ITA[1], {0: ("0", 0.99, [("8", 0.005)])})]
    result = read_mrz(ocr, today=TODAY)
    assert result.info.valid
    assert result.fields["document_number"] == "O1275418"
    assert "document_number" not in doubts(result)


def test_zeros_inside_a_run_of_digits_stay_digits():
    # Two '0' turned 'O' at weights 3 and 7 leave every check unchanged: were O/0 a coin toss
    # everywhere, 'S0002068' would be ambiguous; a letter after a digit is the unlikely reading.
    result = read_mrz([read(line) for line in CHE], today=TODAY)
    assert result.info.valid and result.fields["document_number"] == "S0002068"
    assert "document_number" not in doubts(result)


def test_the_composite_does_not_confirm_a_costly_change_in_the_document_number_twice():
    # TD3: the composite weighs the number's characters as its own check does, so a change
    # only a costly, unsupported swap explains rests on one check digit and is refused.
    number_line = "C" + ITA[1][1:]  # 'C1275418<2...': the first character misread, check fails
    result = read_mrz([read(ITA[0]), read(number_line, {0: ("C", 0.97, [("G", 0.02)])})], today=TODAY)
    assert result.fields["document_number"] != "O1275418" or "document_number" in doubts(result)
    assert not result.info.valid or "document_number" in doubts(result) or result.fields["document_number"] == "C1275418"


def test_a_checked_field_whose_characters_are_all_unsure_is_flagged_though_its_check_passes():
    unsure = {i: (ITA[1][i], 0.6, [("8", 0.3)]) for i in range(1, 5)}
    result = read_mrz([read(ITA[0]), read(ITA[1], unsure)], today=TODAY)
    assert result.info.valid
    assert "document_number" in doubts(result)


def td2_number_line(birth: str, expiry: str) -> str:
    number, birth_digit, expiry_digit = "529584713", check_digit(birth), check_digit(expiry)
    composite = check_digit(number + check_digit(number) + birth + birth_digit + expiry + expiry_digit + "<" * 7)
    return f"{number}{check_digit(number)}HUN{birth}{birth_digit}M{expiry}{expiry_digit}{'<' * 7}{composite}"


def test_a_birth_year_after_the_expiry_takes_the_earlier_century():
    # Born '23' on a document that expired in 2022: 1923, not 2023, and nothing ambiguous.
    names = "IDHUNKOVACS<<ZSOFIA<<<<<<<<<<<<<<<<<"
    result = read_mrz([read(names), read(td2_number_line("230505", "220217"))], today=TODAY)
    assert result.info.valid and result.fields["date_of_birth"] == "1923-05-05"
    assert "date_of_birth" not in doubts(result)
    # Expiring in 2026 it could be either: the latest century, flagged.
    result = read_mrz([read(names), read(td2_number_line("230505", "260217"))], today=TODAY)
    assert result.info.valid and result.fields["date_of_birth"] == "2023-05-05"
    assert "date_of_birth" in doubts(result)


def test_a_reading_that_lost_a_letter_is_not_settled_and_a_full_length_one_wins():
    dropped = NLD[0].replace("SANNE<", "SANE<", 1)[:43]  # one 'N' lost, the line one short
    short = read_mrz([read(dropped), read(NLD[1])], today=TODAY)
    full = read_mrz([read(NLD[0]), read(NLD[1])], today=TODAY)
    assert short.info.valid and not is_settled(short)
    assert is_settled(full)
    chosen = choose([Candidate(short, "short"), Candidate(full, "full")])
    assert chosen.source == "full" and chosen.result.fields["given_names"] == "SANNE"
    # Neither doubts itself, so the disagreement is flagged: no check digit covers the name.
    assert "given_names" in doubts(chosen.result)


def test_a_full_length_reading_with_a_doubt_outranks_a_short_one_without():
    # The full reading doubts its own surname (an unsure letter); the one read short dropped
    # a letter of the given names and doubts nothing, which no check digit can contradict.
    surname_at = NLD[0].index("VISSER") + 5
    unsure = read(NLD[0], {surname_at: ("R", 0.5, [("B", 0.45)])})
    full = read_mrz([unsure, read(NLD[1])], today=TODAY)
    short = read_mrz([read(NLD[0].replace("SANNE<", "SANE<", 1)[:43]), read(NLD[1])], today=TODAY)
    assert "surname" in doubts(full) and short.info.valid and not doubts(short)
    chosen = choose([Candidate(short, "short"), Candidate(full, "full")])
    assert chosen.source == "full" and chosen.result.fields["given_names"] == "SANNE"
    assert "given_names" in doubts(chosen.result)


def test_a_confident_reading_that_disagrees_flags_the_field():
    first = read_mrz([read(NLD[0]), read(NLD[1])], today=TODAY)
    other = read_mrz([read(NLD[0].replace("VISSER", "VISSEB")), read(NLD[1])], today=TODAY)
    chosen = choose([Candidate(first, 1), Candidate(other, 2)])
    assert "surname" in doubts(chosen.result)
    assert chosen.result.confidence["surname"] <= 0.3


def test_readings_of_another_zone_are_not_compared():
    first = read_mrz([read(NLD[0]), read(NLD[1])], today=TODAY)
    other = read_mrz([read(NLD[0].replace("VISSER", "VISSEB")), read(NLD[1])], today=TODAY)
    chosen = choose([Candidate(first, "left"), Candidate(other, "right")], same_zone=lambda a, b: a == b)
    assert chosen.source == "left" and not doubts(chosen.result)


def test_a_disagreeing_reading_that_doubts_its_own_value_does_not_flag():
    first = read_mrz([read(NLD[0]), read(NLD[1])], today=TODAY)
    unsure = NLD[0].replace("VISSER", "VISSEB")
    at = unsure.index("VISSEB") + 5
    other = read_mrz([read(unsure, {at: ("B", 0.5, [("R", 0.45)])}), read(NLD[1])], today=TODAY)
    assert "surname" in doubts(other)
    chosen = choose([Candidate(other, 2), Candidate(first, 1)])
    assert chosen.source == 1 and not doubts(chosen.result)


def test_a_blurred_filler_after_the_passport_type_is_taken_for_the_filler_and_flagged():
    ocr = [read(NLD[0], {1: ("C", 0.7, [("<", 0.28)])}), read(NLD[1])]
    result = read_mrz(ocr, today=TODAY)
    assert result.fields["document_code"] == "P"
    assert "document_code" in doubts(result)
    # An issuer's second letter read plainly stays.
    plain = read_mrz([read("PD" + NLD[0][2:]), read(NLD[1])], today=TODAY)
    assert plain.fields["document_code"] == "PD"


class FakeEngine:
    """Yields prepared readings in order and records how many were taken."""

    name = "fake"

    def __init__(self, readings):
        self.readings, self.taken = readings, 0

    def mrz_candidates(self, image):
        for lines in self.readings:
            self.taken += 1
            yield MrzReading(lines=lines)


def test_extraction_reads_on_past_a_doubtful_reading_and_stops_at_a_settled_one():
    from passport_ocr.extract import best_mrz_reading

    doubtful = [read(NLD[0], {NLD[0].index("SANNE"): ("S", 0.5, [("B", 0.45)])}), read(NLD[1])]
    settled = [read(NLD[0]), read(NLD[1])]
    never = [read(NLD[0].replace("VISSER", "VISSEB")), read(NLD[1])]
    engine = FakeEngine([doubtful, settled, never])
    result, reading = best_mrz_reading(engine, image=None, today=TODAY)
    assert reading.lines is settled
    assert engine.taken == 2
    assert not doubts(result) and result.fields["given_names"] == "SANNE"


class ListeningEngine:
    """A generator engine that records what the pipeline sends with each request."""

    name = "listening"

    def __init__(self, readings):
        self.readings, self.sent = readings, []

    def mrz_candidates(self, image):
        for lines in self.readings:
            self.sent.append((yield MrzReading(lines=lines)))


class TwoPlacesEngine:
    """A generator engine with one zone here and, when asked for other documents, one there."""

    name = "two places"
    finds_other_documents = True

    def __init__(self, here, there):
        self.here, self.there, self.asked_for_others = here, there, False

    def mrz_candidates(self, image):
        from passport_ocr.engines.base import OTHER_DOCUMENTS, MrzGeometry

        def at(x):
            return MrzGeometry(corners=[(x, 0), (x + 400, 0), (x + 400, 40), (x, 40)], angle_deg=0.0, char_height_px=10)

        sent = yield MrzReading(lines=self.here, geometry=at(0))
        if sent == OTHER_DOCUMENTS:
            self.asked_for_others = True
            yield MrzReading(lines=self.there, geometry=at(900))


def test_a_second_valid_mrz_elsewhere_in_the_image_flags_the_record():
    from passport_ocr.extract import best_mrz_reading

    nld, ita = [read(NLD[0]), read(NLD[1])], [read(ITA[0]), read(ITA[1])]
    engine = TwoPlacesEngine(nld, ita)
    result, reading = best_mrz_reading(engine, image=None, today=TODAY)
    assert engine.asked_for_others and reading.lines is nld
    assert result.fields["surname"] == "VISSER"
    assert [w.code for w in result.warnings if w.severity == "error"] == ["another_document"]
    # The same MRZ seen twice (a photocopy beside its page) or nothing MRZ-like there: no flag.
    for there in (nld, [OcrLine("1234"), OcrLine("ABCD")]):
        result, _ = best_mrz_reading(TwoPlacesEngine(nld, there), image=None, today=TODAY)
        assert not doubts(result)


def test_the_lines_in_doubt_are_those_of_the_doubtful_fields():
    unsure_number = {i: (ITA[1][i], 0.6, [("8", 0.3)]) for i in range(1, 5)}
    number = read_mrz([read(ITA[0]), read(ITA[1], unsure_number)], today=TODAY)
    assert lines_in_doubt(number) == {1}
    name = read_mrz([read(NLD[0], {NLD[0].index("SANNE"): ("S", 0.5, [("B", 0.45)])}), read(NLD[1])], today=TODAY)
    assert lines_in_doubt(name) == {0}
    # TD1: the name is on the third line, the document number on the first.
    card_name = read_mrz([read(CHE[0]), read(CHE[1]), read(CHE[2], {0: ("V", 0.5, [("Y", 0.45)])})], today=TODAY)
    assert "surname" in doubts(card_name) and lines_in_doubt(card_name) == {2}
    # Nothing in doubt, or every line: no focus.
    assert lines_in_doubt(read_mrz([read(NLD[0]), read(NLD[1])], today=TODAY)) is None
    both = read_mrz(
        [read(NLD[0], {NLD[0].index("SANNE"): ("S", 0.5, [("B", 0.45)])}), read(ITA[1], unsure_number)], today=TODAY
    )
    assert lines_in_doubt(both) is None


def test_a_look_alike_number_doubted_for_a_rough_zone_needs_every_line_read_again():
    # One unsure filler makes the zone rough: 'ZS0000177' then has a twin ('250000177').
    rough = read_mrz([read(POL[0]), read(POL[1], {30: ("<", 0.6, [("C", 0.3)])})], today=TODAY)
    assert ("ambiguous_character", "document_number") in {(w.code, w.field) for w in rough.warnings}
    assert lines_in_doubt(rough) is None


def test_a_line_read_short_is_in_doubt():
    dropped = NLD[0].replace("SANNE<", "SANE<", 1)[:43]
    assert lines_in_doubt(read_mrz([read(dropped), read(NLD[1])], today=TODAY)) == {0}


def test_extraction_tells_a_generator_engine_the_lines_in_doubt():
    from passport_ocr.extract import best_mrz_reading

    doubtful = [read(NLD[0], {NLD[0].index("SANNE"): ("S", 0.5, [("B", 0.45)])}), read(NLD[1])]
    garbage = [OcrLine("1234"), OcrLine("ABCD")]
    engine = ListeningEngine([garbage, doubtful, garbage, garbage])
    best_mrz_reading(engine, image=None, today=TODAY)
    # Nothing until a reading leaves a field in doubt; then that field's line, kept.
    assert engine.sent == [None, frozenset({0}), frozenset({0}), frozenset({0})]


def test_extraction_tells_the_engine_the_lines_in_doubt_after_an_invalid_reading_too():
    from passport_ocr.extract import best_mrz_reading

    # The number line's check digits fail; the names line has nothing wrong: read line 2 again.
    broken_number = [read(NLD[0]), read(NLD[1].replace("R4703378<3", "R4708378<3"))]
    engine = ListeningEngine([broken_number, broken_number])
    best_mrz_reading(engine, image=None, today=TODAY)
    assert engine.sent == [frozenset({1}), frozenset({1})]


def test_extraction_keeps_the_doubtful_reading_when_no_other_is_better():
    from passport_ocr.extract import MORE_READINGS_AFTER_VALID, best_mrz_reading

    doubtful = [read(NLD[0], {NLD[0].index("SANNE"): ("S", 0.5, [("B", 0.45)])}), read(NLD[1])]
    garbage = [OcrLine("1234"), OcrLine("ABCD")]
    engine = FakeEngine([doubtful] + [garbage] * (MORE_READINGS_AFTER_VALID + 3))
    result, reading = best_mrz_reading(engine, image=None, today=TODAY)
    assert reading.lines is doubtful and "given_names" in doubts(result)
    assert engine.taken == 1 + MORE_READINGS_AFTER_VALID  # bounded, and no hypothesis asked for in vain


POL = ["P<POLKOWALSKA<<ANNA<<<<<<<<<<<<<<<<<<<<<<<<<", "ZS00001774POL7203305F1607130<<<<<<<<<<<<<<08"]


def test_a_number_whose_look_alike_prefix_passes_every_check_is_flagged_on_a_rough_reading():
    # 'ZS' read '25' with full confidence (a rough photo of the Polish specimen): 'ZS' and
    # '25' change the weighted sums by 300, no check digit tells them apart.
    misread = "25" + POL[1][2:]
    rough = {POL[1].index("POL") + 2: ("1", 0.5, [("L", 0.49)])}  # elsewhere, the image shows its roughness
    result = read_mrz([read(POL[0]), read(misread, {0: ("2", 0.99, []), 1: ("5", 0.99, []), **rough})], today=TODAY)
    assert result.info.valid and result.fields["document_number"] == "250000177"
    assert "document_number" in doubts(result)
    # The same confident reading of a zone read without doubt anywhere is trusted.
    clean = read_mrz([read(POL[0]), read(misread)], today=TODAY)
    assert clean.info.valid and "document_number" not in doubts(clean)


def test_an_ambiguous_century_alone_needs_no_other_reading():
    # Born '23' on a document expiring in 2026: 1923 or 2023, whatever the crop; reading on
    # would only cost time.
    result = read_mrz([read("IDHUNKOVACS<<ZSOFIA<<<<<<<<<<<<<<<<<"), read(td2_number_line("230505", "260217"))], today=TODAY)
    assert doubts(result) == {"date_of_birth"}
    assert is_settled(result)


def test_an_id_card_second_letter_is_doubted_only_when_the_filler_was_a_strong_runner_up():
    names, numbers = "IDHUNKOVACS<<ZSOFIA<<<<<<<<<<<<<<<<<", td2_number_line("850505", "300217")
    faint = read_mrz([read(names, {1: ("D", 0.97, [("<", 0.02)])}), read(numbers)], today=TODAY)
    assert faint.fields["document_code"] == "ID" and "document_code" not in doubts(faint)
    strong = read_mrz([read(names, {1: ("D", 0.6, [("<", 0.35)])}), read(numbers)], today=TODAY)
    assert strong.fields["document_code"] == "ID" and "document_code" in doubts(strong)


def test_blurred_fillers_in_the_padding_after_the_names_are_fillers():
    # Generated heavy page: 'GAEL<<<<<<<<<<<<C<CK<' where every letter had '<' among its runners-up.
    truth = ["P<BELBOUCHER<<GAEL<<<<<<<<<<<<<<<<<<<<<<<<<<", "R4703378<3BEL9606151F2905143<<<<<<<<<<<<<<06"]
    tail = truth[0].index("GAEL") + 16
    blurred = {tail: ("C", 0.61, [("<", 0.37)]), tail + 2: ("C", 0.97, [("<", 0.02)]), tail + 3: ("K", 0.58, [("C", 0.22), ("<", 0.05)])}
    ocr = [read(truth[0], blurred), read(truth[1])]
    assert "C<CK" in ocr[0].text
    result = read_mrz(ocr, today=TODAY)
    assert result.fields["given_names"] == "GAEL"
    # A letter printed plainly after three fillers is not wiped out.
    plain = read_mrz([read(truth[0][:tail] + "Q" + truth[0][tail + 1 :], {tail: ("Q", 0.99, [])}), read(truth[1])], today=TODAY)
    assert plain.fields["given_names"] != "GAEL" or "given_names" in doubts(plain)


def test_a_digit_turned_letter_after_a_digit_does_not_complete_a_misread_number():
    # Generated heavy TD1 page: 'XKCZ0PZ89RK' read 'XKC20P289RK' (both Z read 2). Turning the
    # '0' after the '2' into 'O' happens to satisfy every check: that must not pass for a fix.
    line0 = "ACLTUXKC20P289<RK0<<<<<<<<<<<<"
    line1 = "4619163531121351TU<<<<<<<<<<<8"
    line2 = "JANKAUSKIENE<<JONAS<ZYDRUNAS<<"
    evidence0 = {8: ("2", 0.94, [("Z", 0.06)]), 9: ("0", 0.99, [("O", 0.01)]), 11: ("2", 0.96, [("Z", 0.02), ("1", 0.01)]),
                 15: ("R", 0.95, [("8", 0.04)]), 17: ("0", 0.96, [("O", 0.04)])}
    evidence1 = {2: ("1", 0.81, [("9", 0.18)]), 3: ("9", 0.78, [("1", 0.20)]), 7: ("5", 0.36, [("F", 0.29), ("1", 0.15), ("6", 0.06)]),
                 15: ("1", 0.88, [("L", 0.10)]), 16: ("T", 0.49, [("7", 0.34), ("9", 0.03), ("1", 0.02)]), 17: ("U", 0.89, [("V", 0.08), ("0", 0.02)])}
    result = read_mrz([read(line0, evidence0), read(line1, evidence1), read(line2)], today=TODAY)
    assert result.fields["document_number"] == "XKCZ0PZ89RK" or "document_number" in doubts(result)


def test_a_k_beside_a_filler_is_doubted_only_when_the_recogniser_also_saw_a_filler():
    erik = NLD[0].replace("SANNE", "ERIK<")
    at = erik.index("ERIK") + 3
    plain = read_mrz([read(erik, {at: ("K", 0.98, [("<", 0.01)])}), read(NLD[1])], today=TODAY)
    assert plain.fields["given_names"] == "ERIK" and "given_names" not in doubts(plain)
    unsure = read_mrz([read(erik, {at: ("K", 0.7, [("<", 0.28)])}), read(NLD[1])], today=TODAY)
    assert "given_names" in doubts(unsure)
    # Without per-character evidence (OCR.Space) a 'K' beside a filler stays doubtful.
    flat = read_mrz([OcrLine.plain(erik, 0.9), OcrLine.plain(NLD[1], 0.9)], today=TODAY)
    assert "given_names" in doubts(flat)
