"""The offline engine: CTC decoding on hand-made probabilities, then the real specimens."""

from __future__ import annotations

import importlib.util
import io

import numpy as np
import pytest
from PIL import Image

from passport_ocr.engines.local import (
    LocalEngine,
    clean_ink,
    filler_balance,
    looks_like_mrz,
    looks_upside_down,
    mean_confidence,
    zone_range,
)
from passport_ocr.engines.ocrb_net import OcrbNet
from passport_ocr.engines.recognizer import (
    MRZ_ALPHABET,
    MrzRecognizer,
    ctc_decode,
    line_to_tensor,
    mrz_class_ids,
    restrict_to_alphabet,
)
from passport_ocr.errors import NoMrzFound
from passport_ocr.imaging.locate import locate_zones, overlap
from passport_ocr.settings import Settings
from support.text import edit_distance

HAVE_MRZ_PARSER = importlib.util.find_spec("passport_ocr.mrz") is not None and importlib.util.find_spec(
    "passport_ocr.mrz.read"
) is not None


def frames(*columns: str, confidence: float = 0.9) -> np.ndarray:
    """(T, 1 + 37) probabilities: one frame per entry, '-' the blank, the rest shared evenly."""
    probs = np.full((len(columns), 1 + len(MRZ_ALPHABET)), (1 - confidence) / len(MRZ_ALPHABET))
    for t, ch in enumerate(columns):
        probs[t, 0 if ch == "-" else 1 + MRZ_ALPHABET.index(ch)] = confidence
    return probs / probs.sum(axis=1, keepdims=True)


# --- CTC decoding ---------------------------------------------------------------------
def test_repeated_frames_collapse_to_one_character():
    assert "".join(c.char for c in ctc_decode(frames("P", "P", "-", "<", "<", "U"))) == "P<U"


def test_a_blank_between_equal_characters_keeps_both():
    assert "".join(c.char for c in ctc_decode(frames("<", "-", "<", "<", "-", "<", "-"))) == "<<<"


def test_all_blank_frames_decode_to_nothing():
    assert ctc_decode(frames("-", "-", "-")) == []


def test_confidence_is_the_best_frame_and_runners_up_are_alternatives():
    probs = frames("0", "0", "-")
    probs[1] = 0.0
    probs[1, 1 + MRZ_ALPHABET.index("0")] = 0.7
    probs[1, 1 + MRZ_ALPHABET.index("O")] = 0.25
    probs[1, 0] = 0.05
    (char,) = ctc_decode(probs)
    assert char.char == "0"
    assert char.confidence == pytest.approx(0.9, abs=0.01)  # frame 0 is surer than frame 1
    assert [a for a, _ in char.alternatives] == [] or all(p >= 0.01 for _, p in char.alternatives)
    (char,) = ctc_decode(probs[1:])
    assert char.confidence == pytest.approx(0.7)
    assert char.alternatives[0] == ("O", pytest.approx(0.25))


def test_each_character_carries_its_best_frames_whole_distribution():
    probs = frames("8", "-")
    probs[0] = 0.0
    probs[0, 1 + MRZ_ALPHABET.index("8")] = 0.95
    probs[0, 1 + MRZ_ALPHABET.index("3")] = 0.045
    probs[0, 1 + MRZ_ALPHABET.index("R")] = 0.005
    (char,) = ctc_decode(probs)
    # 'R' is below the runners-up's reporting floor but stays in the distribution.
    assert all(a != "R" for a, _ in char.alternatives)
    assert char.distribution["R"] == pytest.approx(0.005)
    assert set(char.distribution) == set(MRZ_ALPHABET)


def test_masking_picks_the_best_mrz_character_over_a_look_alike():
    # Model classes: blank, then a toy dictionary where a full-width '＜' outscores '<'.
    dictionary = list(MRZ_ALPHABET) + ["＜", "く"]
    ids = mrz_class_ids(dictionary)
    full = np.zeros((2, 1 + len(dictionary)))
    full[0, 1 + dictionary.index("＜")] = 0.6
    full[0, 1 + dictionary.index("<")] = 0.3
    full[0, 0] = 0.1
    full[1, 0] = 1.0
    restricted = restrict_to_alphabet(full, ids)
    assert restricted.shape == (2, 1 + len(MRZ_ALPHABET))
    assert np.allclose(restricted.sum(axis=1), 1.0)
    (char,) = ctc_decode(restricted)
    assert char.char == "<"
    assert char.confidence == pytest.approx(0.75)


