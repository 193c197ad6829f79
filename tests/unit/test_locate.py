"""The MRZ locator and its numpy image operations, on arrays drawn with PIL."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from passport_ocr.errors import NoMrzFound
from passport_ocr.imaging import geometry
from passport_ocr.imaging.locate import (
    FAINT_INK_CONTRAST,
    LINE_BLACKHAT_KERNEL,
    LineBox,
    character_pitch,
    extend_with_fragments,
    group_mrz_blocks,
    ink_mask,
    locate_zones,
    refine_zone,
    text_angle,
)
from passport_ocr.imaging.morphology import blackhat, connected_components, dilate, erode, otsu_threshold

OCRB = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
TD1 = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]


def mrz_font(size: int) -> ImageFont.FreeTypeFont:
    if OCRB.exists():
        return ImageFont.truetype(str(OCRB), size)
    return ImageFont.load_default(size)


def draw_page(lines: list[str], size: int = 30) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A light page with a few short labels and the MRZ lines at the bottom; returns the MRZ box."""
    font = mrz_font(size)
    width = 40 + int(font.getlength(lines[0])) + 40
    page = Image.new("L", (width, 520), 235)
    draw = ImageDraw.Draw(page)
    for k, label in enumerate(["SURNAME", "GIVEN NAMES", "NATIONALITY"]):
        draw.text((300, 40 + 40 * k), label, font=mrz_font(18), fill=90)
    top = 520 - 55 * len(lines) - 20
    boxes = [draw.textbbox((40, top + 55 * k), line, font=font) for k, line in enumerate(lines)]
    for k, line in enumerate(lines):
        draw.text((40, top + 55 * k), line, font=font, fill=20)
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    return page, box


def angle_difference(a: float, b: float, period: float) -> float:
    d = (a - b) % period
    return min(d, period - d)


# --- morphology -----------------------------------------------------------------------
def test_erode_and_dilate_match_a_brute_force_window():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (40, 50), dtype=np.uint8)
    padded = np.pad(image, ((2, 2), (3, 3)), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, (5, 7))
    assert np.array_equal(erode(image, 7, 5), windows.min(axis=(2, 3)))
    assert np.array_equal(dilate(image, 7, 5), windows.max(axis=(2, 3)))


def test_blackhat_keeps_small_dark_marks_and_drops_large_dark_areas():
    grey = np.full((60, 60), 220, dtype=np.uint8)
    grey[10:13, 10:13] = 30  # a dot of ink
    grey[30:60, 30:60] = 30  # a dark region far larger than the kernel
    response = blackhat(grey, 9, 9)
    assert response[11, 11] == 190
    assert response[45, 45] == 0


def test_otsu_splits_a_bimodal_histogram_between_the_modes():
    values = np.concatenate([np.full(500, 40), np.full(300, 200)]).astype(np.uint8)
    assert 40 <= otsu_threshold(values) < 200


def test_connected_components_are_8_connected_with_exact_boxes():
    mask = np.zeros((12, 12), dtype=bool)
    mask[1:3, 1:5] = True
    mask[3, 5] = True  # touches the first blob diagonally
    mask[7:10, 8] = True
    comps = connected_components(mask)
    boxes = sorted(zip(comps.x0.tolist(), comps.y0.tolist(), comps.x1.tolist(), comps.y1.tolist(), comps.area.tolist()))
    assert boxes == [(1, 1, 6, 4, 9), (8, 7, 9, 10, 3)]


def test_connected_components_agree_with_a_flood_fill_on_random_masks():
    rng = np.random.default_rng(11)
    mask = rng.random((60, 80)) > 0.55
    labels = np.zeros(mask.shape, dtype=int)
    count = 0
    for y, x in zip(*np.nonzero(mask)):
        if labels[y, x]:
            continue
        count += 1
        labels[y, x] = count
        stack = [(y, x)]
        while stack:
            cy, cx = stack.pop()
            for ny in range(max(cy - 1, 0), min(cy + 2, 60)):
                for nx in range(max(cx - 1, 0), min(cx + 2, 80)):
                    if mask[ny, nx] and not labels[ny, nx]:
                        labels[ny, nx] = count
                        stack.append((ny, nx))
    comps = connected_components(mask)
    assert len(comps) == count
    assert sorted(comps.area.tolist()) == sorted(np.bincount(labels.ravel())[1:].tolist())


