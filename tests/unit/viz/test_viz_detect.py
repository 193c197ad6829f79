"""DB post-processing of the text detector on synthetic probability maps (no model)."""

import numpy as np

from passport_ocr.imaging.morphology import label_runs
from passport_ocr.viz.detect import DbParams, boxes_from_probability


def test_label_runs_groups_8_connected_pixels():
    bitmap = np.array(
        [
            [1, 1, 0, 0, 1],
            [0, 1, 0, 0, 1],
            [0, 0, 1, 0, 0],  # touches the first blob diagonally
            [0, 0, 0, 0, 0],
            [1, 0, 0, 1, 1],
        ],
        dtype=bool,
    )
    rows, starts, ends, labels = label_runs(bitmap)
    image = np.full(bitmap.shape, -1)
    for row, start, end, label in zip(rows, starts, ends, labels):
        image[row, start:end] = label
    assert image[0, 0] == image[1, 1] == image[2, 2]
    assert image[0, 4] == image[1, 4] != image[0, 0]
    assert len({image[4, 0], image[4, 3], image[0, 0], image[0, 4]}) == 4
    assert image[4, 3] == image[4, 4]


def test_u_shape_joins_into_one_component():
    bitmap = np.zeros((6, 7), dtype=bool)
    bitmap[0:5, 1] = bitmap[0:5, 5] = True
    bitmap[5, 1:6] = True
    _, _, _, labels = label_runs(bitmap)
    assert len(set(labels.tolist())) == 1


def text_map():
    probability = np.zeros((100, 200), dtype=np.float32)
    probability[10:20, 20:120] = 0.9  # a text line
    probability[50:58, 30:90] = 0.8  # another
    probability[80:95, 150:152] = 0.9  # too thin: noise
    probability[70:75, 150:190] = 0.35  # above the pixel threshold but weak overall
    return probability


def test_boxes_grown_back_around_each_line():
    boxes = boxes_from_probability(text_map(), DbParams(box_threshold=0.5, unclip_ratio=1.6, unclip_x_fraction=0.5))
    assert len(boxes) == 2
    (x0, y0, x1, y1, score, _), (x0b, y0b, x1b, y1b, _, _) = sorted(boxes, key=lambda b: b[1])
    # The shrunk line 10..20 x 20..120 grows by area * ratio / perimeter = 1000*1.6/220 px.
    grow = 100 * 10 * 1.6 / (2 * 110)
    assert abs(y0 - (10 - grow)) < 1e-6 and abs(y1 - (20 + grow)) < 1e-6
    assert abs(x0 - (20 - grow / 2)) < 1e-6 and abs(x1 - (120 + grow / 2)) < 1e-6
    assert abs(score - 0.9) < 1e-6
    assert y0b < 50 < 58 < y1b and x0b < 30 and x1b > 90


def test_boxes_are_clipped_to_the_map():
    probability = np.zeros((20, 40), dtype=np.float32)
    probability[0:6, 0:40] = 1.0
    (x0, y0, x1, y1, _, _), = boxes_from_probability(probability)
    assert (x0, y0) == (0.0, 0.0) and x1 == 40.0 and y1 <= 20.0


def test_empty_map_has_no_boxes():
    assert boxes_from_probability(np.zeros((32, 32), dtype=np.float32)) == []


def test_the_shipped_int8_detector_is_preferred_and_the_float_model_is_the_fallback(tmp_path, monkeypatch):
    from passport_ocr.viz import detect
    from passport_ocr.viz.models import model_path

    shipped = tmp_path / "det_int8.onnx"
    monkeypatch.setattr(detect, "INT8_DETECTOR", shipped)
    float_model = model_path("det", str(tmp_path))
    assert detect.detector_model(str(tmp_path)) == float_model  # nothing shipped
    shipped.write_bytes(b"model")
    assert detect.detector_model(str(tmp_path)) == shipped
    assert detect.detector_model(str(tmp_path), quantized=False) == float_model


def _iou(a, b) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _float_and_int8_boxes(seed: int, condition: str):
    """The float and the shipped int8 detector's boxes on one generated TD3 page."""
    import io

    import pytest
    from PIL import Image

    from passport_ocr.viz.detect import INT8_DETECTOR, TextDetector, detector_model

    if not INT8_DETECTOR.exists():
        pytest.skip("no int8 detector shipped")
    from passport_synth import generate

    page = Image.open(io.BytesIO(generate(seed, condition, "TD3").data)).convert("RGB")
    exact = TextDetector(detector_model(quantized=False)).detect(page, max_side=1024)
    return exact, TextDetector(INT8_DETECTOR).detect(page, max_side=1024)


def test_the_int8_detector_finds_the_lines_the_float_detector_finds():
    exact, quantized = _float_and_int8_boxes(1234, "clean")
    assert len(exact) >= 15  # a passport page's labels and values
    matched = [max(_iou(box, other) for other in quantized) for box in exact]
    assert sum(iou >= 0.7 for iou in matched) >= 0.9 * len(exact)
    assert abs(len(quantized) - len(exact)) <= 0.1 * len(exact)


def test_the_int8_detector_keeps_the_lines_of_a_low_resolution_page():
    # Quantized with full 8-bit weights, the detector lost half the lines of low-resolution
    # and noisy pages on CPUs without VNNI (AVX2 only: onnxruntime's u8s8 products saturate
    # there), though not on CPUs with it: 16 boxes of 36 on this page. 7-bit weights
    # (reduce_range) keep them on both.
    exact, quantized = _float_and_int8_boxes(1236, "lowres")
    assert len(exact) >= 25
    assert len(quantized) >= 0.85 * len(exact)
    matched = [max(_iou(box, other) for other in quantized) for box in exact]
    assert sum(iou >= 0.7 for iou in matched) >= 0.7 * len(exact)
