"""Line crops of generated MRZs, cut the way the local engine cuts them, for training the MRZ model.

Each sample is a generated page (passport_synth) in one of the capture conditions; the page's
MRZ is located and its lines cropped by the engine's own code (imaging.locate, engines.local),
so the model learns from exactly the crops it will be given. Names are random letter strings,
not the generator's name lists: the model must read characters, not remember names. Seeds
start at TRAIN_SEED_BASE, far from the benchmark's (seed * 100_000 + index for seeds < 100).

    python scripts/mrz_model/make_data.py --pages 6000 --out /tmp/mrz-train.npz [--workers 2]
    python scripts/mrz_model/make_data.py --from-set /tmp/passport-bench-n200-seed7 --out /tmp/eval.npz

--from-set crops the pages of a written set (truth.jsonl beside them) instead: held-out lines
to compare recognisers on.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
from multiprocessing import Pool

import numpy as np

import passport_synth.identity as identity
from passport_synth import CONDITIONS, generate
from passport_synth.generate import pick_format
from passport_ocr.errors import NoMrzFound
from passport_ocr.imaging.locate import locate_zones, refine_zone
from passport_ocr.engines.local import PX_PER_CHAR, crop_line, full_length_range, looks_upside_down, upright_crops, zone_range

TRAIN_SEED_BASE = 900_000_000
# Conditions drawn for training: the hard ones more often than the benchmark's even mix.
CONDITION_WEIGHTS = {"clean": 1, "scan": 2, "lowres": 2, "photo": 2, "heavy": 4}


def _random_name(rng: random.Random, pool, kind: str, long: bool) -> str:
    words = rng.randint(2, 4) if long else (1 if rng.random() < 0.6 else 2)
    return " ".join("".join(rng.choices(string.ascii_uppercase, k=rng.randint(2, 11))) for _ in range(words))


def _grey(crop: np.ndarray) -> np.ndarray:
    return crop.mean(axis=2).round().astype(np.uint8) if crop.ndim == 3 else crop


def crops_of(index: int) -> list[tuple[np.ndarray, str]]:
    identity._name = _random_name  # names as random letters (see the module docstring)
    rng = random.Random(f"train:{index}")
    conditions, weights = zip(*CONDITION_WEIGHTS.items())
    condition = rng.choices(conditions, weights=weights)[0]
    doc_format = pick_format(TRAIN_SEED_BASE // 100_000, index)
    sample = generate(TRAIN_SEED_BASE + index, condition, doc_format)
    return page_crops(sample.image, sample.truth["mrz"], rng.random() < 0.3)


def set_page_crops(entry: tuple[str, list[str], str]) -> list[tuple[np.ndarray, str, str]]:
    path, truth, group = entry
    from PIL import Image

    return [(crop, text, group) for crop, text in page_crops(Image.open(path), truth, False)]


def page_crops(image, truth: list[str], stretched: bool) -> list[tuple[np.ndarray, str]]:
    image = image.convert("RGB")
    try:
        zone = locate_zones(image)[0]
    except NoMrzFound:
        return []
    zone = refine_zone(image, zone) or zone
    if len(zone.lines) != len(truth):
        return []
    x_range = full_length_range(zone) if stretched else zone_range(zone)
    crops = [crop_line(image, zone, line, PX_PER_CHAR, x_range) for line in zone.lines]
    # Scans and photos come any way round; the engine's first guess at which (the filler runs).
    crops = upright_crops(crops, looks_upside_down(crops))
    return [(_grey(crop), text) for crop, text in zip(crops, truth)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6000)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--from-set", help="a written set's folder (truth.jsonl) to crop instead")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    images, labels, groups = [], [], []
    if args.from_set:
        import json
        from pathlib import Path

        rows = [json.loads(line) for line in open(Path(args.from_set) / "truth.jsonl", encoding="utf-8")]
        jobs, work = [(str(Path(args.from_set) / r["file"]), r["mrz"], r.get("condition", "")) for r in rows], set_page_crops
    else:
        jobs, work = range(args.start, args.start + args.pages), crops_of
    with Pool(args.workers) as pool:
        for n, found in enumerate(pool.imap(work, jobs, chunksize=8)):
            for crop, text, *group in found:
                images.append(crop)
                labels.append(text)
                groups.append(group[0] if group else "")
            if n % 500 == 0:
                print(f"{n} pages, {len(labels)} lines", file=sys.stderr, flush=True)
    widths = np.array([im.shape[1] for im in images])
    flat = np.concatenate([im.reshape(-1) for im in images]) if images else np.zeros(0, np.uint8)
    np.savez_compressed(args.out, pixels=flat, widths=widths, height=images[0].shape[0], labels=np.array(labels), groups=np.array(groups))
    print(f"{len(labels)} lines -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
