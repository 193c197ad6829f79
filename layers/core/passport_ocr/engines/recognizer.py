"""The MRZ line recogniser: PP-OCR's text recognition network, decoded for the MRZ alphabet.

`RecognitionModel` owns the onnxruntime session, one per process, which the visual zone's
Latin reader (viz.recognize) shares; everything else here is a pure numpy function (tests
call them on hand-made arrays). The multilingual model knows ~18,700 characters and,
unconstrained, reads OCR-B '<' and letters as look-alikes from other scripts; the MRZ uses
only A-Z, 0-9 and '<', so every other class is masked before the CTC argmax.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import numpy as np

from ..ocr_types import OcrChar, OcrLine
from .sessions import SharedPerModelFile, new_session

MRZ_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
REC_MODEL_FILE = "PP-OCRv6_rec_small.onnx"
INPUT_HEIGHT = 48
# How many runner-up characters each OcrChar keeps for the check-digit corrector.
MAX_ALTERNATIVES = 3
MIN_ALTERNATIVE_PROB = 0.01


def default_model_dir() -> Path:
    """The models folder of the installed `rapidocr` package, located without importing it
    (rapidocr itself would want OpenCV; we only use the model files it ships)."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the rapidocr package (which ships the ONNX models) is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "models"


def mrz_class_ids(characters: list[str]) -> np.ndarray:
    """Output-class index of each MRZ_ALPHABET character; class 0 is the CTC blank."""
    position = {ch: i + 1 for i, ch in enumerate(characters)}
    missing = [ch for ch in MRZ_ALPHABET if ch not in position]
    if missing:
        raise ValueError(f"recogniser dictionary lacks MRZ characters {missing}")
    return np.array([position[ch] for ch in MRZ_ALPHABET], dtype=np.int64)


def line_to_tensor(line: np.ndarray, width: int | None = None) -> np.ndarray:
    """A grey or RGB uint8 line crop of height INPUT_HEIGHT -> the network's CHW float input.

    PaddleOCR's recogniser normalisation: RGB, (x/255 - 0.5) / 0.5. A `width` wider than the
    crop pads on the right with the crop's background so several lines can share one batch.
    """
    if line.ndim == 2:
        line = np.repeat(line[:, :, None], 3, axis=2)
    chw = (line.astype(np.float32).transpose(2, 0, 1) / 127.5) - 1.0
    if width is not None and width > chw.shape[2]:
        background = np.median(chw[:, :, -4:], axis=(1, 2), keepdims=True)
        pad = np.broadcast_to(background, (3, chw.shape[1], width - chw.shape[2]))
        chw = np.concatenate([chw, pad], axis=2)
    return chw


def restrict_to_alphabet(probs: np.ndarray, class_ids: np.ndarray) -> np.ndarray:
    """(T, C) frame probabilities -> (T, 1 + len(MRZ_ALPHABET)): blank first, renormalised.

    Renormalising over the kept classes turns "some MRZ character, though the model prefers
    a look-alike" into a confident MRZ character, which is what a masked argmax means.
    """
    kept = np.concatenate([probs[:, :1], probs[:, class_ids]], axis=1)
    total = kept.sum(axis=1, keepdims=True)
    return kept / np.maximum(total, 1e-12)


def ctc_decode(probs: np.ndarray, alphabet: str = MRZ_ALPHABET) -> list[OcrChar]:
    """Greedy CTC decoding of (T, 1 + len(alphabet)) probabilities, column 0 the blank.

    Frames take their argmax; runs of the same class collapse to one character and blanks
    separate genuine repeats ('<<<<' survives as four characters). Each character's
    confidence is its best frame's probability and its alternatives are the other alphabet
    characters' probabilities in that frame; its distribution is that frame's whole row.
    """
    best = probs.argmax(axis=1)
    chars: list[OcrChar] = []
    previous = 0
    run_best_frame = -1
    runs: list[tuple[int, int]] = []  # (class, frame where the class is most probable)
    for frame, cls in enumerate(best):
        cls = int(cls)
        if cls != previous:
            if cls != 0:
                runs.append((cls, frame))
                run_best_frame = frame
        elif cls != 0 and probs[frame, cls] > probs[run_best_frame, cls]:
            runs[-1] = (cls, frame)
            run_best_frame = frame
        previous = cls
    for cls, frame in runs:
        row = probs[frame]
        order = np.argsort(row[1:])[::-1] + 1
        alternatives = [
            (alphabet[k - 1], float(row[k]))
            for k in order[: MAX_ALTERNATIVES + 1]
            if k != cls and row[k] >= MIN_ALTERNATIVE_PROB
        ][:MAX_ALTERNATIVES]
        distribution = dict(zip(alphabet, row[1:].tolist()))
        chars.append(OcrChar(alphabet[cls - 1], float(row[cls]), alternatives, distribution))
    return chars


