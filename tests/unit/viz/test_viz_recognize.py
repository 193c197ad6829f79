"""Latin line recognition: batching by width, one recognition session for MRZ and VIZ, and the
decoding of letters and their marks."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from passport_ocr.engines.recognizer import MrzRecognizer, RecognitionModel
from passport_ocr.viz.models import model_path
from passport_ocr.viz.recognize import (
    DROPPED_LETTER_CONFIDENCE,
    TextRecognizer,
    decode_line,
    letter_table,
    width_batches,
)


def test_lines_of_similar_width_share_a_run_narrowest_first():
    widths = [300, 100, 105, 310, 900, 108]
    assert width_batches(widths, max_batch=8, max_pad=0.1) == [[1, 2, 5], [0, 3], [4]]


def test_a_run_never_pads_a_line_by_more_than_the_limit_nor_exceeds_the_batch_size():
    rng = np.random.default_rng(7)
    widths = [int(w) for w in rng.integers(24, 1200, size=60)]
    batches = width_batches(widths, max_batch=4, max_pad=0.15)
    assert sorted(i for batch in batches for i in batch) == list(range(len(widths)))
    for batch in batches:
        assert 1 <= len(batch) <= 4
        assert max(widths[i] for i in batch) <= 1.15 * min(widths[i] for i in batch)


def test_mrz_and_visual_zone_readers_share_one_session():
    mrz = MrzRecognizer()
    text = TextRecognizer(model_path("rec"))
    assert text.model is mrz.model
    mrz.load()
    assert mrz.loaded and text.model.loaded
    assert RecognitionModel.shared(mrz.model_path, 2) is not mrz.model  # other thread count, own session


def test_shared_session_reads_printed_latin_text():
    line = Image.new("RGB", (400, 48), "white")
    ImageDraw.Draw(line).text((8, 4), "PASSPORT 1234", fill="black", font_size=36)
    (read,) = TextRecognizer(model_path("rec")).read([line])
    assert read.text.replace(" ", "").upper() == "PASSPORT1234"
    assert read.confidence > 0.5


def test_a_line_reads_the_same_whatever_lines_are_read_with_it():
    def line(text: str, width: int) -> Image.Image:
        image = Image.new("RGB", (width, 48), "white")
        ImageDraw.Draw(image).text((8, 4), text, fill="black", font_size=36)
        return image

    target = line("Lieu de naissance", 400)
    recognizer = TextRecognizer(model_path("rec"))
    (alone,) = recognizer.read([target])
    # Neighbours a few percent wider or narrower: with padding they would share its run.
    together = recognizer.read([line("Geburtsort", 390), target, line("BESANCON", 415)])
    assert together[1].text == alone.text
    assert [c.confidence for c in together[1].chars] == [c.confidence for c in alone.chars]


# --- decoding (hand-made frame probabilities) -------------------------------------------------
SYMBOLS = ["", "C", "n", "T", "h", "o", "â", "G", "Ğ", "Ġ", " "]


def frames(*columns: dict[str, float]) -> np.ndarray:
    """One frame per dict of symbol -> probability; the rest of each frame is the blank's."""
    probabilities = np.zeros((len(columns), len(SYMBOLS)), dtype=np.float32)
    for t, column in enumerate(columns):
        for symbol, p in column.items():
            probabilities[t, SYMBOLS.index(symbol)] = p
        probabilities[t, 0] = 1.0 - sum(column.values())
    return probabilities


def test_base_letters_and_their_variants_of_the_same_case():
    table = letter_table(SYMBOLS)
    assert table.bases[SYMBOLS.index("Ğ")] == "G" and table.bases[SYMBOLS.index(" ")] == ""
    assert {SYMBOLS[v] for v in table.variants[SYMBOLS.index("G")]} == {"Ğ", "Ġ"}
    assert table.variants[SYMBOLS.index("n")] == ()


def test_a_letters_variants_are_listed_down_to_a_small_probability():
    # 'MUGLA' for 'MUĞLA': the Ğ is the third reading, at 0.004, in the frame after the G.
    probabilities = frames({"G": 0.985, "Ġ": 0.011}, {"Ğ": 0.004}, {})
    (g,) = decode_line(probabilities, SYMBOLS, letter_table(SYMBOLS))
    assert g.char == "G" and dict(g.alternatives) == pytest.approx({"Ġ": 0.011, "Ğ": 0.004})


def test_a_letter_the_recogniser_gave_up_on_doubts_its_neighbours():
    # 'Cần Thơ': the 'ầ' is not in the dictionary; the model gives blank frames between C
    # and n, with 'â' at 0.013 in one of them. Characters are three frames apart elsewhere.
    probabilities = frames(
        {"C": 0.99}, {}, {}, {"â": 0.013}, {}, {}, {"n": 0.99}, {}, {" ": 0.99}, {},
        {"T": 0.99}, {}, {}, {"h": 0.99}, {}, {}, {"o": 0.99}, {},
    )
    chars = decode_line(probabilities, SYMBOLS, letter_table(SYMBOLS))
    assert "".join(c.char for c in chars) == "Cn Tho"  # no letter is made up
    assert [c.confidence for c in chars[:2]] == [DROPPED_LETTER_CONFIDENCE] * 2
    assert min(c.confidence for c in chars[2:]) > 0.9


def test_ordinary_gaps_and_glyphs_of_other_scripts_doubt_nothing():
    table = letter_table(SYMBOLS)
    # As wide a gap, but nothing in it: a wide letter or a space the model left out.
    tail = ({"n": 0.99}, {}, {"T": 0.99}, {}, {"h": 0.99}, {}, {"o": 0.99})
    empty = frames({"C": 0.99}, {}, {}, {}, {}, {}, *tail)
    assert all(c.confidence > 0.9 for c in decode_line(empty, SYMBOLS, table))
    # A glyph of another script: the model names it (a class outside these columns), the
    # blank is not what it says there, so the little Latin probability means nothing.
    foreign = frames({"C": 0.99}, {}, {}, {"â": 0.02}, {}, {}, *tail)
    foreign[3, 0] = 0.1
    assert all(c.confidence > 0.9 for c in decode_line(foreign, SYMBOLS, table))


def test_the_recogniser_knows_which_printed_letters_it_cannot_output():
    recognizer = TextRecognizer(model_path("rec"))
    assert {"Ầ", "ụ", "Ả"} <= recognizer.unreadable
    assert not {"Ğ", "Ě", "Ø", "Æ", "Þ", "Ð", "Ő", "Ơ", "Ş", "İ"} & recognizer.unreadable
    line = Image.new("RGB", (300, 48), "white")
    ImageDraw.Draw(line).text((8, 4), "CAN THO", fill="black", font_size=36)
    (read,) = recognizer.read([line])
    assert read.unreadable is recognizer.unreadable
