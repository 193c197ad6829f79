"""The line-crop files make_data.py writes, and the character error count both other scripts score with."""

from __future__ import annotations

import numpy as np


def load_lines(path: str) -> tuple[list[np.ndarray], list[str], list[str]]:
    """(crops, their MRZ lines, their capture conditions: '' for training pages) from a .npz."""
    data = np.load(path)
    widths, height = data["widths"], int(data["height"])
    offsets = np.concatenate([[0], np.cumsum(widths * height)])
    pixels = data["pixels"]
    crops = [pixels[offsets[i] : offsets[i + 1]].reshape(height, widths[i]) for i in range(len(widths))]
    groups = [str(g) for g in data["groups"]] if "groups" in data else [""] * len(crops)
    return crops, [str(s) for s in data["labels"]], groups


def char_errors(got: str, want: str) -> int:
    """Characters inserted, dropped or changed to turn `got` into `want`."""
    previous = list(range(len(want) + 1))
    for i, a in enumerate(got, 1):
        current = [i]
        for j, b in enumerate(want, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1]
