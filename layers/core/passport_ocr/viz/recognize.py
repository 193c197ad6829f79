"""Printed-text line recognition with the PP-OCRv6 recogniser, Latin alphabet only.

The MRZ engine decodes the same model restricted to A-Z0-9<; the visual zone needs
lowercase, accents and punctuation, so this module has its own CTC decoding on top of the
same onnxruntime session (engines.recognizer.RecognitionModel). Restricting the decode to
Latin script stops the model's CJK classes from winning on blurry Latin glyphs.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image

from ..ocr_types import OcrChar, OcrLine
from ..engines.recognizer import RecognitionModel
from .models import model_path

REC_HEIGHT = 48  # the model's fixed input height
MAX_BATCH = 8
# A batch runs at the width of its widest line, and the network's cost is proportional to
# width while one more run costs well under a millisecond: only lines this close in width
# share a run (padding used to add 40-160% to a page's recognition cost). None at all: the
# padding also changes what the model reads, so a line's text would depend on which lines
# happen to share its run (with lines read in waves, on which boxes are skipped).
MAX_PAD_FRACTION = 0.0
# A glyph of another script decodes to a Latin symbol with almost no probability.
MIN_CHAR_CONFIDENCE = 0.15
# Printed passport text: Latin letters (Latin-1, Latin Extended A/B and Additional, e.g.
# Vietnamese), digits, punctuation, and the few symbols found in labels ('N°', '№').
_EXTRA_SYMBOLS = set("°№ºª")


def is_latin_symbol(symbol: str) -> bool:
    return all(ord(c) < 0x250 or 0x1E00 <= ord(c) < 0x1F00 or c in _EXTRA_SYMBOLS for c in symbol)


def ctc_decode(
    probabilities: np.ndarray, symbols: list[str], alternatives: int = 2
) -> tuple[str, list[OcrChar]]:
    """Greedy CTC decoding of one (time, classes) probability matrix; class 0 is the blank."""
    best = probabilities.argmax(axis=1)
    chars: list[OcrChar] = []
    previous = -1
    for t, cls in enumerate(best):
        cls = int(cls)
        if cls != 0 and cls != previous:
            row = probabilities[t]
            runners = [int(r) for r in np.argsort(row)[::-1][1 : 1 + alternatives]]
            chars.append(
                OcrChar(
                    symbols[cls],
                    float(row[cls]),
                    [(symbols[r], float(row[r])) for r in runners if r != 0 and row[r] > 0.01],
                )
            )
        previous = cls
    return "".join(c.char for c in chars), chars


def prepare_line(crop: Image.Image, squeeze: float = 1.0) -> np.ndarray:
    """One line crop as a (3, 48, W) float array, BGR, scaled to [-1, 1].

    `squeeze` < 1 narrows the line: the recogniser's cost is proportional to width and it
    still reads printed Latin glyphs narrowed to ~0.7 of their width.
    """
    width, height = crop.size
    target_w = max(REC_HEIGHT // 2, int(math.ceil(squeeze * REC_HEIGHT * width / max(1, height))))
    resized = crop.convert("RGB").resize((target_w, REC_HEIGHT), Image.BILINEAR)
    array = np.asarray(resized, dtype=np.float32)[:, :, ::-1] / 255.0
    return ((array - 0.5) / 0.5).transpose(2, 0, 1)


def width_batches(widths: list[int], max_batch: int = MAX_BATCH, max_pad: float = MAX_PAD_FRACTION) -> list[list[int]]:
    """Indices of `widths` grouped into runs: narrowest first, each run at most `max_batch`
    long and no wider than (1 + max_pad) times its narrowest member."""
    batches: list[list[int]] = []
    for i in sorted(range(len(widths)), key=lambda k: widths[k]):
        current = batches[-1] if batches else None
        if current and len(current) < max_batch and widths[i] <= (1 + max_pad) * widths[current[0]]:
            current.append(i)
        else:
            batches.append([i])
    return batches


class TextRecognizer:
    """Latin decoding of the shared recognition model, and its character table."""

    def __init__(self, model_file: Path | None = None, threads: int = 1):
        self.model = RecognitionModel.shared(model_file or model_path("rec"), threads)
        dictionary = self.model.characters
        # PaddleOCR's class layout: blank, the dictionary, then space.
        symbols = ["", *dictionary, " "]
        # Decoding only looks at these classes (blank first), a few hundred of ~18,700.
        self.allowed = np.array([i for i, s in enumerate(symbols) if i == 0 or is_latin_symbol(s)])
        self.symbols = [symbols[i] for i in self.allowed]

    def read(self, crops: list[Image.Image], squeeze: float = 1.0) -> list[OcrLine]:
        """Recognise line images; returns one OcrLine per crop (box left unset), same order."""
        prepared = [prepare_line(c, squeeze) for c in crops]
        results: list[OcrLine | None] = [None] * len(prepared)
        for batch_ids in width_batches([p.shape[2] for p in prepared]):
            widest = max(prepared[i].shape[2] for i in batch_ids)
            # Padding with 0 (mid-grey after normalisation) is what the model was trained with.
            batch = np.zeros((len(batch_ids), 3, REC_HEIGHT, widest), dtype=np.float32)
            for slot, i in enumerate(batch_ids):
                batch[slot, :, :, : prepared[i].shape[2]] = prepared[i]
            output = self.model.run(batch)
            for slot, i in enumerate(batch_ids):
                _, chars = ctc_decode(output[slot][:, self.allowed], self.symbols)
                # Drop glyphs of other scripts (the Chinese or Cyrillic half of a label).
                chars = [c for c in chars if c.confidence >= MIN_CHAR_CONFIDENCE]
                text = "".join(c.char for c in chars)
                confidence = float(np.mean([c.confidence for c in chars])) if chars else 0.0
                results[i] = OcrLine(text=text.strip(), chars=chars, confidence=confidence)
        return [r for r in results if r is not None]
