"""Voting the readings of one MRZ zone into one more reading (mrz.vote, extract.voted_reading)."""

from datetime import date

from passport_ocr.engines.base import MrzReading
from passport_ocr.mrz import read_mrz
from passport_ocr.mrz.cells import Cell
from passport_ocr.mrz.choose import Candidate
from passport_ocr.mrz.review import LOW_CONFIDENCE
from passport_ocr.mrz.vote import consensus, flag_disputes, vote_character
from passport_ocr.extract import best_mrz_reading, voted_reading

from test_mrz_choose import NLD, FakeEngine, doubts, read

TODAY = date(2026, 11, 1)
SWE = ["P<SWEOEDEGAARD<<INGRID<<<<<<<<<<<<<<<<<<<<<<", "BQQGSHH1<6SWE9805253M34111603843016483117104"]


def parsed(*lines):
    return read_mrz(list(lines), today=TODAY)


def voted(*readings):
    """The consensus of parsed readings, parsed and flagged as the pipeline does."""
    result = consensus(list(readings))
    assert result is not None
    out = read_mrz(result.lines, today=TODAY)
    flag_disputes(out, result.disputed)
    return out


def test_readings_that_agree_keep_their_average_probability():
    char = vote_character([Cell("O", 0.9, [("D", 0.1)]), Cell("O", 0.7, [("D", 0.3)])])
    assert char.char == "O" and abs(char.confidence - 0.8) < 1e-9
    assert char.alternatives == [("D", 0.2)]


def test_a_character_read_two_ways_takes_the_better_supported_one_and_stays_in_doubt():
    # Five readings sure of 'O', one sure of 'D': the one may be the crop that saw it best.
    char = vote_character([Cell("O", 0.99)] * 5 + [Cell("D", 0.99, [("O", 0.01)])])
    assert char.char == "O" and char.confidence < LOW_CONFIDENCE
    assert dict(char.alternatives)["D"] > 0.1


def test_each_reading_unsure_of_another_letter_the_consensus_reads_both():
    name = NLD[0].index("VISSER")
    # One crop half-reads the 'V' as 'W', the other the 'R' as 'B': neither reading is right.
    first = parsed(read(NLD[0], {name: ("W", 0.55, [("V", 0.43)])}), read(NLD[1]))
    second = parsed(read(NLD[0], {name + 5: ("B", 0.55, [("R", 0.43)])}), read(NLD[1]))
    assert first.fields["surname"] == "WISSER" and second.fields["surname"] == "VISSEB"
    result = voted(first, second)
    assert result.info.valid and result.fields["surname"] == "VISSER"
    # Two readings read it otherwise: right, but not to be trusted unseen.
    assert "surname" in doubts(result) and result.confidence["surname"] <= 0.45


def test_a_name_letter_the_readings_disagree_on_is_flagged_however_sure_each_one_is():
    # 'OEDEGAARD' read with a digit '0' by one crop (the corrector makes it 'O'), 'D' by
    # another. Averaged, 'D' wins at 0.51, but in a name a digit is no candidate: among the
    # letters 'D' has 0.89 of the probability, which alone would look sure.
    start = SWE[0].index("OEDEGAARD")
    digit = parsed(read(SWE[0], {start: ("0", 0.85, [("O", 0.1), ("D", 0.03)])}), read(SWE[1]))
    letter = parsed(read(SWE[0], {start: ("D", 0.99, [("O", 0.005)])}), read(SWE[1]))
    assert digit.fields["surname"] == "OEDEGAARD" and letter.fields["surname"] == "DEDEGAARD"
    result = voted(letter, digit)
    assert result.info.valid
    assert "surname" in doubts(result)