def test_a_dictionary_without_an_mrz_character_is_refused():
    with pytest.raises(ValueError):
        mrz_class_ids(list("ABC"))


def test_line_tensor_is_normalised_to_minus_one_one_and_padded_with_background():
    line = np.full((48, 10), 255, dtype=np.uint8)
    line[:, :3] = 0
    tensor = line_to_tensor(line, width=16)
    assert tensor.shape == (3, 48, 16)
    assert tensor.min() == -1.0 and tensor.max() == 1.0
    assert np.all(tensor[:, :, 10:] == 1.0)


def test_clean_ink_removes_a_light_background_pattern_and_keeps_dark_print():
    crop = np.full((48, 200, 3), 230, dtype=np.uint8)
    crop[::6, :, :] = 170  # light security lines across the whole line
    for x in range(10, 190, 16):
        crop[10:38, x : x + 5, :] = 20  # characters' dark strokes
    crop[:, 100:, :] = (crop[:, 100:, :] * 0.6).astype(np.uint8)  # a shadow over half the line
    clean = clean_ink(crop)
    assert np.all(clean[10:38, 10:15] == 0) and np.all(clean[10:38, 106:111] == 0)
    assert np.all(clean[::6, 16:26] == 255) and np.all(clean[::6, 112:122] == 255)


# --- the engine -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    return LocalEngine.shared(Settings())


def test_shared_engine_is_one_per_process_and_loads_its_model_lazily():
    first = LocalEngine.shared(Settings())
    assert LocalEngine.shared(Settings()) is first
    fresh = MrzRecognizer()
    assert not fresh.loaded and fresh.model_path.name == "PP-OCRv6_rec_small.onnx"
    assert fresh.model_path.exists()


def test_blank_image_raises_no_mrz_found(engine):
    with pytest.raises(NoMrzFound):
        list(engine.mrz_candidates(Image.new("RGB", (640, 480), (240, 240, 235))))


def _load(real_samples_dir, row) -> Image.Image:
    image = Image.open(real_samples_dir / row["file"])
    image.load()
    return image.convert("RGB")


def assert_reads_exactly(engine, image: Image.Image, row: dict, image_format: str = "JPEG", **save_options) -> None:
    """`image` saved as `image_format` and extracted (MRZ only): valid, every line as the truth."""
    from passport_ocr.extract import FIELDS_MRZ, extract

    buffer = io.BytesIO()
    image.save(buffer, image_format, **save_options)
    record = extract(buffer.getvalue(), engine=engine, settings=Settings(), fields=FIELDS_MRZ)
    assert record.mrz.valid
    assert list(record.mrz.lines) == row["mrz"]


@pytest.mark.slow
def test_every_real_sample_reads_close_to_truth_at_the_first_hypothesis(engine, real_samples_dir, real_truth):
    """Raw recogniser output (before check-digit correction) is within a few characters."""
    total_edits = total_chars = 0
    for row in real_truth:
        reading = next(engine.mrz_candidates(_load(real_samples_dir, row)))
        lines = [line.text for line in reading.lines]
        assert len(lines) == len(row["mrz"]), row["file"]
        for got, want in zip(lines, row["mrz"]):
            # O/0 and I/1 are the recogniser's usual slips; the parser settles them by field type.
            assert edit_distance(got, want) <= 2, (row["file"], got, want)
            total_edits += edit_distance(got, want)
            total_chars += len(want)
        assert looks_like_mrz(reading.lines)
        corners = np.array(reading.geometry.corners)
        width, height = Image.open(real_samples_dir / row["file"]).size
        assert corners[:, 0].min() >= -0.05 * width and corners[:, 0].max() <= 1.05 * width
        assert corners[:, 1].min() >= -0.05 * height and corners[:, 1].max() <= 1.05 * height
    assert total_edits / total_chars < 0.02


