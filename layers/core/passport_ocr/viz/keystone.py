"""The data page's residual perspective, measured from the slopes of its text lines.

upright_page turns the page so that the MRZ runs level, but a page photographed at an angle
is a projective image of the document: its text lines, parallel on paper, meet at a
vanishing point on the MRZ's own line, so the further a line lies above the MRZ the steeper
it runs (seen on generated photos: -0.02 just above the MRZ, -0.04 halfway up the page).
A steep line's detector box is taller than its letters, and the reader drops boxes more
than `max_line_height` MRZ characters high as photos or titles: the holder's names were
lost that way.

Model: a line at height Y above the MRZ (Y < 0 upwards) runs at slope s0 + c * Y, where
s0 is what is left of the MRZ's angle and c says where the vanishing point lies. The
projective map that levels every such line keeps the MRZ's line and the page's centre
column where they are (`Keystone.matrix`). Pure numpy; the detector's boxes come in, a 3x3
matrix goes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .detect import TextBox


@dataclass(frozen=True)
class KeystoneParams:
    # Only boxes this many times as wide as high measure a line's slope: short words, photos
    # and stamps do not.
    min_aspect: float = 4.0
    min_lines: int = 3
    # Correct only when the fitted slopes would move some line's ends this many MRZ
    # characters apart: below that the detector's boxes and the recogniser cope.
    min_skew_chars: float = 0.35
    # Lines whose slope is this far (in slope units) from the fit are not lines of the page
    # (a signature, the photo's edge) and are dropped before the final fit.
    max_residual: float = 0.02
    # A fit steeper than this is no page perspective: leave the page as it is.
    max_slope: float = 0.2
    # Lines spread over less than this height (in MRZ characters) cannot tell convergence
    # from rotation: their mean slope is taken as a rotation alone.
    min_spread_chars: float = 4.0


@dataclass(frozen=True)
class Keystone:
    """Fitted slope model: slope = rotation + convergence * (y - mrz_y)."""

    rotation: float
    convergence: float
    mrz_y: float
    centre_x: float

    def matrix(self) -> np.ndarray:
        """3x3 map from the levelled page's pixels to the current page's pixels."""
        to_origin = np.array([[1.0, 0.0, -self.centre_x], [0.0, 1.0, -self.mrz_y], [0.0, 0.0, 1.0]])
        back = np.array([[1.0, 0.0, self.centre_x], [0.0, 1.0, self.mrz_y], [0.0, 0.0, 1.0]])
        # (X, Y) -> (X, Y + rotation X) / (1 - convergence X): a level line Y = k comes out
        # at slope rotation + convergence * k, what the fit saw.
        levelled_to_seen = np.array([[1.0, 0.0, 0.0], [self.rotation, 1.0, 0.0], [-self.convergence, 0.0, 1.0]])
        return back @ levelled_to_seen @ to_origin


def fit_keystone(
    boxes: Sequence[TextBox], page_char: float, mrz_y: float, centre_x: float, params: KeystoneParams = KeystoneParams()
) -> Keystone | None:
    """The page's slope model from its long text boxes, or None when too few lines measure
    it or the page's lines already run level enough."""
    lines = [b for b in boxes if (b.x1 - b.x0) >= params.min_aspect * (b.y1 - b.y0) and (b.y1 + b.y0) / 2 < mrz_y]
    if len(lines) < params.min_lines:
        return None
    heights = np.array([(b.y0 + b.y1) / 2 - mrz_y for b in lines])
    slopes = np.array([b.slope for b in lines])
    widths = np.array([b.x1 - b.x0 for b in lines])
    keep = np.ones(len(lines), dtype=bool)
    for _ in range(2):
        if keep.sum() < params.min_lines:
            return None
        if np.ptp(heights[keep]) < params.min_spread_chars * page_char:
            rotation, convergence = float(np.average(slopes[keep], weights=widths[keep])), 0.0
        else:
            rotation, convergence = _weighted_line_fit(heights[keep], slopes[keep], widths[keep])
        keep = np.abs(slopes - (rotation + convergence * heights)) <= params.max_residual
    if keep.sum() < params.min_lines:
        return None
    fitted = rotation + convergence * heights
    if np.abs(fitted).max() > params.max_slope:
        return None
    if (np.abs(fitted[keep]) * widths[keep]).max() < params.min_skew_chars * page_char:
        return None
    return Keystone(float(rotation), float(convergence), float(mrz_y), float(centre_x))


def _weighted_line_fit(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """(intercept, slope) of y on x, each point weighted (a long line's slope is surer)."""
    design = np.stack([np.ones_like(x), x], axis=1) * np.sqrt(weights)[:, None]
    (intercept, slope), *_ = np.linalg.lstsq(design, y * np.sqrt(weights), rcond=None)
    return float(intercept), float(slope)