def chars_to_line(chars: list[OcrChar], box=None) -> OcrLine:
    text = "".join(c.char for c in chars)
    confidence = float(np.mean([c.confidence for c in chars])) if chars else 0.0
    return OcrLine(text=text, chars=chars, box=box, confidence=confidence)


class RecognitionModel(SharedPerModelFile):
    """The recognition network's one onnxruntime session per process, shared by its decoders.

    The MRZ reader and the visual-zone reader decode the same network with different
    alphabets; one session instead of two saves a model's worth of memory and load time.
    `run` returns the raw (N, T, classes) softmax output; decoding is the callers' business.
    """

    def __init__(self, model_path: Path | str, threads: int = 1):
        self.model_path = Path(model_path)
        self.threads = threads
        self._session = None
        self._input_name = ""
        self._characters: list[str] = []
        self._lock = threading.Lock()

    @classmethod
    def shared(cls, model_path: Path | str, threads: int = 1) -> "RecognitionModel":
        """The process-wide model for this file and thread count (not loaded yet if new)."""
        return cls._shared(model_path, threads)

    @property
    def loaded(self) -> bool:
        return self._session is not None

    def load(self) -> None:
        if not self.model_path.exists():
            raise FileNotFoundError(f"recognition model not found: {self.model_path}")
        with self._lock:
            if self._session is not None:
                return
            session = new_session(self.model_path, self.threads)
            self._characters = session.get_modelmeta().custom_metadata_map["character"].splitlines()
            self._input_name = session.get_inputs()[0].name
            self._session = session

    @property
    def characters(self) -> list[str]:
        """The model's dictionary: output class i + 1 is characters[i] (class 0 is the CTC blank)."""
        if self._session is None:
            self.load()
        return self._characters

    def run(self, batch: np.ndarray) -> np.ndarray:
        """(N, 3, INPUT_HEIGHT, W) float input -> (N, T, classes) per-frame probabilities."""
        if self._session is None:
            self.load()
        (output,) = self._session.run(None, {self._input_name: batch})
        return output


class MrzRecognizer:
    """Reads MRZ lines with the shared recognition model, attached on first use."""

    def __init__(self, model_dir: Path | str | None = None, threads: int = 1):
        self.model_path = Path(model_dir or default_model_dir()) / REC_MODEL_FILE
        self.threads = threads
        self._model: RecognitionModel | None = None
        self._class_ids: np.ndarray | None = None

    @property
    def model(self) -> RecognitionModel:
        """The process-wide recognition model this reader decodes (not necessarily loaded)."""
        return RecognitionModel.shared(self.model_path, self.threads)

    @property
    def loaded(self) -> bool:
        return self._model is not None and self._model.loaded

    def load(self) -> None:
        """Load (or attach to) the shared model now (a warm-up) rather than on the first line read."""
        model = self.model
        model.load()
        self._class_ids = mrz_class_ids(model.characters)
        self._model = model

    def frame_probs(self, lines: list[np.ndarray]) -> list[np.ndarray]:
        """Uint8 line images of height INPUT_HEIGHT -> per-line (T, 1 + 37) MRZ probabilities."""
        if self._model is None:
            self.load()
        width = max(line.shape[1] for line in lines)
        batch = np.stack([line_to_tensor(line, width) for line in lines])
        output = self._model.run(batch)
        frames_per_px = output.shape[1] / width
        results = []
        for line, probs in zip(lines, output):
            # Frames beyond a shorter line's own width only saw padding.
            used = min(probs.shape[0], int(np.ceil(line.shape[1] * frames_per_px)) + 1)
            results.append(restrict_to_alphabet(probs[:used], self._class_ids))
        return results

    def read(self, lines: list[np.ndarray]) -> list[OcrLine]:
        return [chars_to_line(ctc_decode(p)) for p in self.frame_probs(lines)]
