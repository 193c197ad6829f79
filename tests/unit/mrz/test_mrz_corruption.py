"""The corrector against seeded, realistic OCR noise on the 9 real specimen MRZs.

A field is "silently wrong" when it differs from the truth and carries no error-severity
warning. Two kinds are told apart:
  - made by the corrector: a check-digit correction inside the field, or a non-filler
    alignment edit on its line, produced the wrong value. There must be none.
  - left by the OCR: the recogniser's own wrong text that every check digit happens to accept
    (e.g. a digit and its check digit misread alike, 'EREBZ721' for 'ERE82721', or a '<' read
    as 'K' inside a name on an engine without per-character confidences). No reader can see
    these; their count is bounded at what was measured.
"""

from datetime import date

import pytest

from mrz_noise import corrupt
from passport_ocr.errors import UnreadableMrz
from passport_ocr.mrz import read_mrz
from passport_ocr.mrz.formats import LAYOUTS
from passport_ocr.ocr_types import OcrLine

SEEDS = 2000
TODAY = date(2025, 6, 1)
COMPARED = ["document_type", "document_code", "issuing_country", "surname", "given_names",
            "document_number", "nationality", "date_of_birth", "sex", "date_of_expiry"]
# Measured with seeds 0..1999: 1481 exact (0.741); OCR-left silent fields in 6 documents
# (seeds 270, 611, 1533: a '<' read as 'K' inside given names on engines without confidences;
# 548, 1310, 1844: misreads every check digit accepts). Floors leave room for tuning.
MIN_EXACT_SHARE = 0.72
MAX_OCR_LEFT_SILENT = 10
SPAN_OF = {"document_type": "document_code", "surname": "name", "given_names": "name"}


def _made_by_corrector(result, field_name) -> bool:
    spec = LAYOUTS[result.info.format].field(SPAN_OF.get(field_name, field_name))
    for c in result.info.corrections:
        if c.line != spec.line:
            continue
        if c.reason == "check_digit" and spec.start <= c.position < spec.end:
            return True
        if c.reason == "alignment" and c.position < spec.end:
            return True
    return False


@pytest.fixture(scope="module")
def outcomes(real_truth):
    rows = []
    for seed in range(SEEDS):
        truth = real_truth[seed % len(real_truth)]
        try:
            result = read_mrz(corrupt(truth["mrz"], seed=seed), today=TODAY)
        except UnreadableMrz:
            rows.append((seed, truth, None))
            continue
        rows.append((seed, truth, result))
    return rows


def _wrong_unflagged(truth, result):
    flagged = {w.field for w in result.warnings if w.severity == "error"}
    return [f for f in COMPARED if result.fields[f] != truth[f] and f not in flagged]


def test_no_silent_error_is_made_by_the_corrector(outcomes):
    made = [
        (seed, field_name, result.fields[field_name], truth[field_name])
        for seed, truth, result in outcomes
        if result is not None
        for field_name in _wrong_unflagged(truth, result)
        if _made_by_corrector(result, field_name)
    ]
    assert made == []


def test_a_valid_unflagged_reading_of_the_checked_fields_is_the_truth_unless_the_ocr_text_itself_passed(outcomes):
    checked = {"document_number", "date_of_birth", "date_of_expiry"}
    left_by_ocr = set()
    for seed, truth, result in outcomes:
        if result is None or not result.info.valid:
            continue
        for field_name in _wrong_unflagged(truth, result):
            assert not _made_by_corrector(result, field_name), (seed, field_name)
            left_by_ocr.add(seed)
    # Every document, all fields: the OCR-left silent errors stay at the measured level.
    assert len(left_by_ocr) <= MAX_OCR_LEFT_SILENT, sorted(left_by_ocr)
    assert checked  # the checked fields are part of COMPARED
    assert checked <= set(COMPARED)


def test_most_corruptions_are_recovered_exactly(outcomes):
    exact = sum(
        1 for _, truth, result in outcomes
        if result is not None and all(result.fields[f] == truth[f] for f in COMPARED)
    )
    assert exact / SEEDS >= MIN_EXACT_SHARE, exact / SEEDS


def test_unfixable_readings_say_so(outcomes):
    invalid = [(truth, result) for _, truth, result in outcomes if result is not None and not result.info.valid]
    assert invalid, "the noise is strong enough that some readings cannot be fixed"
    for truth, result in invalid:
        failing = [c for c in result.info.checks if not c.ok]
        assert failing
        assert any(w.code == "check_digit_failed" and w.severity == "error" for w in result.warnings)
        for field_name, confidence in result.confidence.items():
            if any(w.code == "check_digit_failed" and w.field == field_name for w in result.warnings):
                assert confidence < 0.5


def test_almost_every_corruption_still_finds_the_mrz(outcomes):
    unreadable = sum(1 for _, _, result in outcomes if result is None)
    assert unreadable / SEEDS < 0.01


def test_noise_generator_is_seeded(real_truth):
    mrz = real_truth[0]["mrz"]
    assert [l.text for l in corrupt(mrz, seed=7)] == [l.text for l in corrupt(mrz, seed=7)]
    texts = {tuple(l.text for l in corrupt(mrz, seed=s)) for s in range(20)}
    assert len(texts) > 10
    assert all(isinstance(line, OcrLine) for line in corrupt(mrz, seed=1))