def test_readings_that_read_a_line_alike_count_once():
    # Two crops of the same pixels read '6' (a check-invisible twin of 'G'), a repaired crop
    # reads 'G' more surely: counted twice, the '6' would win.
    number = NLD[1]
    six = parsed(read(NLD[0]), read("6" + number[1:], {0: ("6", 0.9, [("G", 0.1)])}))
    six_again = parsed(read(NLD[0]), read("6" + number[1:], {0: ("6", 0.88, [("G", 0.12)])}))
    g = parsed(read(NLD[0]), read("G" + number[1:], {0: ("G", 0.95, [("6", 0.05)])}))
    lines = consensus([six, six_again, g]).lines
    assert lines[1].text[0] == "G"


def test_invalid_readings_do_not_vote_when_a_valid_one_is_there():
    valid = parsed(read(NLD[0]), read(NLD[1]))
    broken = NLD[1][:1] + "9" + NLD[1][2:]  # the number's second character misread: its check fails
    invalid = parsed(read(NLD[0].replace("VISSER", "VISSEB")), read(broken))
    assert not invalid.info.valid
    assert consensus([valid, invalid]) is None  # one valid reading: nothing to vote on


def test_a_line_read_short_does_not_vote():
    full = parsed(read(NLD[0]), read(NLD[1]))
    # 'SANNE' read 'SANE': padded back at the end, the name hides the dropped letter.
    # Its second line differs in the personal number's fillers (a blurred '<' read 'K').
    short = parsed(read(NLD[0].replace("SANNE<", "SANE<", 1)[:43]), read(NLD[1], {30: ("K", 0.9, [("<", 0.08)])}))
    assert short.info.valid
    result = consensus([full, short])
    assert result is not None and result.lines[0].text == NLD[0]


def test_no_consensus_when_every_reading_read_the_zone_alike():
    one = parsed(read(NLD[0]), read(NLD[1]))
    again = parsed(read(NLD[0]), read(NLD[1]))
    assert consensus([one, again]) is None


def test_a_consensus_that_passes_every_check_is_still_flagged_where_another_valid_reading_disagrees():
    name = NLD[0].index("VISSER")
    # Each reading doubts something the other read plainly: the surname's 'V', a number digit.
    first = [read(NLD[0], {name: ("V", 0.65, [("W", 0.33)])}), read(NLD[1])]
    second = [read(NLD[0], {43: ("C", 0.9, [("<", 0.08)])}), read(NLD[1], {5: ("3", 0.55, [("8", 0.43)])})]
    # A third reading lost a filler after the names (so it does not vote on that line) and
    # reads the given names 'SANNA', sure of it: no check digit covers the names.
    third = [read(NLD[0].replace("SANNE<", "SANNA", 1)), read(NLD[1])]
    result, reading = best_mrz_reading(FakeEngine([first, second, third]), image=None, today=TODAY)
    assert reading.notes and reading.notes[0].startswith("consensus")
    assert result.info.valid and result.fields["surname"] == "VISSER" and result.fields["given_names"] == "SANNE"
    assert doubts(result) == {"given_names"}


def test_no_vote_when_the_first_reading_settles():
    settled = [read(NLD[0]), read(NLD[1])]
    engine = FakeEngine([settled, [read(NLD[0].replace("VISSER", "VISSEB")), read(NLD[1])]])
    result, reading = best_mrz_reading(engine, image=None, today=TODAY)
    assert reading.lines is settled and engine.taken == 1


def test_the_consensus_joins_only_readings_of_the_likeliest_reading_s_zone():
    from passport_ocr.engines.base import MrzGeometry

    def at(x):
        return MrzGeometry(corners=[(x, 0), (x + 400, 0), (x + 400, 40), (x, 40)], angle_deg=0.0, char_height_px=10)

    unsure = parsed(read(NLD[0]), read(NLD[1], {5: ("3", 0.6, [("8", 0.39)])}))
    beside = parsed(read(NLD[0].replace("VISSER", "VISSEB")), read(NLD[1]))
    here = Candidate(unsure, MrzReading([], at(0)))
    assert voted_reading([here, Candidate(beside, MrzReading([], at(0)))], TODAY) is not None
    # Another document beside it is no reading of this zone.
    assert voted_reading([here, Candidate(beside, MrzReading([], at(900)))], TODAY) is None
