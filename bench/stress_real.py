"""The real specimens made harder, scored end to end: right, flagged, silent or failed.

    .venv/bin/python bench/stress_real.py [--real-dir ../shared/samples/real] [--kind phone25 ...]

Each real sample is turned (90/180/45/135/-25 degrees), put small into a dark 2400 x 1800
frame, blurred, or photographed: warped in perspective, turned, placed at 25-60 % of the
width of a 4032 x 3024 (12 MP) phone frame and softened, then saved as JPEG. Every case is
deterministic (its random numbers are seeded by its name). A script, not a test: it prints
one line per case and a summary, and asserts nothing.

Outcomes: `ok` (status extracted, every MRZ field right), `flagged_right` (needs review,
though right), `flagged_wrong` (needs review and wrong: the reader said so), `silent`
(extracted but wrong: the number that must stay 0), `failed` (no record).
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

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from probe_local import STRESS  # noqa: E402  (the older turned / in-frame / blurred cases)

from passport_ocr.engines import get_engine  # noqa: E402
from passport_ocr.errors import PassportOcrError  # noqa: E402
from passport_ocr.extract import FIELDS_MRZ, extract  # noqa: E402
from passport_ocr.settings import Settings  # noqa: E402
from passport_synth.degrade import phone_photo  # noqa: E402

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
# The older cases: saved as JPEG quality 50; the photographs as a phone would, quality 85.
KINDS = {
    **{name: (lambda make: lambda page, rng: make(page))(make) for name, make in STRESS.items()},
    **PHOTO_KINDS,
}
JPEG_QUALITY = {**dict.fromkeys(STRESS, 50), **dict.fromkeys(PHOTO_KINDS, 85)}


def outcome(record, truth: dict) -> tuple[str, dict]:
    wrong = {f: (record.fields.get(f), truth[f]) for f in SCORED_FIELDS if (record.fields.get(f) or None) != (truth[f] or None)}
    if not wrong:
        return ("ok" if record.status == "extracted" else "flagged_right"), wrong
    return ("silent" if record.status == "extracted" else "flagged_wrong"), wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-dir", type=Path, default=DEFAULT_REAL_DIR)
    parser.add_argument("--kind", action="append", choices=sorted(KINDS), help="only these kinds (repeatable)")
    args = parser.parse_args()
    settings = dataclasses.replace(Settings.from_env(), ocr_threads=1)
    engine = get_engine(settings)
    kinds = {k: KINDS[k] for k in (args.kind or KINDS)}
    counts = dict.fromkeys(("ok", "flagged_right", "flagged_wrong", "silent", "failed"), 0)
    cpu = []
    for row in (json.loads(line) for line in open(args.real_dir / "truth.jsonl") if line.strip()):
        page = Image.open(args.real_dir / row["file"]).convert("RGB")
        for kind, make in kinds.items():
            name = f"{row['file']}+{kind}"
            image = make(page, random.Random(zlib.crc32(name.encode())))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=JPEG_QUALITY[kind])
            started = time.process_time()
            try:
                record = extract(buffer.getvalue(), engine=engine, settings=settings, fields=FIELDS_MRZ)
                result, wrong = outcome(record, row)
                flags = sorted({w.code for w in record.warnings if w.severity == "error"})
            except PassportOcrError as error:
                result, wrong, flags = "failed", {}, [error.code]
            cpu.append(time.process_time() - started)
            counts[result] += 1
            print(f"{name:36s} {result:14s} {cpu[-1]:5.2f}s  {wrong or ''} {flags or ''}", flush=True)
    total = sum(counts.values())
    right = counts["ok"] + counts["flagged_right"]
    print(f"\n{total} cases: {right} right ({100 * right / max(total, 1):.1f} %), " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"CPU per case (decode included): median {statistics.median(cpu):.2f} s, max {max(cpu):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
