"""The project's own MRZ line recogniser: a small convolutional CTC network for OCR-B.

PP-OCR's multilingual recogniser reads most MRZ lines right, but on rough print (noise, blur,
low contrast, heavy JPEG) it misreads one character in twelve. The MRZ is printed in one
font (OCR-B, ISO 1073-2) from 37 characters, which a network of ~180k weights learns from
generated lines (scripts/mrz_model, engines/onnx/README.md: rendered pages in every capture
condition, cropped by this engine's own code, random names). Its receptive field spans about
four characters, so it reads characters, not remembered names. It never saw binarised or
widened crops: the engine gives those to PP-OCR.

`to_net_input` is the one preprocessing, used in training and here. Output rows are
(T, 1 + len(MRZ_ALPHABET)) probabilities, blank first: what recognizer.ctc_decode takes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from .sessions import OnnxModelFile

MODEL_FILE = Path(__file__).resolve().parent / "onnx" / "ocrb_mrz.onnx"
NET_HEIGHT = 32
# Columns of input per output frame (two 2x2 poolings).
NET_STRIDE = 4


def to_net_input(crop: np.ndarray) -> np.ndarray:
    """A line crop as the engine cuts it (INPUT_HEIGHT high, grey or RGB uint8) -> (NET_HEIGHT, W)
    float32, scaled by NET_HEIGHT / INPUT_HEIGHT both ways and standardised: ink and paper
    differ by a few grey levels on faded print and by 200 on a clean scan; the net sees both alike."""
    grey = crop.mean(axis=2) if crop.ndim == 3 else crop.astype(np.float32)
    width = max(NET_STRIDE * 2, round(grey.shape[1] * NET_HEIGHT / grey.shape[0]))
    resized = np.asarray(Image.fromarray(grey.astype(np.float32), "F").resize((width, NET_HEIGHT), Image.BILINEAR))
    return ((resized - resized.mean()) / (resized.std() + 4.0)).astype(np.float32)


def pad_batch(inputs: list[np.ndarray]) -> np.ndarray:
    """Net inputs of one height -> (N, 1, NET_HEIGHT, W) padded on the right with each line's paper
    (its brightest decile: the standardised crops differ in level)."""
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


class OcrbNet(OnnxModelFile):
    """The network's onnxruntime session, one per process, loaded on first use."""

    description = "MRZ model"
    model_file = MODEL_FILE

    def frame_probs(self, crops: list[np.ndarray]) -> list[np.ndarray]:
        """Line crops -> per-line (T, 1 + 37) probabilities over blank + MRZ_ALPHABET."""
        inputs = [to_net_input(crop) for crop in crops]
        batch = pad_batch(inputs)
        (logits,) = self.session.run(None, {"image": batch})  # (N, classes, T)
        logits = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        return [p[:, : frames_of(x.shape[1])].T.copy() for p, x in zip(probs, inputs)]
