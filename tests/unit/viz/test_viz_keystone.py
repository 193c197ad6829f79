"""The data page's residual perspective, fitted from its text lines' slopes and taken out."""

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from passport_ocr.engines.base import MrzGeometry
from passport_ocr.viz.detect import TextBox, TextDetector
from passport_ocr.viz.keystone import Keystone, fit_keystone
from passport_ocr.viz.local_text import upright_page

PAGE_CHAR = 40.0
MRZ_Y = 1000.0
CENTRE_X = 800.0


def seen_line(y: float, x0: float, x1: float, slope: float, height: float = 40.0) -> TextBox:
    """The detector's box of a line of letters `height` high running at `slope` around y."""
    rise = abs(slope) * (x1 - x0)
    return TextBox(x0, y - (height + rise) / 2, x1, y + (height + rise) / 2, 0.9, slope)


def perspective_page(rotation: float, convergence: float) -> list[TextBox]:
    heights = (150.0, 300.0, 450.0, 600.0, 750.0, 900.0)
    return [seen_line(y, 300, 1300, rotation + convergence * (y - MRZ_Y)) for y in heights]


def test_converging_lines_give_back_their_vanishing_point_and_rotation():
    keystone = fit_keystone(perspective_page(-0.008, 5e-5), PAGE_CHAR, MRZ_Y, CENTRE_X)
    assert keystone is not None
    assert abs(keystone.rotation + 0.008) < 1e-4
    assert abs(keystone.convergence - 5e-5) < 1e-6


def test_the_matrix_turns_level_lines_into_the_lines_seen():
    keystone = Keystone(rotation=-0.008, convergence=5e-5, mrz_y=MRZ_Y, centre_x=CENTRE_X)
    matrix = keystone.matrix()

    def seen(x: float, y: float) -> tuple[float, float]:
        u, v, w = matrix @ np.array([x, y, 1.0])
        return u / w, v / w

    for level_y in (200.0, 600.0, 950.0):
        (ax, ay), (bx, by) = seen(300.0, level_y), seen(1300.0, level_y)
        expected = -0.008 + 5e-5 * (level_y - MRZ_Y)
        # The slope a level line comes out at, to the first order of the fit's model.
        assert abs((by - ay) / (bx - ax) - expected) < 0.002
    # The page's centre column and the MRZ's line stay in place.
    assert np.allclose(seen(CENTRE_X, MRZ_Y), (CENTRE_X, MRZ_Y))
    assert abs(seen(CENTRE_X, 300.0)[0] - CENTRE_X) < 1e-9


def test_a_level_page_is_left_alone():
    assert fit_keystone(perspective_page(0.0005, 1e-7), PAGE_CHAR, MRZ_Y, CENTRE_X) is None


def test_too_few_long_lines_measure_nothing():
    lines = perspective_page(-0.02, 5e-5)[:2] + [seen_line(500, 300, 400, 0.1)]  # a word, not a line
    assert fit_keystone(lines, PAGE_CHAR, MRZ_Y, CENTRE_X) is None


def test_a_stray_slope_does_not_bend_the_fit():
    lines = perspective_page(0.0, 5e-5) + [seen_line(500, 300, 1000, 0.09)]  # a signature's stroke
    keystone = fit_keystone(lines, PAGE_CHAR, MRZ_Y, CENTRE_X)
    assert keystone is not None and abs(keystone.convergence - 5e-5) < 2e-6


def test_lines_at_one_height_are_taken_as_turned_not_converging():
    lines = [seen_line(500 + dy, 300, 1300, -0.03) for dy in (0.0, 30.0, 60.0)]
    keystone = fit_keystone(lines, PAGE_CHAR, MRZ_Y, CENTRE_X)
    assert keystone is not None and keystone.convergence == 0.0 and abs(keystone.rotation + 0.03) < 1e-6


def test_a_photographed_page_is_levelled_so_its_lines_box_tight():
    # Six lines of capitals 24 px high above an MRZ at y 880-920, then the document seen
    # at an angle: its right edge shrunk, so lines higher up run steeper.
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 34)
    flat = Image.new("RGB", (1000, 950), "white")
    draw = ImageDraw.Draw(flat)
    for k in range(6):
        draw.text((60, 120 + 120 * k), "PLACE OF BIRTH LONDON UNITED KINGDOM", font=font, fill="black")
    draw.text((60, 880), "P<GBRSMITH<<JOHN<<<<<<<<<<<<<<<<<<", font=font, fill="black")
    # PIL's PERSPECTIVE maps output to input: the right edge of the output shows the input's
    # right edge stretched, i.e. the document's right side farther from the camera.
    shrink = 0.08
    coefficients = _perspective(
        [(0, 0), (1000, 0), (1000, 950), (0, 950)],
        [(0, 0), (1000, 950 * shrink), (1000, 950), (0, 950)],
    )
    photo = flat.transform((1000, 950), Image.PERSPECTIVE, coefficients, Image.BICUBIC, fillcolor="white")
    # The MRZ's line is y 880..920 in both images at the left edge; its right end moved.
    def where(x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f, g, h = _perspective(
            [(0, 0), (1000, 950 * shrink), (1000, 950), (0, 950)], [(0, 0), (1000, 0), (1000, 950), (0, 950)]
        )
        return ((a * x + b * y + c) / (g * x + h * y + 1), (d * x + e * y + f) / (g * x + h * y + 1))

    left, right = where(60, 880), where(900, 880)
    geometry = MrzGeometry(
        corners=[left, right, (right[0], right[1] + 40), (left[0], left[1] + 40)], angle_deg=0.0, char_height_px=24
    )
    page, scale = upright_page(photo, geometry, "TD3", char_px=40, max_upscale=3)
    page_char = 24 * scale
    detector = TextDetector()
    boxes = detector.detect(page, max_side=1600)
    keystone = fit_keystone(boxes, page_char, page.height - 0.25 * page_char, page.width / 2)
    assert keystone is not None and keystone.convergence != 0.0
    levelled, _ = upright_page(photo, geometry, "TD3", char_px=40, max_upscale=3, levelling=keystone.matrix())
    after = detector.detect(levelled, max_side=1600)
    assert len(after) == len(boxes) == 4  # the lines that fit on the page above the MRZ
    tallest_before = max(b.y1 - b.y0 for b in boxes)
    tallest_after = max(b.y1 - b.y0 for b in after)
    assert tallest_after < 0.7 * tallest_before
    assert max(abs(b.slope) for b in after) < 0.01 < max(abs(b.slope) for b in boxes)


def _perspective(output_corners, input_corners) -> list[float]:
    """PIL PERSPECTIVE coefficients mapping each output corner onto its input corner."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(output_corners, input_corners):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y]), rhs.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y]), rhs.append(v)
    return list(np.linalg.solve(np.array(rows, dtype=float), np.array(rhs, dtype=float)))
