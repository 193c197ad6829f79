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

from pathlib import Path

import numpy as np
from PIL import Image

# The OCR-B MRZ network's input geometry and batching: the same design (32 px high, one frame
# per 4 columns, right-padded with each line's paper).
from ..engines.ocrb_net import NET_HEIGHT, NET_STRIDE, frames_of, pad_batch
from ..engines.sessions import OnnxModelFile

MODEL_FILE = Path(__file__).resolve().parent / "onnx" / "vizline.onnx"
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
