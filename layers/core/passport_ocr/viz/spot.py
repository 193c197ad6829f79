"""Label spotting: which field's label a line's recogniser frames fit, when its text says
none. Pure numpy, no models.

Small labels on photos and low-resolution pages are misread past what text matching
forgives ('Hace of 5oth', '9. Mece of torth  Lima do hattsanoe'), yet the recogniser's
frames still give the right letters some probability. So each label phrase of the
vocabulary (labels.LABELS) is aligned with the frames as CTC would (Viterbi): anywhere in the
line, spaces and punctuation taken as gaps, letters compared without case or accents. A
phrase's fit is the mean, per letter, of the log of how much less likely its path is than the
best reading of the same frames (0: the line reads as the phrase). A line is spotted as a
field's label when that field's best phrase fits closely, and clearly better than any other
field's (a value, or another field's label, fits none closely or several alike).
"""

from __future__ import annotations

import numpy as np

from .labels import LABELS, fold

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_GAP = len(_LETTERS)  # the column of blanks, spaces and punctuation
# Shorter phrases fit some stretch of almost any line ('nom', 'kon'): they are not spotted.
MIN_PHRASE_LETTERS = 5
# Measured on the 746 lines sitting where labels do (and label-search candidates) of the 80
# photo and low-resolution pages of the tuning set (seed 7), the field each should name told
# by the value under it: of those text matching names no field, 15 are spotted as their own
# field at these bars and none as a wrong place or authority (misread labels fit their own
# field at -0.4 to -1.0 per letter, the next field 0.4 to 0.8 behind). Looser bars (-1.5,
# 0.2) spot 2 more, no wrong one; the unreadable rest fit nothing closely.
MIN_FIT = -1.0
MIN_MARGIN = 0.3
_NEVER = -1e9


class LabelSpotter:
    """The label phrases laid out as CTC state tables once, for one recogniser's classes."""

    def __init__(self, symbols: list[str]):
        # Each class's column: its letter folded, the gap (class 0 is CTC's blank), or none
        # (digits and other symbols: they only compete with the phrase's letters).
        self.columns = np.zeros((len(symbols), _GAP + 1), dtype=np.float32)
        self.others = np.zeros(len(symbols), dtype=bool)
        for cls, symbol in enumerate(symbols):
            folded = fold(symbol) if symbol else ""
            if cls == 0 or not any(c.isalnum() for c in symbol):
                self.columns[cls, _GAP] = 1.0
            elif len(folded) == 1 and folded in _LETTERS:
                self.columns[cls, _LETTERS.index(folded)] = 1.0
            else:
                self.others[cls] = True
        phrases = [
            (field, [_LETTERS.index(c) for c in fold(phrase) if c in _LETTERS])
            for field, field_phrases in LABELS.items()
            for phrase in field_phrases
        ]
        phrases = [(field, letters) for field, letters in phrases if len(letters) >= MIN_PHRASE_LETTERS]
        self.fields = [field for field, _ in phrases]
        self.lengths = np.array([len(letters) for _, letters in phrases])
        longest = int(self.lengths.max())
        # States: 0 before the phrase, then CTC's gap, letter 1, gap, ..., letter L, gap,
        # then (last) after it; before and after cost nothing.
        states = 2 * longest + 3
        self.emitted = np.full((len(phrases), states), _GAP)
        self.valid = np.zeros((len(phrases), states), dtype=bool)
        self.skips = np.zeros((len(phrases), states), dtype=bool)  # may come from two states back
        for p, (_, letters) in enumerate(phrases):
            self.emitted[p, 2 : 2 * len(letters) + 1 : 2] = letters
            self.valid[p, 1 : 2 * len(letters) + 2] = True
            self.skips[p, 2] = True  # into the first letter straight from before the phrase
            for k in range(1, len(letters)):
                self.skips[p, 2 * k + 2] = letters[k] != letters[k - 1]
        self.last_letter = 2 * self.lengths
        self.last_gap = 2 * self.lengths + 1

    def fits(self, probabilities: np.ndarray) -> np.ndarray:
        """Each phrase's fit to (time, class) probabilities: mean log-ratio per letter, <= 0."""
        grouped = probabilities @ self.columns
        other = probabilities[:, self.others].max(axis=1) if self.others.any() else 0.0
        best = np.maximum(grouped.max(axis=1), other)
        log_ratio = np.log(np.maximum(grouped, 1e-8)) - np.log(np.maximum(best, 1e-8))[:, None]
        rows = np.arange(len(self.fields))
        score = np.full(self.emitted.shape, _NEVER)
        score[:, 0] = 0.0
        for frame in log_ratio:
            previous = score
            score = previous.copy()
            score[:, 1:] = np.maximum(score[:, 1:], previous[:, :-1])
            score[:, 2:] = np.maximum(score[:, 2:], np.where(self.skips[:, 2:], previous[:, :-2], _NEVER))
            score += frame[self.emitted]
            score[~self.valid] = _NEVER
            score[:, 0] = 0.0
            score[:, -1] = np.maximum(
                previous[:, -1], np.maximum(previous[rows, self.last_letter], previous[rows, self.last_gap])
            )
        final = np.maximum(score[:, -1], np.maximum(score[rows, self.last_letter], score[rows, self.last_gap]))
        return final / self.lengths

    def spot(self, probabilities: np.ndarray) -> tuple[str, float] | None:
        """(field, fit) of the label the frames fit closely and clearly best, else None."""
        if len(probabilities) == 0:
            return None
        best: dict[str, float] = {}
        for field, fit in zip(self.fields, self.fits(probabilities)):
            best[field] = max(best.get(field, _NEVER), float(fit))
        ranked = sorted(best.items(), key=lambda item: -item[1])
        (field, fit), (_, runner_up) = ranked[0], ranked[1]
        if fit < MIN_FIT or fit - runner_up < MIN_MARGIN:
            return None
        return field, fit


__all__ = ["LabelSpotter"]
