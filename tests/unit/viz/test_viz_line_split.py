"""Two touching printed lines in one detector box, cut apart at the paper between them."""

import numpy as np

from passport_ocr.viz.line_split import split_lines, trim_to_line


def box_of(rows: list[tuple[int, int, float]], height: int = 60, width: int = 200, pattern: float = 0.0) -> np.ndarray:
    """Grey pixels of a box: paper (200) with ink (40) in each (y0, y1, share of the width)
    band, and a security pattern inking `pattern` of every row."""
    rng = np.random.default_rng(0)
    grey = np.full((height, width), 200.0, dtype=np.float32)
    grey[rng.random((height, width)) < pattern] = 100.0
    for y0, y1, share in rows:
        grey[y0:y1, : int(width * share)] = 40.0
    return grey


def test_a_label_over_its_value_is_cut_into_two_lines():
    grey = box_of([(4, 16, 0.5), (20, 38, 0.9)], height=42, pattern=0.03)
    assert split_lines(grey, min_height=8, max_height=30) == [(0, 18), (18, 42)]  # cut halfway across the gap


def test_a_cut_line_at_the_edge_is_dropped_and_an_accent_joins_its_line():
    # A sliver of the line above at the top; an accent's rows of ink over the second line.
    grey = box_of([(0, 3, 0.6), (8, 20, 0.5), (25, 27, 0.05), (29, 44, 0.9)], height=48)
    (top, cut), (cut_again, bottom) = split_lines(grey, min_height=8, max_height=30)
    assert top == 3 and cut == cut_again and 20 <= cut < 25 and bottom == 48  # the accent stays with its line


def test_one_tall_line_or_a_photo_is_not_cut():
    assert split_lines(box_of([(3, 57, 0.8)]), min_height=8, max_height=30) == []
    # Parts that would be too high for a line: no cut (a title over a line, say).
    assert split_lines(box_of([(2, 34, 0.8), (40, 58, 0.8)]), min_height=8, max_height=30) == []


def test_a_small_label_over_its_value_on_a_grainy_faint_page_is_cut():
    # 'heavy' pages: print a quarter as dark as usual under grain of 20 grey levels, the
    # label about a third of its value's height.
    rng = np.random.default_rng(1)
    grey = np.full((70, 240), 200.0, dtype=np.float32)
    strokes = (np.arange(240) % 6) < 3  # letters' strokes, not solid bars
    grey[14:22, :150][:, strokes[:150]] = 150.0
    grey[32:56, :220][:, strokes[:220]] = 140.0
    grey += rng.normal(0.0, 20.0, grey.shape).astype(np.float32)
    (top, cut), (cut_again, bottom) = split_lines(grey, min_height=14, max_height=60)
    assert top == 0 and cut == cut_again and 22 <= cut <= 32 and bottom == 70


def test_a_mark_over_a_line_is_no_line_of_small_print():
    # Marks are as wide as letters and sit close over them: they stay with their line.
    grey = box_of([(2, 18, 0.8), (23, 26, 0.5), (27, 45, 0.9)], height=48)
    (_, cut), _ = split_lines(grey, min_height=8, max_height=30)
    assert 18 <= cut < 23


def test_a_line_boxed_with_paper_around_it_is_trimmed_to_the_line_and_its_marks():
    # 'heavy' pages: the detector's map of one faint, grainy line of values spreads over the
    # paper around it, giving a box taller than any line; the box is cut down to the line.
    rng = np.random.default_rng(2)
    grey = np.full((110, 300), 200.0, dtype=np.float32)
    strokes = (np.arange(300) % 6) < 3
    grey[40:74, :280][:, strokes[:280]] = 140.0
    grey += rng.normal(0.0, 20.0, grey.shape).astype(np.float32)
    top, bottom = trim_to_line(grey, min_height=14, max_height=96, max_letters=48)
    assert 25 <= top <= 40 and 74 <= bottom <= 85  # room for marks above, descenders below
    assert split_lines(grey, min_height=14, max_height=96) == []  # one line: nothing to cut


def test_no_single_line_no_trim():
    assert trim_to_line(box_of([(4, 16, 0.5), (20, 38, 0.9)], height=42), 8, 30, 20) is None
    assert trim_to_line(box_of([(3, 57, 0.8)]), 8, 30, 20) is None  # a photo: too tall
    assert trim_to_line(box_of([]), 8, 30, 20) is None  # blank paper
    # Ink higher than a line's letters: two lines run together, left whole.
    assert trim_to_line(box_of([(10, 40, 0.8)]), 8, 45, 20) is None
    assert trim_to_line(box_of([(10, 28, 0.8)]), 8, 45, 20) is not None
