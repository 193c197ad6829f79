"""The project's OCR-B MRZ network: its input preparation, then what it reads on real crops."""

from __future__ import annotations

import numpy as np
import pytest

from passport_ocr.engines.local import LocalEngine, crop_line, looks_upside_down, upright_crops, zone_range
from passport_ocr.engines.ocrb_net import MODEL_FILE, NET_HEIGHT, NET_STRIDE, OcrbNet, frames_of, pad_batch, to_net_input
from passport_ocr.engines.recognizer import INPUT_HEIGHT, MRZ_ALPHABET, ctc_decode
from passport_ocr.imaging.locate import locate_zones, refine_zone
from support.text import edit_distance


def test_a_crop_is_scaled_to_the_net_height_keeping_its_shape():
    crop = np.full((INPUT_HEIGHT, 300), 200, np.uint8)
    assert to_net_input(crop).shape == (NET_HEIGHT, round(300 * NET_HEIGHT / INPUT_HEIGHT))


def test_faint_and_strong_print_look_alike_to_the_net():
    rng = np.random.default_rng(1)
    ink = rng.random((INPUT_HEIGHT, 120)) < 0.2
    strong = np.where(ink, 20, 235).astype(np.uint8)
    faint = np.where(ink, 140, 200).astype(np.uint8)  # a washed-out scan: 60 grey levels apart
    # Standardised, the two differ by far less than ink differs from paper.
    difference = np.abs(to_net_input(strong) - to_net_input(faint)).max()
    spread = np.ptp(to_net_input(strong))
    assert difference < 0.2 * spread


def test_a_batch_pads_each_line_with_its_own_paper_to_a_whole_frame():
    light = to_net_input(np.full((INPUT_HEIGHT, 90), 230, np.uint8))
    dark = to_net_input(np.where(np.arange(150) % 7 < 2, 0, 255).astype(np.uint8)[None, :].repeat(INPUT_HEIGHT, 0))
    batch = pad_batch([light, dark])
    assert batch.shape[0] == 2 and batch.shape[3] % NET_STRIDE == 0 and batch.shape[3] >= dark.shape[1]
    assert np.allclose(batch[0, 0, :, light.shape[1] :], np.percentile(light, 90))
    assert frames_of(batch.shape[3]) == batch.shape[3] // NET_STRIDE


@pytest.fixture(scope="module")
def net():
    if not MODEL_FILE.exists():
        pytest.fail(f"the MRZ model is missing: {MODEL_FILE} (scripts/mrz_model/train.py writes it)")
    model = OcrbNet()
    model.load()
    return model


def _upright_crops(image):
    image = image.convert("RGB")
    zone = locate_zones(image)[0]
    zone = refine_zone(image, zone) or zone
    crops = [crop_line(image, zone, line, x_range=zone_range(zone)) for line in zone.lines]
    return upright_crops(crops, looks_upside_down(crops))


def test_the_net_reads_real_specimens_close_to_their_truth(net, real_samples_dir, real_truth):
    from PIL import Image

    exact = 0
    for row in real_truth:
        crops = _upright_crops(Image.open(real_samples_dir / row["file"]))
        probs = net.frame_probs(crops)
        assert all(p.shape[1] == 1 + len(MRZ_ALPHABET) and np.allclose(p.sum(axis=1), 1, atol=1e-4) for p in probs)
        read = ["".join(c.char for c in ctc_decode(p)) for p in probs]
        errors = sum(edit_distance(a, b) for a, b in zip(read, row["mrz"]))
        assert errors <= 4, (row["file"], read)
        exact += read == row["mrz"]
    assert exact >= len(real_truth) - 3

