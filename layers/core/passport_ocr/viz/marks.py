"""Which marks a printed letter carries, read from its image by a small network of our own.

The PP-OCRv6 recogniser reads the base letter of a printed glyph well and its marks badly,
and surely so: 'Ě' comes out as 'É', 'Ğ' as 'G', 'Ø' as 'O' at 0.98 (viz.alphabets). The mark
network (scripts/mark_model: trained on rendered letters of many fonts, never the DejaVu faces
the page generator prints with) looks at a 48 x 40 window of the recogniser's own 48-pixel
line image, centred where the recogniser's frames put the letter, and says what is above it
(acute, caron, ring..., or one of Vietnamese's stacks: a circumflex or breve under a tone
mark), below it (cedilla, ogonek, comma, dot) and what is drawn onto it (a stroke, a horn).
Each letter of the same base then gets the product of its three marks' probabilities. The
recogniser picks the base letter; where the network is sure of other marks the page prints,
alphabets.mark_letter takes them, for review. Capitals only (recognize.read_marks).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np

from ..engines.sessions import OnnxModelFile
from .alphabets import LIGATURES

MODEL_FILE = Path(__file__).parent / "onnx" / "marks.onnx"
WINDOW_HEIGHT, WINDOW_WIDTH = 48, 40
# The network's classes, in the order of its outputs (also in the model's metadata).
# Vietnamese stacks a tone mark on a circumflex or a breve ('Ấ', 'Ặ'): one class per stack.
STACKED = tuple(f"{vowel_mark}_{tone}" for vowel_mark in ("circumflex", "breve") for tone in ("acute", "grave", "hook", "tilde"))
ABOVE = (
    "none", "acute", "grave", "circumflex", "caron", "breve", "ring", "diaeresis", "tilde", "double_acute", "dot",
    "macron", "hook", *STACKED,
)
BELOW = ("none", "cedilla", "ogonek", "comma", "dot_below")
# What is drawn onto the letter: a stroke (Ø Ł Đ), a horn (Ơ Ư), or another letter joined to it
# ('Æ': the recogniser reads it 'E' or 'AE').
ATTACHED = ("none", "stroke", "horn", "ligature")
_COMBINING = {
    "\u0301": ("above", "acute"), "\u0300": ("above", "grave"), "\u0302": ("above", "circumflex"),
    "\u030c": ("above", "caron"), "\u0306": ("above", "breve"), "\u030a": ("above", "ring"),
    "\u0308": ("above", "diaeresis"), "\u0303": ("above", "tilde"), "\u030b": ("above", "double_acute"),
    "\u0307": ("above", "dot"), "\u0304": ("above", "macron"), "\u0309": ("above", "hook"),
    "\u0327": ("below", "cedilla"), "\u0328": ("below", "ogonek"), "\u0326": ("below", "comma"),
    "\u0323": ("below", "dot_below"), "\u031b": ("attached", "horn"),
}
# Letters a stroke sets apart, which do not decompose into a letter and marks (the capital
# eth 'Ð' is drawn as 'Đ').
_STROKED = {"Ø": "O", "Ł": "L", "Đ": "D", "Ð": "D", "Ħ": "H", "Ŧ": "T", "ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ŧ": "t"}
MAX_BATCH = 64


def letter_marks(letter: str) -> tuple[str, str, str] | None:
    """(above, below, attached) of `letter`, or None for a letter the network does not tell
    (a letter of its own such as 'Þ', marks it has no class for)."""
    if letter in _STROKED:
        return ("none", "none", "stroke")
    if letter in LIGATURES:
        return ("none", "none", "ligature")
    decomposed = unicodedata.normalize("NFD", letter)
    if not decomposed[:1].isascii() or not decomposed[:1].isalpha():
        return None
    marks: dict[str, list[str]] = {"above": [], "below": [], "attached": []}
    for mark in decomposed[1:]:
        place, name = _COMBINING.get(mark, (None, None))
        if place is None:
            return None
        marks[place].append(name)
    if letter == "i" or letter == "j":
        return ("none", "none", "none")  # their dot is part of the letter
    above = "_".join(marks["above"]) or "none"  # NFD puts the circumflex or breve first
    if above not in ABOVE or len(marks["below"]) > 1 or len(marks["attached"]) > 1:
        return None
    return (above, (marks["below"] or ["none"])[0], (marks["attached"] or ["none"])[0])


def windows(line: np.ndarray, centres: list[float]) -> np.ndarray:
    """(N, 1, 48, 40) float windows of a (48, W) grey line in [0, 1], centred on `centres`,
    padded with the line's background where they leave it."""
    height, width = line.shape
    background = float(np.median(np.concatenate([line[0], line[-1], line[:, 0], line[:, -1]])))
    half = WINDOW_WIDTH // 2
    padded = np.full((height, width + 2 * WINDOW_WIDTH), background, dtype=np.float32)
    padded[:, WINDOW_WIDTH : WINDOW_WIDTH + width] = line
    out = np.empty((len(centres), 1, WINDOW_HEIGHT, WINDOW_WIDTH), dtype=np.float32)
    for k, centre in enumerate(centres):
        centre = min(max(centre, 0.0), width - 1.0)  # a frame past the line's end
        x0 = int(round(centre)) - half + WINDOW_WIDTH
        out[k, 0] = padded[:, x0 : x0 + WINDOW_WIDTH]
    return out


class MarkReader(OnnxModelFile):
    """The mark network's session, created on first use and shared by the process."""

    description = "mark model"
    model_file = MODEL_FILE

    def _run(self, crops: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        above, below, attached = [], [], []
        for start in range(0, len(crops), MAX_BATCH):
            a, b, s = self.session.run(["above", "below", "attached"], {"crops": crops[start : start + MAX_BATCH]})
            above.append(a), below.append(b), attached.append(s)
        return np.concatenate(above), np.concatenate(below), np.concatenate(attached)

    def letter_probabilities(self, line: np.ndarray, letters: list[tuple[float, tuple[str, ...]]]) -> list[dict[str, float]]:
        """For each (centre x, candidate letters) of a (48, W) grey line: the candidates'
        probabilities from their marks, normalised over the candidates the network tells
        apart (those it cannot are left out)."""
        if not letters:
            return []
        above, below, attached = self._run(windows(line, [centre for centre, _ in letters]))
        results = []
        for k, (_, candidates) in enumerate(letters):
            scores = {}
            for letter in candidates:
                marks = letter_marks(letter)
                if marks is None:
                    continue
                scores[letter] = float(
                    above[k, ABOVE.index(marks[0])] * below[k, BELOW.index(marks[1])] * attached[k, ATTACHED.index(marks[2])]
                )
            total = sum(scores.values())
            results.append({letter: p / total for letter, p in scores.items()} if total > 0 else {})
        return results