@pytest.mark.slow
@pytest.mark.parametrize("turn", [90, 180, 270])
def test_a_turned_real_sample_is_read_upright(engine, real_samples_dir, real_truth, turn):
    row = next(r for r in real_truth if r["file"] == "fin_virtanen.png")
    image = _load(real_samples_dir, row).rotate(turn, expand=True)
    readings = engine.mrz_candidates(image)
    best = max((next(readings), next(readings)), key=lambda r: mean_confidence(r.lines))
    assert [edit_distance(line.text, want) <= 2 for line, want in zip(best.lines, row["mrz"])] == [True, True]
    assert best.geometry.angle_deg == pytest.approx((-turn) % 360, abs=1.5)


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_MRZ_PARSER, reason="the MRZ parser (passport_ocr.mrz) is not there yet")
def test_every_real_sample_extracts_exactly_end_to_end(engine, real_samples_dir, real_truth):
    from passport_ocr.extract import FIELDS_MRZ, extract

    for row in real_truth:
        data = (real_samples_dir / row["file"]).read_bytes()
        record = extract(data, engine=engine, settings=Settings(), fields=FIELDS_MRZ)
        assert record.mrz.valid, row["file"]
        assert list(record.mrz.lines) == row["mrz"], row["file"]
        assert record.fields["document_number"] == row["document_number"], row["file"]
        assert record.fields["date_of_birth"] == row["date_of_birth"], row["file"]


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_MRZ_PARSER, reason="the MRZ parser (passport_ocr.mrz) is not there yet")
def test_a_low_resolution_rescan_still_extracts(engine, real_samples_dir, real_truth):
    """The Finnish page shrunk to 300 px wide and saved as a rough JPEG."""
    row = next(r for r in real_truth if r["file"] == "fin_virtanen.png")
    image = _load(real_samples_dir, row)
    small = image.resize((300, round(300 * image.height / image.width)), Image.LANCZOS)
    assert_reads_exactly(engine, small, row, "JPEG", quality=60)


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_MRZ_PARSER, reason="the MRZ parser (passport_ocr.mrz) is not there yet")
def test_a_real_sample_photographed_at_an_angle_still_extracts(engine, real_samples_dir, real_truth):
    """Perspective: the page's right edge 15% shorter, as when the camera leans to the left."""
    row = next(r for r in real_truth if r["file"] == "pol_kowalska.png")
    image = _load(real_samples_dir, row)
    w, h = image.size
    tilted = image.transform((w, h), Image.QUAD, (0, 0, 0, h, w, h * 1.15, w, -0.15 * h), Image.BICUBIC, fillcolor=(90, 90, 90))
    assert_reads_exactly(engine, tilted, row, "PNG")


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_MRZ_PARSER, reason="the MRZ parser (passport_ocr.mrz) is not there yet")
def test_a_real_sample_small_in_a_large_photo_still_extracts(engine, real_samples_dir, real_truth):
    """The Finnish page, slightly turned, in a 2400 x 1800 frame of dark table."""
    row = next(r for r in real_truth if r["file"] == "fin_virtanen.png")
    page = _load(real_samples_dir, row).rotate(7, expand=True, fillcolor=(50, 60, 50))
    frame = Image.new("RGB", (2400, 1800), (50, 60, 50))
    frame.paste(page, (1300, 900))
    assert_reads_exactly(engine, frame, row, "JPEG", quality=85)


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_MRZ_PARSER, reason="the MRZ parser (passport_ocr.mrz) is not there yet")
def test_a_skewed_phone_photo_whose_mrz_runs_off_the_page_angle_still_extracts(engine, real_samples_dir, real_truth):
    """The ICAO TD2 specimen photographed skewed and turned about 90 degrees: turned by the
    page's text angle its two MRZ lines smear into one band; the zone must be re-located at
    its own angle."""
    import random

    from passport_ocr.imaging.locate import locate_zones, refine_zone
    from passport_synth.degrade import phone_photo

    row = next(r for r in real_truth if r["file"] == "uto_td2_icao.png")
    rng = random.Random(2)
    photo = phone_photo(rng, _load(real_samples_dir, row), 0.6, rng.choice([90, -90, 180]) + rng.uniform(-10, 10))
    first = locate_zones(photo)[0]
    assert len(first.lines) == 1  # the case this test is about: the lines merged at the page angle
    assert len(refine_zone(photo, first).lines) == 2
    assert_reads_exactly(engine, photo, row, "JPEG", quality=85)


