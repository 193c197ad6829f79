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

import threading
from pathlib import Path

import numpy as np
from PIL import Image

from .sessions import SharedPerModelFile, new_session

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


class OcrbNet(SharedPerModelFile):
    """The network's onnxruntime session, one per process, loaded on first use."""


    def __init__(self, model_path: Path | str = MODEL_FILE, threads: int = 1):
        self.model_path = Path(model_path)
        self.threads = threads
        self._session = None
        self._lock = threading.Lock()

    @classmethod
    def shared(cls, model_path: Path | str = MODEL_FILE, threads: int = 1) -> "OcrbNet":
        return cls._shared(model_path, threads)

    @property
    def loaded(self) -> bool:
        return self._session is not None

    def load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            if not self.model_path.exists():
                raise FileNotFoundError(f"MRZ model not found: {self.model_path}")
            self._session = new_session(self.model_path, self.threads)

    def frame_probs(self, crops: list[np.ndarray]) -> list[np.ndarray]:
        """Line crops -> per-line (T, 1 + 37) probabilities over blank + MRZ_ALPHABET."""
        if self._session is None:
            self.load()
        inputs = [to_net_input(crop) for crop in crops]
        batch = pad_batch(inputs)
        (logits,) = self._session.run(None, {"image": batch})  # (N, classes, T)
        logits = logits - logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        return [p[:, : frames_of(x.shape[1])].T.copy() for p, x in zip(probs, inputs)]