def test_connected_components_of_an_empty_mask():
    assert len(connected_components(np.zeros((5, 5), dtype=bool))) == 0


def test_character_pitch_finds_the_period_of_a_monospaced_row():
    row = np.zeros((20, 400), dtype=bool)
    for x in range(0, 400, 17):
        row[:, x : x + 9] = True
    pitch, regularity = character_pitch(row)
    assert pitch == pytest.approx(17, abs=0.5)
    assert regularity > 0.8
    speckle = np.random.default_rng(5).random((20, 400)) > 0.9
    assert character_pitch(speckle)[1] < 0.2


# --- geometry -------------------------------------------------------------------------
def test_rotation_on_canvas_keeps_every_corner_inside():
    matrix, (width, height) = geometry.rotation_on_canvas(300, 100, 30)
    corners = geometry.apply(matrix, geometry.box_corners(0, 0, 300, 100))
    assert corners.min() >= -1e-6
    assert corners[:, 0].max() <= width + 1e-6 and corners[:, 1].max() <= height + 1e-6


# --- the locator ----------------------------------------------------------------------
def test_finds_the_two_lines_of_a_td3_zone_where_they_were_drawn():
    page, (x0, y0, x1, y1) = draw_page(TD3)
    zone = locate_zones(page)[0]
    assert len(zone.lines) == 2
    corners = np.array(zone.corners_in_input())
    assert corners[:, 0].min() == pytest.approx(x0, abs=8)
    assert corners[:, 0].max() == pytest.approx(x1, abs=8)
    assert corners[:, 1].min() == pytest.approx(y0, abs=8)
    assert corners[:, 1].max() == pytest.approx(y1, abs=8)
    line_height = (y1 - y0) / 2.2  # two lines and the gap between them
    assert 0.6 * line_height < zone.char_height_input < 1.3 * line_height
    assert angle_difference(zone.angle_deg, 0, 180) < 1


def test_a_line_cut_in_two_by_glare_is_measured_whole_and_grouped_with_its_neighbour():
    page, (x0, y0, x1, y1) = draw_page(TD3)
    # Light washes out characters in the middle of the second line: its longer piece is
    # only half the first line's length.
    ImageDraw.Draw(page).rectangle((x0 + 0.40 * (x1 - x0), (y0 + y1) / 2 + 4, x0 + 0.48 * (x1 - x0), y1 + 4), fill=235)
    zone = locate_zones(page)[0]
    assert len(zone.lines) == 2
    corners = np.array(zone.corners_in_input())
    assert corners[:, 0].min() == pytest.approx(x0, abs=8) and corners[:, 0].max() == pytest.approx(x1, abs=8)
    assert corners[:, 1].min() == pytest.approx(y0, abs=8)
    first, second = zone.lines
    assert second.width == pytest.approx(first.width, rel=0.05)


def test_print_fainter_than_paper_texture_is_found_only_by_the_faint_look():
    page, (x0, y0, x1, y1) = draw_page(TD3)
    # A tenth of the contrast, greyed towards the paper: the MRZ strokes fall under the floor.
    faded = Image.fromarray((np.asarray(page, dtype=np.float32) * 0.1 + 200).astype(np.uint8))
    with pytest.raises(NoMrzFound):
        locate_zones(faded)
    zone = locate_zones(faded, min_contrast=FAINT_INK_CONTRAST)[0]
    assert len(zone.lines) == 2
    corners = np.array(zone.corners_in_input())
    assert corners[:, 1].min() == pytest.approx(y0, abs=8) and corners[:, 1].max() == pytest.approx(y1, abs=8)


