"""How the visual zone's detector boxes sit around the ink: the padding make_data.py reproduces.

Generates a few clean pages (passport_synth, seeds far from the benchmark's; used only for
their layout, never as a text source), warps each to the upright page and runs the text
detector exactly as viz.local_text does, then measures in every box the line's ink (pixels
darker than halfway between the box's darkest pixel and its paper; the tallest band of inked
rows, other bands being the cut edges of the lines above or below) and prints the padding on
each side as a fraction of the ink height.

    PYTHONPATH=layers/core:synth .venv/bin/python scripts/viz_model/measure_boxes.py --pages 24
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from passport_synth import generate
from passport_synth.generate import pick_format
from passport_ocr.engines.local import LocalEngine
from passport_ocr.settings import Settings
from passport_ocr.viz.local_text import LocalPageText, PageTextParams, _char_height, upright_page

SEED_BASE = 700_000_000


def line_ink(grey: np.ndarray) -> tuple[int, int, int, int, bool, bool] | None:
    """(x0, y0, x1, y1) of the line's ink in a box crop, and whether other text shows above
    and below it; None for a box without contrast."""
    darkest, paper = float(grey.min()), float(np.percentile(grey, 90))
    if paper - darkest < 60:
        return None
    dark = grey < (darkest + paper) / 2
    inked = np.concatenate([[0], (dark.sum(axis=1) >= 2).astype(np.int8), [0]])
    edges = np.diff(inked)
    bands = list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))
    if not bands:
        return None
    top, bottom = max(bands, key=lambda band: band[1] - band[0])
    cols = np.flatnonzero(dark[top:bottom].sum(axis=0) >= 1)
    return (int(cols[0]), int(top), int(cols[-1]) + 1, int(bottom),
            any(b <= top for _, b in bands), any(a >= bottom for a, _ in bands))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=24, help="per condition")
    parser.add_argument("--conditions", default="clean,scan")
    args = parser.parse_args()
    engine = LocalEngine.shared(Settings())
    reader = LocalPageText()
    params = PageTextParams()
    rows = []
    conditions = args.conditions.split(",")
    for condition, index in [(c, i) for c in conditions for i in range(args.pages)]:
        doc_format = pick_format(SEED_BASE // 100_000, index)
        sample = generate(SEED_BASE + index, condition, doc_format)
        reading = next(iter(engine.mrz_candidates(sample.image.convert("RGB"))), None)
        if reading is None or reading.geometry is None:
            continue
        page, scale = upright_page(sample.image, reading.geometry, doc_format, params.page_char_px, params.max_upscale)
        page_char = _char_height(reading.geometry) * scale
        boxes = reader.detector.detect(page, max_side=reader._detect_side(page, page_char, doc_format))
        grey_page = np.asarray(page.convert("L"), dtype=np.float32)
        for x0, y0, x1, y1, _ in boxes:
            if not params.min_line_height * page_char <= y1 - y0 <= params.max_line_height * page_char:
                continue
            crop = grey_page[int(y0):int(math.ceil(y1)), int(x0):int(math.ceil(x1))]
            ink = line_ink(crop)
            if ink is None:
                continue
            ix0, iy0, ix1, iy1, above, below = ink
            h = iy1 - iy0
            if h < 6:
                continue
            rows.append((iy0 / h, (crop.shape[0] - iy1) / h, ix0 / h, (crop.shape[1] - ix1) / h, h, h / scale, above, below))
    data = np.array(rows)
    print(f"{len(data)} boxes on {args.pages} pages of each of {conditions}")
    for k, name in enumerate(["top", "bottom", "left", "right"]):
        q = np.percentile(data[:, k], [5, 25, 50, 75, 95])
        print(f"{name:6s} padding / ink height: p5 {q[0]:.2f} p25 {q[1]:.2f} median {q[2]:.2f} p75 {q[3]:.2f} p95 {q[4]:.2f}")
    for k, name in [(4, "ink height, page px"), (5, "ink height, input px")]:
        q = np.percentile(data[:, k], [5, 50, 95])
        print(f"{name}: p5 {q[0]:.1f} median {q[1]:.1f} p95 {q[2]:.1f}")
    print(f"other text above the line in {data[:, 6].mean():.0%} of boxes, below in {data[:, 7].mean():.0%}")


if __name__ == "__main__":
    main()
