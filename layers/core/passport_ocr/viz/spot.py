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
field's (a value, or another field's label, fits none closely or several alike). The same
fit finds a blurred date among the dates the MRZ allows (viz.date_spot).
"""

from __future__ import annotations

import numpy as np

from .labels import LABELS, fold

# The columns phrases are fitted on: folded letters, digits, then the gap (CTC's blank,
# spaces and punctuation).
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_COLUMNS = _LETTERS + "0123456789"
_GAP = len(_COLUMNS)
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


class FrameColumns:
    """A recogniser's classes folded into the columns phrases are fitted on."""

    def __init__(self, symbols: list[str]):
        # Each class's column: its letter folded or its digit, the gap (class 0 is CTC's
        # blank), or none (other symbols: they only compete with the phrase's characters).
        self.columns = np.zeros((len(symbols), _GAP + 1), dtype=np.float32)
        self.others = np.zeros(len(symbols), dtype=bool)
        for cls, symbol in enumerate(symbols):
            folded = fold(symbol) if symbol else ""
            if cls == 0 or not any(c.isalnum() for c in symbol):
                self.columns[cls, _GAP] = 1.0
            elif len(folded) == 1 and folded in _COLUMNS:
                self.columns[cls, _COLUMNS.index(folded)] = 1.0
            else:
                self.others[cls] = True

    def log_ratios(self, probabilities: np.ndarray) -> np.ndarray:
        """(time, column) log of how much less likely each column is than the frame's best
        reading (0 for the best), from (time, class) probabilities."""
        grouped = probabilities @ self.columns
        other = probabilities[:, self.others].max(axis=1) if self.others.any() else 0.0
        best = np.maximum(grouped.max(axis=1), other)
        return (np.log(np.maximum(grouped, 1e-8)) - np.log(np.maximum(best, 1e-8))[:, None]).astype(np.float32)


class PhraseTables:
    """Phrases laid out as CTC state tables: 0 before the phrase, then the gap, character 1,
    gap, ..., character L, gap, then (last) after it; before and after cost nothing."""

    def __init__(self, phrases: list[str]):
        folded = [[_COLUMNS.index(c) for c in fold(phrase) if c in _COLUMNS] for phrase in phrases]
        self.lengths = np.array([max(1, len(chars)) for chars in folded])
        states = 2 * int(self.lengths.max()) + 3
        self.emitted = np.full((len(phrases), states), _GAP)
        self.valid = np.zeros((len(phrases), states), dtype=bool)
        self.skips = np.zeros((len(phrases), states), dtype=bool)  # may come from two states back
        for p, chars in enumerate(folded):
            self.emitted[p, 2 : 2 * len(chars) + 1 : 2] = chars
            self.valid[p, 1 : 2 * len(chars) + 2] = True
            self.skips[p, 2] = True  # into the first character straight from before the phrase
            for k in range(1, len(chars)):
                self.skips[p, 2 * k + 2] = chars[k] != chars[k - 1]
        self.last_char = 2 * self.lengths
        self.last_gap = 2 * self.lengths + 1

    def fits(self, log_ratio: np.ndarray) -> np.ndarray:
        """Each phrase's fit to a line's FrameColumns.log_ratios, aligned anywhere in it as
        CTC would (Viterbi): the mean log-ratio per character of its best path, <= 0."""
        rows = np.arange(len(self.lengths))
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
                previous[:, -1], np.maximum(previous[rows, self.last_char], previous[rows, self.last_gap])
            )
        final = np.maximum(score[:, -1], np.maximum(score[rows, self.last_char], score[rows, self.last_gap]))
        return final / self.lengths


class LabelSpotter:
    """The label phrases of the vocabulary (labels.LABELS) as state tables, made once."""

    def __init__(self) -> None:
        phrases = [
            (field, phrase)
            for field, field_phrases in LABELS.items()
            for phrase in field_phrases
            if sum(c in _LETTERS for c in fold(phrase)) >= MIN_PHRASE_LETTERS
        ]
        self.fields = [field for field, _ in phrases]
        self.tables = PhraseTables([phrase for _, phrase in phrases])

    def spot(self, log_ratio: np.ndarray) -> tuple[str, float] | None:
        """(field, fit) of the label a line's FrameColumns.log_ratios fit closely and clearly
        best, else None."""
        if len(log_ratio) == 0:
            return None
        best: dict[str, float] = {}
        for field, fit in zip(self.fields, self.tables.fits(log_ratio)):
            best[field] = max(best.get(field, _NEVER), float(fit))
        ranked = sorted(best.items(), key=lambda item: -item[1])
        (field, fit), (_, runner_up) = ranked[0], ranked[1]
        if fit < MIN_FIT or fit - runner_up < MIN_MARGIN:
            return None
        return field, fit


__all__ = ["FrameColumns", "LabelSpotter", "PhraseTables"]