@pytest.mark.slow
def test_a_faded_scan_still_extracts(engine, real_samples_dir, real_truth):
    # A third of the contrast, greyed towards the paper: found by the engine's faint look.
    row = next(r for r in real_truth if r["file"] == "deu_bdr_mustermann.jpg")
    faded = Image.fromarray((np.asarray(_load(real_samples_dir, row), dtype=np.float32) * 0.35 + 123).astype(np.uint8))
    assert_reads_exactly(engine, faded, row, "JPEG", quality=85)


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_MRZ_PARSER, reason="the MRZ parser (passport_ocr.mrz) is not there yet")
def test_a_passport_small_in_a_12_megapixel_photo_still_extracts(engine, real_samples_dir, real_truth):
    """The Canadian specimen (itself a photo of a printout on a desk) a quarter of a 4032 x
    3024 photo wide: the passport is about 400 px wide, its MRZ characters 3 px high at a
    1600 px working size, so only the finest pass sees them."""
    import random

    from passport_ocr.imaging.locate import locate_zones
    from passport_synth.degrade import phone_photo

    row = next(r for r in real_truth if r["file"] == "can_aman_photo.jpg")
    rng = random.Random(3486191503)  # bench/stress_real.py's case can_aman_photo.jpg+phone25
    photo = phone_photo(rng, _load(real_samples_dir, row), 0.25, rng.uniform(-35, 35))
    with pytest.raises(NoMrzFound):
        locate_zones(photo, work_size=1600)
    assert_reads_exactly(engine, photo, row, "JPEG", quality=85)


@pytest.mark.slow
def test_the_filler_runs_tell_an_upside_down_zone_before_any_reading(engine, real_samples_dir, real_truth):
    for row in real_truth:
        image = _load(real_samples_dir, row)
        for turned in (False, True):
            page = image.rotate(180) if turned else image
            zone = locate_zones(page)[0]
            crops = engine._crops(page, zone, zone_range(zone))
            assert looks_upside_down(crops) is turned, (row["file"], turned, filler_balance(crops))


class CountingRecognizer:
    """The real recogniser, counting the line crops it is given."""

    def __init__(self, recognizer):
        self.recognizer, self.lines = recognizer, 0

    def frame_probs(self, crops):
        self.lines += len(crops)
        return self.recognizer.frame_probs(crops)


@pytest.mark.slow
def test_an_upside_down_page_is_read_with_no_line_wasted(engine, real_samples_dir, real_truth):
    row = next(r for r in real_truth if r["file"] == "fin_virtanen.png")
    counting = CountingRecognizer(engine.recognizer)
    readings = LocalEngine(counting).mrz_candidates(_load(real_samples_dir, row).rotate(180))
    first = next(readings)
    assert [line.text.replace("O", "0") for line in first.lines] == [l.replace("O", "0") for l in row["mrz"]]
    assert counting.lines == len(row["mrz"])


@pytest.mark.slow
def test_only_the_lines_in_doubt_are_read_again(engine, real_samples_dir, real_truth):
    row = next(r for r in real_truth if r["file"] == "fin_virtanen.png")
    counting = CountingRecognizer(engine.recognizer)
    readings = LocalEngine(counting).mrz_candidates(_load(real_samples_dir, row))
    first = next(readings)
    before = counting.lines
    again = readings.send(frozenset({1}))
    assert counting.lines - before == 1
    assert again.lines[0] is first.lines[0] and "line 2 only" in again.notes[0]
    # Without a focus every line is read again.
    readings = LocalEngine(counting).mrz_candidates(_load(real_samples_dir, row))
    next(readings)
    before = counting.lines
    again = next(readings)
    assert counting.lines - before == 2 and "only" not in again.notes[0]


