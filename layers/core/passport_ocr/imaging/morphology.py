"""Grey-level morphology, Otsu thresholding and connected components in plain numpy.

The product ships without OpenCV or scipy, so the few image operations the MRZ locator needs
live here as small pure functions on 2-D arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _sliding_extreme(values: np.ndarray, size: int, axis: int, op) -> np.ndarray:
    """`op` (np.minimum / np.maximum) over a centred window of `size` along `axis`.

    Doubling trick: windows of 1, 2, 4, ... elements are built from the previous ones, so a
    window of any size costs log2(size) + 1 array operations instead of `size`.
    """
    if size <= 1:
        return values
    before = size // 2
    after = size - 1 - before
    pad = [(0, 0)] * values.ndim
    pad[axis] = (before, after)
    padded = np.pad(values, pad, mode="edge")
    length = values.shape[axis]

    def part(array: np.ndarray, start: int, stop: int) -> np.ndarray:
        index = [slice(None)] * array.ndim
        index[axis] = slice(start, stop)
        return array[tuple(index)]

    span = 1
    acc = padded
    while span * 2 <= size:
        n = acc.shape[axis] - span
        acc = op(part(acc, 0, n), part(acc, span, span + n))
        span *= 2
    # acc[i] now covers [i, i + span); two overlapping windows cover [i, i + size).
    return op(part(acc, 0, length), part(acc, size - span, size - span + length))


def erode(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Grey erosion (minimum) with a width x height rectangle."""
    return _sliding_extreme(_sliding_extreme(image, width, 1, np.minimum), height, 0, np.minimum)


def dilate(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Grey dilation (maximum) with a width x height rectangle."""
    return _sliding_extreme(_sliding_extreme(image, width, 1, np.maximum), height, 0, np.maximum)


def close(image: np.ndarray, width: int, height: int) -> np.ndarray:
    return erode(dilate(image, width, height), width, height)


def open_(image: np.ndarray, width: int, height: int) -> np.ndarray:
    return dilate(erode(image, width, height), width, height)


def blackhat(grey: np.ndarray, width: int, height: int) -> np.ndarray:
    """Closing minus the image: dark detail smaller than the kernel on a lighter background."""
    grey = grey.astype(np.int16)
    return (close(grey, width, height) - grey).astype(np.uint8)


def otsu_threshold(values: np.ndarray) -> int:
    """The Otsu threshold of a uint8 array: the level maximising between-class variance."""
    hist = np.bincount(values.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 0
    levels = np.arange(256)
    weight_low = np.cumsum(hist)
    weight_high = total - weight_low
    mean_low_sum = np.cumsum(hist * levels)
    mean_total = mean_low_sum[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_total * weight_low / total - mean_low_sum) ** 2 / (weight_low * weight_high)
    between[~np.isfinite(between)] = 0
    return int(np.argmax(between))


@dataclass
class Components:
    """Connected components of a binary mask (8-connectivity), one entry per component."""

    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray  # exclusive
    y1: np.ndarray  # exclusive
    area: np.ndarray
    # Second-order moments for the principal direction of each component.
    cx: np.ndarray
    cy: np.ndarray
    mxx: np.ndarray
    myy: np.ndarray
    mxy: np.ndarray

    def __len__(self) -> int:
        return len(self.area)

    @property
    def width(self) -> np.ndarray:
        return self.x1 - self.x0

    @property
    def height(self) -> np.ndarray:
        return self.y1 - self.y0


def _runs(mask: np.ndarray):
    """Horizontal runs of True: (row, start, end-exclusive) arrays in row-major order."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    edges = np.diff(padded, axis=1)
    rows_s, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)
    return rows_s, starts, ends


