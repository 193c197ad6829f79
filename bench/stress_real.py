"""The real specimens made harder, scored end to end: right, flagged, silent or failed.

    .venv/bin/python bench/stress_real.py [--real-dir ../shared/samples/real] [--kind phone25 ...] [--fields mrz|all]

Each real sample is turned (90/180/45/135/-25 degrees), put small into a dark 2400 x 1800
frame, blurred, or photographed: warped in perspective, turned, placed at 25-60 % of the
width of a 4032 x 3024 (12 MP) phone frame and softened; scaled to 250 or 320 px wide, under
glare, faded, dark or shadowed; saved at JPEG quality 15, noisy, dark and noisy, smeared by
the camera's motion, bent, seen at a steep angle, pasted on a page of printed text, or
enlarged from 400 px wide; or put beside or above the next sample (two documents in one
image: right when the record is either one and flagged `another_document`). Then saved as JPEG. Every case is
deterministic (its random numbers are seeded by its name). A script, not a test: it prints
one line per case and a summary, and asserts nothing.

Outcomes: `ok` (status extracted, every MRZ field right), `flagged_right` (needs review,
though right), `flagged_wrong` (needs review and wrong: the reader said so), `silent`
(extracted but wrong: the number that must stay 0), `failed` (no record).

With `--fields all` the visual zone is read too, and each case also scores the date of issue
(`right`, `wrong`, `missing`: null where one is printed, `invented`: a value where none is)
and whether the birth century is right; a wrong or invented date of issue that carries no
warning and no low confidence is the visual zone's silent error.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import random
import statistics
import sys
import time
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
from probe_local import STRESS  # noqa: E402  (the older turned / in-frame / blurred cases)

from passport_ocr.engines import get_engine  # noqa: E402
from passport_ocr.errors import PassportOcrError  # noqa: E402
from passport_ocr.extract import FIELDS_ALL, FIELDS_MRZ, extract  # noqa: E402
from passport_ocr.settings import Settings  # noqa: E402
from passport_ocr.viz.merge import REVIEW_PRINT_BELOW  # noqa: E402
from passport_synth.degrade import add_noise, one_above_the_other, phone_photo, side_by_side, skewed_view  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REAL_DIR = ROOT.parent / "shared" / "samples" / "real"
SCORED_FIELDS = (
    "document_type", "issuing_country", "surname", "given_names", "document_number", "nationality",
    "date_of_birth", "sex", "date_of_expiry",
)


PHOTO_KINDS = {
    "phone40": lambda page, rng: phone_photo(rng, page, 0.4, rng.uniform(-35, 35)),
    "phone25": lambda page, rng: phone_photo(rng, page, 0.25, rng.uniform(-35, 35)),
    "phone60tilt": lambda page, rng: phone_photo(rng, page, 0.6, rng.choice([90, -90, 180]) + rng.uniform(-10, 10)),
    "rot45": lambda page, rng: page.rotate(45, expand=True, resample=Image.BICUBIC, fillcolor=(60, 60, 60)),
    "rot135": lambda page, rng: page.rotate(135, expand=True, resample=Image.BICUBIC, fillcolor=(60, 60, 60)),
}


def _scaled_to_width(width: int):
    return lambda page, rng: page.resize((width, max(1, round(page.height * width / page.width))), Image.LANCZOS)


def _with_glare(page: Image.Image, rng: random.Random) -> Image.Image:
    """A bright blot of light (laminate under a lamp) over part of the lower page."""
    pixels = np.asarray(page, dtype=np.float32)
    height, width = pixels.shape[:2]
    cy, cx = rng.uniform(0.55, 0.9) * height, rng.uniform(0.2, 0.8) * width
    yy, xx = np.mgrid[0:height, 0:width]
    light = 0.85 * np.exp(-(((yy - cy) / (0.12 * height)) ** 2 + ((xx - cx) / (0.15 * width)) ** 2))[..., None]
    return Image.fromarray(np.clip(pixels * (1 - light) + 255 * light, 0, 255).astype(np.uint8))


def _scaled_levels(gain: float, offset: float):
    return lambda page, rng: Image.fromarray(
        np.clip(np.asarray(page, dtype=np.float32) * gain + offset, 0, 255).astype(np.uint8)
    )


def _shadowed(page: Image.Image, rng: random.Random) -> Image.Image:
    """Light falling off across the page, to a third at the far edge."""
    ramp = np.linspace(1.0, 0.35, page.width, dtype=np.float32)[None, :, None]
    return Image.fromarray((np.asarray(page, dtype=np.float32) * ramp).astype(np.uint8))


def _noisy(sigma: float):
    return lambda page, rng: add_noise(page, sigma, np.random.default_rng(rng.getrandbits(32)))


def _moved(page: Image.Image, rng: random.Random) -> Image.Image:
    """The camera moved sideways while the shutter was open: a horizontal smear 0.9 % of the
    page's width long (about 0.4 of an MRZ character's pitch)."""
    length = max(2, round(0.009 * page.width))
    pixels = np.asarray(page, dtype=np.float32)
    smeared = sum(np.roll(pixels, shift - length // 2, axis=1) for shift in range(length)) / length
    return Image.fromarray(smeared.astype(np.uint8))


def _bent(page: Image.Image, rng: random.Random) -> Image.Image:
    """A passport page bowed as it lies open: columns shifted down by up to 2 % of its height
    in the middle, so its lines curve."""
    pixels = np.asarray(page)
    height, width = pixels.shape[:2]
    bow = 0.02 * height
    pad = int(bow) + 1
    padded = np.pad(pixels, ((pad, pad), (0, 0), (0, 0)), constant_values=255)
    shifts = np.round(bow * np.sin(np.pi * np.arange(width) / width)).astype(int)
    rows = (np.arange(height)[:, None] + pad - shifts[None, :])
    return Image.fromarray(padded[rows, np.arange(width)[None, :]])


def _on_a_form(page: Image.Image, rng: random.Random) -> Image.Image:
    """The document pasted on a page of printed text (a form, a photocopy with notes), with a
    white margin of 4 % of its width around it."""
    width, height = page.size
    sheet = Image.new("RGB", (int(width * 1.6), int(height * 1.8)), (235, 230, 220))
    draw = ImageDraw.Draw(sheet)
    words = ("THE", "DAILY", "NEWS", "PASSPORT", "CONTROL", "2019", "AB12", "LONDON", "REPORT", "MARKET")
    size = max(10, height // 50)
    for top in range(5, sheet.height, max(10, height // 40)):
        draw.text((5, top), " ".join(rng.choice(words) for _ in range(60)), fill=(40, 40, 40), font_size=size)
    left, top, margin = int(width * 0.3), int(height * 0.4), int(0.04 * width)
    draw.rectangle((left - margin, top - margin, left + width + margin, top + height + margin), fill=(250, 250, 250))
    sheet.paste(page, (left, top))
    return sheet


def _small_upscaled(page: Image.Image, rng: random.Random) -> Image.Image:
    """A 400 px wide web image enlarged three times: big, but no more detail than 400 px."""
    small = page.resize((400, max(1, round(page.height * 400 / page.width))), Image.BILINEAR)
    return small.resize((1200, 3 * small.height), Image.BICUBIC)


CAPTURE_KINDS = {
    "w250": _scaled_to_width(250),
    "w320": _scaled_to_width(320),
    "glare": _with_glare,
    "faded": _scaled_levels(0.35, 123),  # a third of the contrast, greyed towards the paper
    "dark": _scaled_levels(0.45, 0),
    "shadow": _shadowed,
    "jpeg15": lambda page, rng: page,  # only saved at JPEG quality 15 (JPEG_QUALITY)
    "noisy": _noisy(18.0),  # a phone's sensor noise in dim light
    "lowlight": lambda page, rng: _noisy(10.0)(_scaled_levels(0.3, 0)(page, rng), rng),
    "motion": _moved,
    "bent": _bent,
    "persp": lambda page, rng: skewed_view(rng, page, 0.15),
    "form": _on_a_form,
    "up400": _small_upscaled,
}


# Two documents in one image (the sample and the next one in truth.jsonl): right when the
# record is either one, and flagged only with `another_document`; unflagged is a document lost.
PAIR_KINDS = {"beside": side_by_side, "above": lambda page, other: one_above_the_other(other, page)}
# The older cases: saved as JPEG quality 50; the photographs as a phone would, quality 85.
KINDS = {
    **{name: (lambda make: lambda page, rng: make(page))(make) for name, make in STRESS.items()},
    **PHOTO_KINDS,
    **CAPTURE_KINDS,
    **PAIR_KINDS,
}
JPEG_QUALITY = {
    **dict.fromkeys(STRESS, 50), **dict.fromkeys(PHOTO_KINDS, 85), **dict.fromkeys(CAPTURE_KINDS, 85),
    **dict.fromkeys(PAIR_KINDS, 85), "jpeg15": 15,
}


def _wrong_fields(record, truth: dict) -> dict:
    return {f: (record.fields.get(f), truth[f]) for f in SCORED_FIELDS if (record.fields.get(f) or None) != (truth[f] or None)}


def outcome(record, truth: dict) -> tuple[str, dict]:
    wrong = _wrong_fields(record, truth)
    if not wrong:
        return ("ok" if record.status == "extracted" else "flagged_right"), wrong
    return ("silent" if record.status == "extracted" else "flagged_wrong"), wrong


def closest_truth(record, truths: list[dict]) -> dict:
    """Of the documents in the image, the one the record is (fewest wrong MRZ fields)."""
    return min(truths, key=lambda truth: len(_wrong_fields(record, truth)))


def pair_outcome(record, truths: list[dict]) -> tuple[str, dict]:
    """Two documents in the image: the record must be one of them and say there is another."""
    wrong = _wrong_fields(record, closest_truth(record, truths))
    flags = {w.code for w in record.warnings if w.severity == "error"}
    if "another_document" not in flags:
        return "silent", wrong or {"another_document": (None, "warning")}
    if not wrong:
        return "flagged_right", wrong
    return "flagged_wrong", wrong


ISSUE_OUTCOMES = ("right", "wrong", "missing", "invented", "failed")  # failed: no record at all


def issue_outcome(record, truth: dict) -> tuple[str, bool]:
    """The date of issue against the truth, and whether the record flags it (warning or low confidence)."""
    got, want = record.fields.get("date_of_issue") or None, truth.get("date_of_issue") or None
    flagged = record.confidence.get("date_of_issue", 1.0) < REVIEW_PRINT_BELOW["date_of_issue"] or any(
        w.field == "date_of_issue" and w.severity == "error" for w in record.warnings
    )
    if got == want:
        return "right", flagged
    if got is None:
        return "missing", flagged
    return ("invented" if want is None else "wrong"), flagged


def century_right(record, truth: dict) -> bool:
    """The birth date's century is the truth's (a record with no birth date has no century wrong)."""
    birth = record.fields.get("date_of_birth")
    return not birth or birth[:2] == truth["date_of_birth"][:2]


def viz_outcome(record, truth: dict) -> tuple[str, bool, bool]:
    """(date of issue outcome, flagged, birth century right) of one case; no record is 'failed'."""
    if record is None:
        return "failed", True, True
    return (*issue_outcome(record, truth), century_right(record, truth))


def describe_viz(record, truth: dict, issue: str, flagged: bool, century: bool) -> str:
    text = "issue right" if issue == "right" else (
        f"issue {issue}{'/flagged' if flagged else ''} {record.fields.get('date_of_issue') if record else None}"
        f"->{truth['date_of_issue']}"
    )
    return text + ("" if century else " CENTURY_WRONG")


def print_viz_summary(viz_rows: list[tuple[str, str, bool, bool]]) -> None:
    """Per kind and overall: date of issue right %, outcome counts, silent (unflagged wrong), century wrong."""
    print(f"\n{'date of issue':14s} {'cases':>5s} {'right%':>7s} " + " ".join(f"{o:>8s}" for o in ISSUE_OUTCOMES[1:])
          + f" {'silent':>7s} {'century_wrong':>14s}")
    kinds = list(dict.fromkeys(kind for kind, *_ in viz_rows))
    for group in [*kinds, "all"]:
        rows = [r for r in viz_rows if group in ("all", r[0])]
        tally = {o: sum(r[1] == o for r in rows) for o in ISSUE_OUTCOMES}
        silent = sum(r[1] in ("wrong", "invented") and not r[2] for r in rows)
        print(f"{group:14s} {len(rows):5d} {100 * tally['right'] / max(len(rows), 1):6.1f}% "
              + " ".join(f"{tally[o]:8d}" for o in ISSUE_OUTCOMES[1:])
              + f" {silent:7d} {sum(not r[3] for r in rows):14d}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-dir", type=Path, default=DEFAULT_REAL_DIR)
    parser.add_argument("--kind", action="append", choices=sorted(KINDS), help="only these kinds (repeatable)")
    parser.add_argument("--fields", choices=(FIELDS_MRZ, FIELDS_ALL), default=FIELDS_MRZ,
                        help="all: read the visual zone too and score the date of issue and the birth century")
    args = parser.parse_args()
    settings = dataclasses.replace(Settings.from_env(), ocr_threads=1)
    engine = get_engine(settings)
    kinds = {k: KINDS[k] for k in (args.kind or KINDS)}
    counts = dict.fromkeys(("ok", "flagged_right", "flagged_wrong", "silent", "failed"), 0)
    cpu = []
    viz_rows = []  # (kind, date of issue outcome, flagged, birth century right) with --fields all
    rows = [json.loads(line) for line in open(args.real_dir / "truth.jsonl") if line.strip()]
    for number, row in enumerate(rows):
        page = Image.open(args.real_dir / row["file"]).convert("RGB")
        partner = rows[(number + 1) % len(rows)]
        for kind, make in kinds.items():
            name = f"{row['file']}+{kind}"
            if kind in PAIR_KINDS:
                image = make(page, Image.open(args.real_dir / partner["file"]).convert("RGB"))
            else:
                image = make(page, random.Random(zlib.crc32(name.encode())))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=JPEG_QUALITY[kind])
            started = time.process_time()
            try:
                record = extract(buffer.getvalue(), engine=engine, settings=settings, fields=args.fields)
                result, wrong = pair_outcome(record, [row, partner]) if kind in PAIR_KINDS else outcome(record, row)
                flags = sorted({w.code for w in record.warnings if w.severity == "error"})
            except PassportOcrError as error:
                record, result, wrong, flags = None, "failed", {}, [error.code]
            cpu.append(time.process_time() - started)
            counts[result] += 1
            viz = ""
            if args.fields == FIELDS_ALL:
                truth = closest_truth(record, [row, partner]) if record and kind in PAIR_KINDS else row
                viz_rows.append((kind, *viz_outcome(record, truth)))
                viz = " " + describe_viz(record, truth, *viz_rows[-1][1:])
            print(f"{name:36s} {result:14s} {cpu[-1]:5.2f}s {viz} {wrong or ''} {flags or ''}", flush=True)
    total = sum(counts.values())
    right = counts["ok"] + counts["flagged_right"]
    print(f"\n{total} cases: {right} right ({100 * right / max(total, 1):.1f} %), " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"CPU per case (decode included): median {statistics.median(cpu):.2f} s, max {max(cpu):.2f} s")
    if viz_rows:
        print_viz_summary(viz_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