def test_the_ocrb_network_reads_first_and_pp_ocr_only_gives_second_opinions_and_repairs(engine, real_samples_dir, real_truth):
    assert isinstance(engine.recognizer, OcrbNet) and isinstance(engine.fallback, MrzRecognizer)
    row = next(r for r in real_truth if r["file"] == "fin_virtanen.png")
    first, second = CountingRecognizer(engine.recognizer), CountingRecognizer(engine.fallback)
    readings = LocalEngine(first, fallback=second).mrz_candidates(_load(real_samples_dir, row))
    reading = next(readings)
    assert [line.text for line in reading.lines] == row["mrz"]
    assert first.lines == len(row["mrz"]) and second.lines == 0
    seen = []
    while True:
        before = first.lines
        try:
            reading = next(readings)
        except StopIteration:
            break
        seen.append(reading.notes[0])
        if any(kind in reading.notes[0] for kind in ("binarised", "wider", "second network")):
            # Crops unlike those the OCR-B network learnt from go to PP-OCR, and so does the second look.
            assert first.lines == before, reading.notes
    assert any("second network" in note for note in seen) and any("binarised" in note for note in seen)
    assert second.lines > 0


@pytest.mark.slow
def test_a_second_document_in_the_image_is_read_only_when_asked_for_and_flagged(engine, real_samples_dir, real_truth):
    from passport_ocr.engines.base import OTHER_DOCUMENTS
    from passport_ocr.extract import FIELDS_MRZ, extract
    from passport_synth.degrade import side_by_side

    rows = {r["file"]: r for r in real_truth}
    passport, card = rows["fin_virtanen.png"], rows["che_id_vadis.jpg"]
    both = side_by_side(_load(real_samples_dir, passport), _load(real_samples_dir, card))
    readings = LocalEngine(engine.recognizer).mrz_candidates(both)
    first = next(readings)
    other = readings.send(OTHER_DOCUMENTS)
    found = {len(first.lines), len(other.lines)}
    assert found == {2, 3}  # the passport's zone and the card's, one after the other
    buffer = io.BytesIO()
    both.save(buffer, "PNG")
    record = extract(buffer.getvalue(), engine=engine, settings=Settings(), fields=FIELDS_MRZ)
    assert record.mrz.valid and list(record.mrz.lines) in (passport["mrz"], card["mrz"])
    assert "another_document" in {w.code for w in record.warnings} and record.status == "needs_review"
    # One document alone: nothing else is worth reading, and nothing is flagged.
    counting = CountingRecognizer(engine.recognizer)
    readings = LocalEngine(counting).mrz_candidates(_load(real_samples_dir, passport))
    next(readings)
    before = counting.lines
    with pytest.raises(StopIteration):
        readings.send(OTHER_DOCUMENTS)
    assert counting.lines == before


@pytest.mark.slow
def test_a_faint_tilted_photo_beside_a_crisp_scan_is_found_as_a_second_document(engine, real_samples_dir, real_truth):
    from passport_ocr.engines.base import OTHER_DOCUMENTS
    from passport_synth.degrade import side_by_side

    rows = {r["file"]: r for r in real_truth}
    photo, scan = rows["can_aman_photo.jpg"], rows["uto_td2_icao.png"]
    both = side_by_side(_load(real_samples_dir, photo), _load(real_samples_dir, scan))
    # Over the whole image the scan's crisp print sets the ink level and the text angle:
    # the photo's zone is not among those located at the first working sizes.
    photo_side = (0, 0, _load(real_samples_dir, photo).width, both.height)
    for work_size in (800, 1600):
        assert all(overlap(z.corners_in_input(), [photo_side[:2], photo_side[2:]]) == 0 for z in locate_zones(both, work_size=work_size))
    readings = LocalEngine(engine.recognizer, fallback=engine.fallback).mrz_candidates(both)
    first = next(readings)
    assert [line.text for line in first.lines] == scan["mrz"]
    others = [readings.send(OTHER_DOCUMENTS)]
    others += list(readings)
    assert any([line.text for line in other.lines] == photo["mrz"] for other in others)


def test_a_zone_whose_probe_shows_fillers_is_read_both_ways_round(engine):
    # A heavily degraded card: the first line, probed upright, reads unsure (0.74) but with
    # a run of fillers; upside down it reads as digits. Both ways round must be tried.
    from passport_synth import generate

    sample = generate(700019, "heavy", "TD1")
    readings = list(engine.mrz_candidates(sample.image.convert("RGB")))
    upright = [r for r in readings if " turned 1.0 deg" in r.notes[0] or " turned 0." in r.notes[0]]
    assert upright and any("<<<<" in line.text for line in upright[0].lines)
