"""Text line detection with the PP-OCRv6 detector (DB) and its post-processing in numpy.

The network outputs a per-pixel "is text" probability; DB post-processing thresholds it,
groups pixels into connected regions and grows each region back out (the network is
trained on shrunk text polygons). We work on a page already deskewed from the MRZ angle,
so axis-aligned boxes are enough and no OpenCV polygon code is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image

from ..imaging.morphology import label_runs, measure_runs
from ..engines.sessions import new_session
from .models import model_path

# The detector quantized to 8-bit integers by scripts/quantize_detector.py, shipped with the
# package: several times cheaper on one core than the float model, for the same boxes within
# a pixel or two. The float model is used where it is absent.
INT8_DETECTOR = Path(__file__).resolve().parent / "onnx" / "PP-OCRv6_det_small_int8.onnx"


def detector_model(model_dir: str | None = None, quantized: bool = True) -> Path:
    """The detector's model file: the shipped int8 one when `quantized` and present, else the
    float model (from `model_dir` or the rapidocr package)."""
    if quantized and INT8_DETECTOR.exists():
        return INT8_DETECTOR
    return model_path("det", model_dir)

# ImageNet statistics the detector was trained with, in the BGR channel order it was fed.
_DET_MEAN = np.array([0.406, 0.456, 0.485], dtype=np.float32)
_DET_STD = np.array([0.225, 0.224, 0.229], dtype=np.float32)


@dataclass(frozen=True)
class DbParams:
    """DB post-processing knobs (PaddleOCR's defaults, tuned for printed documents)."""

    pixel_threshold: float = 0.3  # probability above which a pixel is text
    box_threshold: float = 0.5  # mean probability a region needs to be kept
    unclip_ratio: float = 1.6  # how far to grow a region back (area * ratio / perimeter)
    # Growing sideways as much as vertically only adds blank paper at both ends of a line,
    # which the recogniser pays for by width: grow sideways by this fraction of it.
    unclip_x_fraction: float = 0.5
    min_size: int = 3  # regions thinner than this (in map pixels) are noise


class TextBox(NamedTuple):
    """One detected text region: its axis-aligned box, mean probability, and the slope
    (dy/dx) of its pixels' regression line: a line of text seen at an angle gives a box
    taller than its letters and a slope that says by how much."""

    x0: float
    y0: float
    x1: float
    y1: float
    score: float
    slope: float


def boxes_from_probability(probability: np.ndarray, params: DbParams = DbParams()) -> list[TextBox]:
    """Axis-aligned text boxes in probability-map pixels."""
    bitmap = probability > params.pixel_threshold
    rows, starts, ends, labels = label_runs(bitmap)
    if len(rows) == 0:
        return []
    count = int(labels.max()) + 1
    cumulative = np.zeros((probability.shape[0], probability.shape[1] + 1), dtype=np.float64)
    np.cumsum(probability, axis=1, out=cumulative[:, 1:])
    run_sums = cumulative[rows, ends] - cumulative[rows, starts]
    prob_sum = np.bincount(labels, weights=run_sums, minlength=count)
    regions = measure_runs(rows, starts, ends, labels, count)
    x0, y0, x1, y1 = regions.x0, regions.y0, regions.x1, regions.y1
    height, width = probability.shape
    boxes = []
    for i in range(count):
        box_w, box_h = float(x1[i] - x0[i]), float(y1[i] - y0[i])
        if min(box_w, box_h) < params.min_size:
            continue
        score = prob_sum[i] / regions.area[i]
        if score < params.box_threshold:
            continue
        # The detector learnt shrunk text; grow by DB's offset for a rectangle.
        grow = box_w * box_h * params.unclip_ratio / (2 * (box_w + box_h))
        grow_x = grow * params.unclip_x_fraction
        slope = float(regions.mxy[i] / regions.mxx[i]) if regions.mxx[i] > 0 else 0.0
        boxes.append(
            TextBox(
                max(0.0, x0[i] - grow_x),
                max(0.0, y0[i] - grow),
                min(float(width), x1[i] + grow_x),
                min(float(height), y1[i] + grow),
                float(score),
                slope,
            )
        )
    return boxes


def prepare_detector_input(image: Image.Image, max_side: int) -> tuple[np.ndarray, float, float]:
    """The NCHW float input and the (x, y) scale from input pixels back to image pixels."""
    width, height = image.size
    scale = min(1.0, max_side / max(width, height))
    # The network downsamples by 32: both sides must be multiples of it.
    target_w = max(32, int(round(width * scale / 32)) * 32)
    target_h = max(32, int(round(height * scale / 32)) * 32)
    resized = image.convert("RGB").resize((target_w, target_h), Image.BILINEAR)
    array = np.asarray(resized, dtype=np.float32)[:, :, ::-1] / 255.0
    array = (array - _DET_MEAN) / _DET_STD
    return array.transpose(2, 0, 1)[None].astype(np.float32), width / target_w, height / target_h


class TextDetector:
    """Owns the detection ONNX session."""

    def __init__(self, model_file: Path | None = None, threads: int = 1, params: DbParams = DbParams()):
        self.session = new_session(model_file or detector_model(), threads)
        self.input_name = self.session.get_inputs()[0].name
        self.params = params

    def detect(self, image: Image.Image, max_side: int = 960) -> list[TextBox]:
        """Text boxes in `image` pixels, top to bottom."""
        tensor, scale_x, scale_y = prepare_detector_input(image, max_side)
        probability = self.session.run(None, {self.input_name: tensor})[0][0, 0]
        boxes = [
            TextBox(b.x0 * scale_x, b.y0 * scale_y, b.x1 * scale_x, b.y1 * scale_y, b.score, b.slope * scale_y / scale_x)
            for b in boxes_from_probability(probability, self.params)
        ]
        return sorted(boxes, key=lambda b: (b[1], b[0]))
