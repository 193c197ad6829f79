"""Measure the VIZ stage: date_of_issue accuracy and CPU seconds per page.

    .venv/bin/python -m passport_ocr.viz.evaluate --real /work/shared/samples/real --synth 50

Runs the offline engine's MRZ reading, then the VIZ stage, on the real specimens (truth.jsonl)
and on generated pages (passport_synth, when installed). CPU time is process time with
onnxruntime on one thread, so it is the cost on one core. A development tool, not used by
the product.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date
from pathlib import Path

from ..engines import get_engine
from ..errors import PassportOcrError
from ..extract import best_mrz_reading
from ..imaging.load import load_image
from ..record import Record
from ..settings import Settings
from . import page_lines_for, apply_printed_text

VIZ_FIELDS = ("date_of_issue", "place_of_birth", "authority")


def _read(engine, data: bytes, today: date) -> tuple[Record | None, float, float]:
    started = time.process_time()
    image = load_image(data, max_bytes=10**9, max_pixels=10**9)
    try:
        best, best_reading = best_mrz_reading(engine, image, today)
    except PassportOcrError:
        return None, time.process_time() - started, 0.0
    mrz_cpu = time.process_time() - started
    record = Record(fields=dict(best.fields), confidence=dict(best.confidence), warnings=list(best.warnings), mrz=best.info)
    viz_started = time.process_time()
    lines = page_lines_for(engine, image, best_reading, best.info.format)
    if lines is not None:
        apply_printed_text(record, lines)
    return record, mrz_cpu, time.process_time() - viz_started


def _same(field: str, got: str | None, want: str | None) -> bool:
    if field == "date_of_issue" or got is None or want is None:
        return got == want
    return " ".join(got.upper().split()) == " ".join(want.upper().split())


def evaluate(cases, engine, today: date, verbose: bool) -> dict:
    hits = {f: 0 for f in VIZ_FIELDS}
    counted = {f: 0 for f in VIZ_FIELDS}  # pages whose truth has the field (null = not printed)
    mrz_cpu, viz_cpu, total_cpu = [], [], []
    for name, data, truth in cases:
        record, mrz_s, viz_s = _read(engine, data, today)
        mrz_cpu.append(mrz_s)
        viz_cpu.append(viz_s)
        total_cpu.append(mrz_s + viz_s)
        got = record.fields if record else {}
        for f in VIZ_FIELDS:
            if f in truth:
                counted[f] += 1
                hits[f] += _same(f, got.get(f), truth.get(f))
        if verbose:
            marks = " ".join(f"{f}={got.get(f)!r}{'' if _same(f, got.get(f), truth.get(f)) else ' (want ' + repr(truth.get(f)) + ')'}" for f in VIZ_FIELDS)
            print(f"{name:34s} mrz {mrz_s:.2f}s viz {viz_s:.2f}s  {marks}")
    n = len(total_cpu)
    return {
        "pages": n,
        **{f"{f}_accuracy": f"{hits[f]}/{counted[f]}" for f in VIZ_FIELDS if counted[f]},
        "median_cpu_s_total": round(statistics.median(total_cpu), 3),
        "median_cpu_s_mrz": round(statistics.median(mrz_cpu), 3),
        "median_cpu_s_viz": round(statistics.median(viz_cpu), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, help="folder with truth.jsonl and the images")
    parser.add_argument("--synth", type=int, default=0, help="number of generated pages")
    parser.add_argument("--condition", action="append", help="passport_synth condition(s); default: all")
    parser.add_argument("--format", default=None, help="passport_synth document format (default: the generator's mix)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    engine = get_engine(Settings(ocr_threads=1))
    if args.real:
        with open(args.real / "truth.jsonl") as fh:
            truths = [json.loads(line) for line in fh if line.strip()]
        cases = [(t["file"], (args.real / t["file"]).read_bytes(), t) for t in truths]
        print("real", json.dumps(evaluate(cases, engine, date(2026, 1, 1), args.verbose)))
    if args.synth:
        import passport_synth
        from passport_synth.generate import pick_format

        conditions = args.condition or list(passport_synth.CONDITIONS)
        cases = []
        for i in range(args.synth):
            condition = conditions[i % len(conditions)]
            doc_format = args.format or pick_format(1, i)
            sample = passport_synth.generate(seed=1000 + i, condition=condition, doc_format=doc_format)
            cases.append((f"synth{1000 + i}-{condition}-{doc_format}", sample.data, sample.truth))
        print("synth", json.dumps(evaluate(cases, engine, passport_synth.REFERENCE_DATE, args.verbose)))


if __name__ == "__main__":
    main()
