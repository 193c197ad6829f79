"""2-D affine transforms as 3x3 matrices, and the PIL resampling that applies them.

Points are (x, y) in pixel coordinates, y pointing down. The locator keeps one matrix from
the input image to its deskewed working image, so every box it finds maps back to the input
(for crops at full resolution and for the geometry the visual-zone stage receives).
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image


def scaling(factor: float) -> np.ndarray:
    return np.diag([factor, factor, 1.0])


def translation(dx: float, dy: float) -> np.ndarray:
    return np.array([[1.0, 0.0, dx], [0.0, 1.0, dy], [0.0, 0.0, 1.0]])


def rotation(angle_deg: float) -> np.ndarray:
    """Rotation about the origin that turns the picture counter-clockwise as seen on screen."""
    a = math.radians(angle_deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])


def apply(matrix: np.ndarray, points) -> np.ndarray:
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return pts @ matrix[:2, :2].T + matrix[:2, 2]


def rotation_on_canvas(width: int, height: int, angle_deg: float) -> tuple[np.ndarray, tuple[int, int]]:
    """Matrix rotating a width x height image about its centre, and the canvas that holds it all."""
    turn = rotation(angle_deg) @ translation(-width / 2, -height / 2)
    corners = apply(turn, [(0, 0), (width, 0), (width, height), (0, height)])
    low = corners.min(axis=0)
    size = np.ceil(corners.max(axis=0) - low).astype(int)
    return translation(-low[0], -low[1]) @ turn, (int(size[0]), int(size[1]))


def warp(image: Image.Image, matrix: np.ndarray, size: tuple[int, int], fill=255) -> Image.Image:
    """Resample `image` so that output pixel p shows input point inverse(matrix) @ p."""
    inverse = np.linalg.inv(matrix)
    coeffs = tuple(inverse[:2, :].ravel())
    return image.transform(size, Image.AFFINE, coeffs, resample=Image.BILINEAR, fillcolor=fill)


def box_corners(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=np.float64)