def test_finds_the_three_lines_of_a_td1_zone():
    page, _ = draw_page(TD1)
    zone = locate_zones(page)[0]
    assert len(zone.lines) == 3
    pitches = [line.pitch for line in zone.lines]
    assert max(pitches) - min(pitches) < 1.5


@pytest.mark.parametrize("turn", [90, 180, 270, 15, -15, 35, -60])
def test_finds_the_zone_and_the_turn_that_makes_it_horizontal(turn):
    page, _ = draw_page(TD3)
    rotated = page.rotate(turn, expand=True, fillcolor=235, resample=Image.BICUBIC)
    zone = locate_zones(rotated)[0]
    assert len(zone.lines) == 2
    # The locator levels the lines; whether they are upside down is the recogniser's call.
    assert angle_difference(zone.angle_deg, -turn, 180) <= 1.0


def test_lines_converging_under_perspective_are_each_found_with_their_slope():
    page, _ = draw_page(TD1)
    width, height = page.size
    # The right edge of the page is farther from the camera: lines fan out from the right.
    tilted = page.transform(
        page.size, Image.QUAD, (0, 0, 0, height, width, height * 1.2, width, -0.2 * height), Image.BICUBIC, fillcolor=120
    )
    zone = locate_zones(tilted)[0]
    assert len(zone.lines) == 3
    slopes = [line.slope_deg for line in zone.lines]
    assert slopes == sorted(slopes)  # top line rises most, bottom line falls most
    assert slopes[-1] - slopes[0] > 1.0


def test_a_small_zone_in_a_large_frame_is_found_by_the_finer_pass():
    page, (x0, y0, x1, y1) = draw_page(TD3, size=22)
    frame = Image.new("L", (3200, 2400), 150)
    frame.paste(page, (1900, 1500))
    zones = locate_zones(frame, work_size=1600)
    corners = np.array(zones[0].corners_in_input())
    assert corners[:, 0].min() == pytest.approx(1900 + x0, abs=15)
    assert corners[:, 1].max() == pytest.approx(1500 + y1, abs=15)


def test_refining_a_zone_seen_at_low_detail_measures_it_at_full_detail():
    page, (x0, y0, x1, y1) = draw_page(TD3, size=26)
    frame = Image.new("L", (3000, 2000), 160)
    frame.paste(page, (1200, 900))
    coarse = locate_zones(frame)[0]  # 800 px working size: characters ~6 px high
    fine = refine_zone(frame, coarse)
    assert fine is not None and len(fine.lines) == 2
    assert fine.char_height_work > 2 * coarse.char_height_work
    corners = np.array(fine.corners_in_input())
    assert corners[:, 0].min() == pytest.approx(1200 + x0, abs=4)
    assert corners[:, 0].max() == pytest.approx(1200 + x1, abs=4)
    assert corners[:, 1].max() == pytest.approx(900 + y1, abs=4)
    # A zone already seen at full detail has nothing to gain.
    assert refine_zone(page, locate_zones(page)[0]) is None


def test_text_angle_of_a_mask_of_slanted_lines():
    page, _ = draw_page(TD3)
    turned = np.asarray(page.rotate(20, expand=True, fillcolor=235))
    assert angle_difference(text_angle(ink_mask(turned, LINE_BLACKHAT_KERNEL)), -20, 180) <= 1.0


def test_blurred_lines_that_touch_are_still_separate_lines():
    font = mrz_font(30)
    page = Image.new("L", (1500, 300), 235)
    draw = ImageDraw.Draw(page)
    for k, line in enumerate(TD3):
        draw.text((40, 100 + 31 * k), line, font=font, fill=20)  # tighter than any real MRZ
    blurred = page.filter(ImageFilter.GaussianBlur(2.5))
    zone = locate_zones(blurred)[0]
    assert len(zone.lines) == 2
    assert zone.lines[1].cy - zone.lines[0].cy == pytest.approx(31 * 800 / 1500, abs=3)