def true_runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, end-exclusive) of each run of True in a 1-D boolean array, in order."""
    _, starts, ends = _runs(np.asarray(flags, dtype=bool)[None, :])
    return [(int(a), int(b)) for a, b in zip(starts, ends)]


def _find_root(parent: np.ndarray) -> np.ndarray:
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return parent
        parent = grand


def label_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """8-connected components of a boolean mask, as horizontal runs.

    Returns (row, start, end, label) per run, `end` exclusive, labels 0..n-1. Working on runs
    instead of pixels keeps the labelling vectorised and cheap on whole pages.
    """
    rows, starts, ends = _runs(mask)
    n = len(rows)
    if n == 0:
        return rows, starts, ends, np.zeros(0, dtype=np.int64)
    # Run j in the next row touches run i (8-connectivity) when start_j <= end_i and
    # end_j >= start_i (ends exclusive). Runs are in row-major order, so with keys
    # row * stride + column both conditions become searches in sorted arrays.
    stride = mask.shape[1] + 2
    start_keys = rows * stride + starts
    end_keys = rows * stride + ends
    first = np.searchsorted(end_keys, (rows + 1) * stride + starts, side="left")
    last = np.searchsorted(start_keys, (rows + 1) * stride + ends, side="right")
    counts = np.maximum(last - first, 0)
    parent = np.arange(n)
    if counts.sum():
        a = np.repeat(np.arange(n), counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        b = np.repeat(first, counts) + offsets
        # Min-label propagation with pointer jumping until every link agrees.
        while True:
            low = np.minimum(parent[a], parent[b])
            changed = False
            for side in (a, b):
                roots = parent[side]
                update = low < parent[roots]
                if update.any():
                    np.minimum.at(parent, roots[update], low[update])
                    changed = True
            parent = _find_root(parent)
            if not changed and np.array_equal(parent[a], parent[b]):
                break
    _, label = np.unique(parent, return_inverse=True)
    return rows, starts, ends, label.reshape(-1)


def run_bounds(
    rows: np.ndarray, starts: np.ndarray, ends: np.ndarray, labels: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bounding box (x0, y0, x1, y1; ends exclusive) of each of `count` labelled run groups."""
    x0 = np.full(count, np.iinfo(np.int64).max)
    y0 = np.full(count, np.iinfo(np.int64).max)
    x1 = np.zeros(count, dtype=np.int64)
    y1 = np.zeros(count, dtype=np.int64)
    np.minimum.at(x0, labels, starts)
    np.minimum.at(y0, labels, rows)
    np.maximum.at(x1, labels, ends)
    np.maximum.at(y1, labels, rows + 1)
    return x0, y0, x1, y1


def connected_components(mask: np.ndarray) -> Components:
    """Label a boolean mask (8-connectivity) and measure each component."""
    rows, starts, ends, label = label_runs(mask)
    if len(rows) == 0:
        empty = np.zeros(0)
        return Components(*(empty.astype(int),) * 5, *(empty,) * 5)
    return measure_runs(rows, starts, ends, label, int(label.max()) + 1)


def measure_runs(rows: np.ndarray, starts: np.ndarray, ends: np.ndarray, label: np.ndarray, count: int) -> Components:
    """Bounds, area and second-order moments of each of `count` labelled run groups."""
    lengths = (ends - starts).astype(np.float64)
    # Sums over each run of x and x^2 in closed form (x from start to end-1).
    sum_x = (starts + ends - 1) * lengths / 2
    sum_x2 = ((ends - 1) * ends * (2 * ends - 1) - (starts - 1) * starts * (2 * starts - 1)) / 6
    y = rows.astype(np.float64)
    area = np.bincount(label, lengths, count)
    sx = np.bincount(label, sum_x, count)
    sy = np.bincount(label, y * lengths, count)
    sxx = np.bincount(label, sum_x2, count)
    syy = np.bincount(label, y * y * lengths, count)
    sxy = np.bincount(label, y * sum_x, count)
    cx, cy = sx / area, sy / area
    x0, y0, x1, y1 = run_bounds(rows, starts, ends, label, count)
    return Components(
        x0=x0, y0=y0, x1=x1, y1=y1, area=area.astype(np.int64), cx=cx, cy=cy,
        mxx=sxx / area - cx**2, myy=syy / area - cy**2, mxy=sxy / area - cx * cy,
    )
