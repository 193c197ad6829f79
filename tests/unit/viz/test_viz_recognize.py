"""Latin line recognition: batching by width, and one recognition session for MRZ and VIZ."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from passport_ocr.engines.recognizer import MrzRecognizer, RecognitionModel
from passport_ocr.viz.models import model_path
from passport_ocr.viz.recognize import TextRecognizer, width_batches


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
