"""Spotting a misread label from the recogniser's frames (hand-made probabilities)."""

import numpy as np

from passport_ocr.viz.spot import FrameColumns, LabelSpotter

SYMBOLS = ["", *"abcdefghijklmnopqrstuvwxyz", *"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "é", "5", "9", ".", "/", " "]


def frames(pairs):
    """(time, class) probabilities: for each (read, runner-up, p_read, p_runner_up), one frame
    giving the read character p_read and the runner-up p_runner_up, then a blank frame."""
    rows = []
    for read, runner_up, p_read, p_runner_up in pairs:
        row = np.full(len(SYMBOLS), 1e-4)
        row[SYMBOLS.index(read)] = p_read
        if runner_up is not None:
            row[SYMBOLS.index(runner_up)] = p_runner_up
        row[0] = max(0.0, 1 - row.sum() + row[0])
        blank = np.full(len(SYMBOLS), 1e-4)
        blank[0] = 1 - blank[1:].sum()
        rows += [row, blank]
    return np.array(rows)


def spot(spotter, probabilities):
    return spotter.spot(FrameColumns(SYMBOLS).log_ratios(probabilities))


def misread(read: str, printed: str, p_read: float, p_printed: float):
    """Frames of `printed` read as `read` (same length) where they differ."""
    return frames(
        [(r, None, 0.95, 0.0) if r == p else (r, p, p_read, p_printed) for r, p in zip(read, printed)]
    )


def test_a_label_misread_letter_by_letter_is_spotted_when_its_letters_were_runners_up():
    spotter = LabelSpotter()
    # 'Place of birth' read 'Hace of 5oth'-like: every wrong letter had the right one close behind.
    probabilities = misread("Hlace of 5irtn", "Place of birth", 0.55, 0.35)
    field, fit = spot(spotter, probabilities)
    assert field == "place_of_birth" and -1.0 <= fit < 0


def test_a_value_or_a_label_not_backed_by_the_frames_is_not_spotted():
    spotter = LabelSpotter()
    assert spot(spotter, misread("MONTRéAL", "MONTRéAL", 0.95, 0.0)) is None
    # The right letters barely seen: the reading is no evidence for the label.
    assert spot(spotter, misread("Hlace of 5irtn", "Place of birth", 0.9, 0.01)) is None
    assert spot(spotter, np.zeros((0, len(SYMBOLS)))) is None