def test_blank_page_has_no_mrz():
    with pytest.raises(NoMrzFound):
        locate_zones(Image.new("L", (800, 600), 230))


def test_noise_has_no_mrz():
    noise = Image.effect_noise((800, 600), 30)
    with pytest.raises(NoMrzFound):
        locate_zones(noise)


def test_short_words_are_not_an_mrz():
    page = Image.new("L", (800, 600), 235)
    draw = ImageDraw.Draw(page)
    for k in range(4):
        draw.text((60 + 250 * (k % 3), 100 + 90 * k), "NAME", font=mrz_font(28), fill=20)
    with pytest.raises(NoMrzFound):
        locate_zones(page)


def test_pieces_of_a_line_that_overlap_are_joined_into_one_line():
    left = LineBox(35, 417, 466, 444, pitch=23.4, regularity=0.54)
    right = LineBox(457, 419, 756, 444, pitch=23.4, regularity=0.70)
    joined = extend_with_fragments(left, [left, right])
    assert (joined.x0, joined.x1) == (35, 756)


def test_a_middle_line_broken_in_two_overlapping_pieces_still_makes_a_three_line_zone():
    # Noise on faint print split the second line of a card where one piece overlaps the
    # other: neither piece alone is as long as the lines above and below.
    top = LineBox(57, 376, 766, 404, pitch=23.6, regularity=0.63)
    left = LineBox(35, 417, 466, 444, pitch=23.4, regularity=0.54)
    right = LineBox(457, 419, 756, 444, pitch=23.4, regularity=0.70)
    bottom = LineBox(43, 457, 750, 484, pitch=23.6, regularity=0.66)
    blocks = group_mrz_blocks([top, left, right, bottom])
    best, _ = blocks[0]
    assert len(best) == 3
    assert (best[1].x0, best[1].x1) == (35, 756)


def test_a_heavily_degraded_card_has_its_three_lines_found():
    from passport_synth import generate

    page = generate(700054, "heavy", "TD1").image  # seed of a bench page once found with 2 lines
    assert len(locate_zones(page)[0].lines) == 3


def test_lines_far_longer_than_an_mrz_line_rank_below_the_mrz():
    # A card's MRZ (two lines 40 heights long) under lines of a newspaper it lies on, which
    # run across the whole image (100 heights) and so are wider than the MRZ.
    print_lines = [LineBox(10, 40 + 12 * k, 790, 48 + 12 * k, pitch=6.0, regularity=0.5) for k in range(3)]
    mrz = [LineBox(170, 300, 490, 308, pitch=7.3, regularity=0.6), LineBox(170, 313, 490, 321, pitch=7.3, regularity=0.6)]
    blocks = group_mrz_blocks(print_lines + mrz)
    assert blocks[0][0] == mrz


def test_strips_apart_are_the_parts_of_the_image_beyond_a_documents_reach():
    from passport_ocr.imaging.apart import REACH_ACROSS, strips_apart

    # A 400-px MRZ whose document fills the frame leaves nothing apart from it.
    mrz = [(100, 400), (500, 400), (500, 440), (100, 440)]
    assert strips_apart((600, 500), [mrz]) == []
    # The same document at the left of a wide image: one strip to its right, full height.
    strips = strips_apart((1500, 500), [mrz])
    assert len(strips) == 1
    left, top, right, bottom = strips[0]
    assert (top, right, bottom) == (0, 1500, 500) and 500 < left < 600
    # Turned a quarter: the reach across the lines, either way (the zone may be upside
    # down), runs along x now.
    turned = [(500, 50), (500, 450), (460, 450), (460, 50)]
    (_, _, left_end, _), (right_start, _, _, _) = strips_apart((1500, 500), [turned])
    assert left_end <= 480 - REACH_ACROSS * 400 + 1 and right_start >= 480 + REACH_ACROSS * 400 - 1
    # A strip too narrow to hold another MRZ is not worth locating in.
    assert strips_apart((650, 500), [mrz]) == []
    assert strips_apart((600, 500), []) == []
