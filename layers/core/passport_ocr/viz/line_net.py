"""The project's own line recogniser for the printed visual zone: a small convolutional CTC net.

PP-OCRv6 reads clean visual-zone print well but badly degraded print poorly ('08 MAR/MARS 19'
as '03 1|AR M585 19'). This network (scripts/viz_model: trained only on lines rendered in
many fonts, never the DejaVu faces the page generator prints with, cut with the detector's
padding and degraded from clean to beyond the benchmark's heavy condition) reads base
letters only: A-Z, a-z, digits, space and . , - / ( ) '. Marks are the mark network's job
(viz.marks); a letter with no plain base (Ø, Ł, ß, Æ ...) was never rendered.

`to_net_input` is the one preprocessing, used in training and here. The model outputs logits
(N, classes, T), blank first; `probabilities` applies the softmax in numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..engines.sessions import OnnxModelFile

MODEL_FILE = Path(__file__).resolve().parent / "onnx" / "vizline.onnx"
NET_HEIGHT = 32
# Columns of input per output frame (two 2x2 poolings).
NET_STRIDE = 4
# The output classes after the blank (class 0), in order.
LINE_ALPHABET = (
    " 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,-/()'"
)
MAX_BATCH = 16


def net_grey(crop: Image.Image) -> np.ndarray:
    """A line crop (any mode) as grey float32, resized bilinear to NET_HEIGHT keeping its aspect."""
    grey = crop.convert("L")
    width = max(NET_STRIDE * 2, round(grey.width * NET_HEIGHT / max(1, grey.height)))
    return np.asarray(grey.resize((width, NET_HEIGHT), Image.BILINEAR), dtype=np.float32)


def standardise(grey: np.ndarray) -> np.ndarray:
    """Zero mean, unit spread: faded print (ink and paper a few grey levels apart) and a clean
    scan (200 apart) look alike to the net; the +4 keeps blank paper from being blown up."""
    return ((grey - grey.mean()) / (grey.std() + 4.0)).astype(np.float32)


def to_net_input(crop: Image.Image) -> np.ndarray:
    """A detector box's crop -> (NET_HEIGHT, W) float32 net input."""
    return standardise(net_grey(crop))


def pad_batch(inputs: list[np.ndarray]) -> np.ndarray:
    """Net inputs -> (N, 1, NET_HEIGHT, W) padded on the right with each line's paper (its
    brightest decile)."""
    width = max(x.shape[1] for x in inputs)
    width += (-width) % NET_STRIDE
    batch = np.empty((len(inputs), 1, NET_HEIGHT, width), np.float32)
    for i, x in enumerate(inputs):
        batch[i, 0, :, : x.shape[1]] = x
        batch[i, 0, :, x.shape[1] :] = np.percentile(x, 90)
    return batch


def frames_of(width: int) -> int:
    """Output frames for an input `width` columns wide."""
    return width // NET_STRIDE


@dataclass(frozen=True)
class LineReading:
    """A greedy CTC reading: the text, each character's confidence (the peak probability of
    its run of frames) and centre (fraction of the line's width)."""

    text: str
    confidences: tuple[float, ...]
    centres: tuple[float, ...]

    @property
    def confidence(self) -> float:
        return float(np.mean(self.confidences)) if self.confidences else 0.0


def ctc_greedy(probabilities: np.ndarray) -> LineReading:
    """Greedy CTC decoding of one (T, 1 + len(LINE_ALPHABET)) probability matrix.

    Leading, trailing and doubled spaces are dropped, as a line's text has none."""
    best = probabilities.argmax(axis=1)
    frames = len(best)
    chars: list[tuple[str, float, float]] = []
    previous = 0
    for t, cls in enumerate(best):
        cls = int(cls)
        if cls != 0 and cls == previous:
            char, confidence, (first, _) = chars[-1][0], chars[-1][1], chars[-1][2]
            chars[-1] = (char, max(confidence, float(probabilities[t, cls])), (first, t))
        elif cls != 0:
            chars.append((LINE_ALPHABET[cls - 1], float(probabilities[t, cls]), (t, t)))
        previous = cls
    kept = []
    for char, confidence, (first, last) in chars:
        if char == " " and (not kept or kept[-1][0] == " "):
            continue
        kept.append((char, confidence, (first + last + 1) / 2 / max(1, frames)))
    while kept and kept[-1][0] == " ":
        kept.pop()
    return LineReading(
        "".join(c for c, _, _ in kept), tuple(p for _, p, _ in kept), tuple(x for _, _, x in kept)
    )


def softmax_rows(logits: np.ndarray) -> np.ndarray:
    """(classes, T) logits -> (T, classes) probabilities."""
    shifted = logits - logits.max(axis=0, keepdims=True)
    probs = np.exp(shifted)
    probs /= probs.sum(axis=0, keepdims=True)
    return probs.T.copy()


class LineNet(OnnxModelFile):
    """The network's onnxruntime session, one per process, loaded on first use."""

    description = "visual-zone line model"
    model_file = MODEL_FILE

    def probabilities(self, crops: list[Image.Image]) -> list[np.ndarray]:
        """Line crops -> per-crop (T, 1 + len(LINE_ALPHABET)) softmax rows, blank first.

        Crops are run in batches of similar width (padding costs time, and a little accuracy)."""
        inputs = [to_net_input(crop) for crop in crops]
        results: list[np.ndarray | None] = [None] * len(inputs)
        order = sorted(range(len(inputs)), key=lambda i: inputs[i].shape[1])
        for start in range(0, len(order), MAX_BATCH):
            ids = order[start : start + MAX_BATCH]
            batch = pad_batch([inputs[i] for i in ids])
            (logits,) = self.session.run(None, {"image": batch})  # (N, classes, T)
            for slot, i in enumerate(ids):
                results[i] = softmax_rows(logits[slot, :, : frames_of(inputs[i].shape[1])])
        return [r for r in results if r is not None]

    def read(self, crops: list[Image.Image]) -> list[LineReading]:
        """Line crops -> their greedy readings, same order."""
        return [ctc_greedy(p) for p in self.probabilities(crops)]
