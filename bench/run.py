"""Accuracy and cost of the extraction on generated pages and on the real specimens.

    python bench/run.py [--n 200] [--seed 7] [--engine local] [--real-dir ../shared/samples/real]
                        [--fields mrz|all] [--out bench/results/<timestamp>.json]
                        [--peer NAME --peer-python PATH]

A script, not a test: it prints a table per condition and writes everything to JSON. Scores:
per-field accuracy of the MRZ fields, whole-MRZ exact match, silent errors (the record says
mrz.valid and status 'extracted' but a field is wrong: the one number that must stay at 0),
flagged (needs_review or failed), CPU seconds per page (time.process_time() around extract(),
one onnxruntime thread), and a cold start in a fresh process. See bench/README.md.
"""

from __future__ import annotations

import os

# Pin every numeric library to one core before any of them is imported: the per-page CPU
# figures are meant as "one Lambda vCPU" numbers, and the machine is shared.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OCR_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import unicodedata  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import date, datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

from passport_ocr.record import FIELD_NAMES  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REAL_DIR = ROOT.parent / "shared" / "samples" / "real"
PEERS_DIR = Path(__file__).resolve().parent / "peers"

# What the MRZ alone can give; the visual zone adds the three VIZ_FIELDS.
VIZ_FIELDS = ("date_of_issue", "place_of_birth", "authority")
MRZ_FIELDS = tuple(name for name in FIELD_NAMES if name not in VIZ_FIELDS)
# The reader decides centuries relative to "today"; generated documents are dated relative to
# the generator's fixed reference day, so that day is handed to extract() for them.
SYNTH_CONDITIONS = ("clean", "scan", "lowres", "photo", "heavy")


# --- inputs ---------------------------------------------------------------------------------
@dataclasses.dataclass
class Item:
    path: Path
    truth: dict
    group: str  # condition: clean, scan, ..., or real-td3 / real-td2 / real-td1
    today: date | None


def synthetic_items(set_dir: Path, n: int, seed: int) -> list[Item]:
    from passport_synth import REFERENCE_DATE, generate, write_set

    truth_file = set_dir / "truth.jsonl"
    truths = _read_jsonl(truth_file) if truth_file.exists() else []
    # Reuse a set on disk only if the current generator still makes the same first page.
    fresh = truths and len(truths) == n and truths[0].get("seed") == seed * 100_000 and (
        generate(truths[0]["seed"], truths[0]["condition"], truths[0]["format"]).truth.items()
        <= truths[0].items()
    )
    if not fresh:
        started = time.perf_counter()
        truths = write_set(set_dir, n, SYNTH_CONDITIONS, seed)
        print(f"generated {n} pages in {set_dir} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return [Item(set_dir / t["file"], t, t["condition"], REFERENCE_DATE) for t in truths]


def real_items(real_dir: Path) -> list[Item]:
    truth_file = real_dir / "truth.jsonl"
    if not truth_file.exists():
        print(f"no real samples at {real_dir}: skipped", file=sys.stderr)
        return []
    return [Item(real_dir / t["file"], t, t.get("condition", "real"), None) for t in _read_jsonl(truth_file)]


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# --- running our extraction -----------------------------------------------------------------
def run_ours(items: list[Item], engine_name: str, fields: str) -> list[dict]:
    from passport_ocr.engines import get_engine
    from passport_ocr.errors import PassportOcrError
    from passport_ocr.extract import extract
    from passport_ocr.settings import Settings

    settings = dataclasses.replace(Settings.from_env(), engine=engine_name, ocr_threads=1)
    engine = get_engine(settings)
    # Warm-up on the first page so model loading is not billed to a page (cold start is measured
    # separately, in a fresh process).
    try:
        extract(items[0].path.read_bytes(), engine=engine, settings=settings, fields=fields, today=items[0].today)
    except Exception:  # noqa: BLE001 - a failing page is scored below, not here
        pass
    outcomes = []
    for index, item in enumerate(items):
        data = item.path.read_bytes()
        outcome: dict = {"record": None, "error": None}
        page_text = _local_page_text()
        if page_text is not None:
            page_text.last_stage_cpu = {}  # a page whose visual zone is not read has no stages
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        try:
            record = extract(data, engine=engine, settings=settings, fields=fields, today=item.today)
            outcome["record"] = record.to_dict()
        except PassportOcrError as error:
            outcome["error"] = error.code
        except Exception as error:  # noqa: BLE001 - a crash is a finding of the benchmark
            outcome["error"] = f"crash:{type(error).__name__}:{error}"
        outcome["cpu_s"] = time.process_time() - cpu_started
        outcome["wall_s"] = time.perf_counter() - wall_started
        outcome["stage_cpu_s"] = stage_split(outcome["cpu_s"], page_text.last_stage_cpu if page_text else {})
        outcomes.append(outcome)
        if (index + 1) % 25 == 0:
            print(f"  {index + 1}/{len(items)} pages", file=sys.stderr)
    return outcomes


def _local_page_text():
    """The local engine's shared visual-zone reader, once the first page has made it."""
    from passport_ocr.viz.local_text import LocalPageText

    return LocalPageText._shared


# The stages of a page's CPU time: the visual zone's own (local_text.StageClock) and the rest
# (image decoding, the MRZ, interpreting and merging the printed text).
VIZ_STAGES = ("warp", "detect", "level", "read_first", "read_whole", "label_search", "second_reading", "marks")
STAGES = ("mrz_rest", *VIZ_STAGES)


def stage_split(total_cpu_s: float, viz_stages: dict[str, float]) -> dict[str, float]:
    """CPU seconds per stage of one page; what the visual zone does not account for is 'mrz_rest'."""
    split = {stage: viz_stages.get(stage, 0.0) for stage in VIZ_STAGES}
    split["mrz_rest"] = max(0.0, total_cpu_s - sum(split.values()))
    return split


def cold_start(item: Item, engine_name: str, fields: str) -> dict:
    """A fresh interpreter: imports, model load and the first page, as a Lambda cold start."""
    child = f"""
import json, os, time
wall0, cpu0 = time.perf_counter(), time.process_time()
from dataclasses import replace
from datetime import date
from passport_ocr.engines import get_engine
from passport_ocr.extract import extract
from passport_ocr.settings import Settings
imported = time.perf_counter()
settings = replace(Settings.from_env(), engine={engine_name!r}, ocr_threads=1)
engine = get_engine(settings)
data = open({str(item.path)!r}, "rb").read()
today = {item.today.isoformat() if item.today else None!r}
status = None
try:
    status = extract(data, engine=engine, settings=settings, fields={fields!r},
                     today=date.fromisoformat(today) if today else None).status
except Exception as error:
    status = "error:" + type(error).__name__
print(json.dumps({{"import_s": imported - wall0, "first_page_wall_s": time.perf_counter() - imported,
                  "in_process_cpu_s": time.process_time(), "status": status}}))
"""
    before = os.times()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, env=os.environ.copy())
    wall = time.perf_counter() - started
    after = os.times()
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report.update(
        wall_s=wall,
        # CPU of the whole child (interpreter start included), user + system.
        cpu_s=(after.children_user - before.children_user) + (after.children_system - before.children_system),
        file=item.path.name,
    )
    return report


# --- running a peer through its adapter ------------------------------------------------------
def run_peer(items: list[Item], name: str, python: str) -> list[dict]:
    adapter = PEERS_DIR / f"{name}_adapter.py"
    if not adapter.exists():
        raise SystemExit(f"no adapter {adapter}")
    outcomes_by_path: dict[str, dict] = {}
    batch = 20  # keeps argv short and shows progress
    for start in range(0, len(items), batch):
        paths = [str(item.path) for item in items[start : start + batch]]
        done = subprocess.run([python, str(adapter), *paths], capture_output=True, text=True)
        for line in done.stdout.splitlines():
            if line.startswith("{"):
                row = json.loads(line)
                outcomes_by_path[row["file"]] = row
        if done.returncode != 0 and not done.stdout.strip():
            print(f"peer {name} failed: {done.stderr.strip()[-500:]}", file=sys.stderr)
        print(f"  {min(start + batch, len(items))}/{len(items)} pages ({name})", file=sys.stderr)
    outcomes = []
    for item in items:
        row = outcomes_by_path.get(str(item.path), {"error": "no_output"})
        record = None
        if row.get("fields") is not None:
            record = dict(row["fields"])
            record["status"] = "extracted" if row.get("valid") else "needs_review"
            record["mrz"] = {"valid": bool(row.get("valid"))}
        outcomes.append({"record": record, "error": row.get("error"), "cpu_s": row.get("cpu_s", 0.0), "wall_s": row.get("wall_s", 0.0)})
    return outcomes


# --- scoring --------------------------------------------------------------------------------
def _norm(value) -> str | None:
    """Printed values compare without case, accents-sensitive, spaces collapsed; '' is None."""
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", str(value)).split()).casefold()
    return text or None


def _loose(value) -> str | None:
    """_norm without accents ('KØBENHAVN' ~ 'KOBENHAVN'): tells accent slips from wrong values."""
    text = _norm(value)
    if text is None:
        return None
    text = text.replace("ø", "o").replace("đ", "d").replace("ł", "l").replace("ı", "i")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _same(predicted, expected) -> bool:
    return (predicted or None) == (expected or None)


def score(item: Item, outcome: dict) -> dict:
    truth, record = item.truth, outcome["record"]
    predicted = record or {}
    mrz_fields = [f for f in MRZ_FIELDS if f in truth]
    field_ok = {f: record is not None and _same(predicted.get(f), truth[f]) for f in mrz_fields}
    # A cut MRZ name completed from the printed page (in MRZ letters) is right too.
    for field in ("surname", "given_names"):
        full = truth.get(f"full_{field}_mrz")
        if field in field_ok and not field_ok[field] and full and record is not None:
            field_ok[field] = predicted.get(field) == full
    viz_ok = {
        f: record is not None and _norm(predicted.get(f)) == _norm(truth[f])
        for f in VIZ_FIELDS
        if truth.get(f) is not None
    }
    viz_ok_loose = {f: record is not None and _loose(predicted.get(f)) == _loose(truth[f]) for f in viz_ok}
    # A visual-zone value read wrong, or given where the page prints none, with no warning on
    # its field: the visual zone's silent errors (those of the MRZ show in the record's status).
    flagged_fields = {w.get("field") for w in predicted.get("warnings", []) if w.get("severity", "error") == "error"}
    viz_given = [f for f in VIZ_FIELDS if f in truth and record is not None and predicted.get(f) is not None]
    viz_unflagged_wrong = [f for f in viz_given if _norm(predicted[f]) != _norm(truth[f]) and f not in flagged_fields]
    viz_invented = [f for f in viz_given if truth[f] is None]
    mrz_exact = record is not None and all(field_ok.values())
    status = predicted.get("status", "failed") if record is not None else "failed"
    claims_valid = bool((predicted.get("mrz") or {}).get("valid"))
    # Whole record: every field right, names in full as printed (the MRZ may have cut them).
    # The record may give full names as printed (accents) or in MRZ letters (transliterated).
    names_full_ok = True
    for field in ("surname", "given_names"):
        accepted = {
            _norm(truth.get(f"full_{field}", truth.get(field))),
            _norm(truth.get(f"full_{field}_mrz", truth.get(field))),
        }
        got = predicted.get(f"full_{field}", predicted.get(field))
        names_full_ok &= record is not None and _norm(got) in accepted
    others_ok = all(ok for f, ok in field_ok.items() if f not in ("surname", "given_names"))
    return {
        "file": item.path.name,
        "group": item.group,
        "format": truth.get("format") or _format_of(truth.get("mrz")),
        "status": status,
        "error": outcome.get("error"),
        "field_ok": field_ok,
        "viz_ok": viz_ok,
        "viz_ok_loose": viz_ok_loose,
        "viz_unflagged_wrong": viz_unflagged_wrong,
        "viz_invented": viz_invented,
        "mrz_exact": mrz_exact,
        "silent_error": record is not None and status == "extracted" and claims_valid and not mrz_exact,
        "flagged": status in ("needs_review", "failed"),
        "whole_record_exact": record is not None and others_ok and all(viz_ok.values()) and names_full_ok
        and len(viz_ok) == sum(1 for f in VIZ_FIELDS if truth.get(f) is not None),
        "wrong": {f: {"got": predicted.get(f), "want": truth[f]} for f, ok in field_ok.items() if not ok and record is not None},
        "viz_wrong": {f: {"got": predicted.get(f), "want": truth[f]} for f, ok in viz_ok.items() if not ok and record is not None},
        # Why a record was flagged, and what the reader saw when it got a field wrong.
        "flag_reasons": sorted({w["code"] for w in predicted.get("warnings", []) if w.get("severity", "error") == "error"}),
        "mrz_read": (predicted.get("mrz") or {}).get("lines") if record is not None and not mrz_exact else None,
        "cpu_s": outcome.get("cpu_s", 0.0),
        "wall_s": outcome.get("wall_s", 0.0),
        "stage_cpu_s": outcome.get("stage_cpu_s"),
    }


def _format_of(lines) -> str | None:
    if not lines:
        return None
    return {(3, 30): "TD1", (2, 36): "TD2", (2, 44): "TD3"}.get((len(lines), len(lines[0])))


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summarize(scores: list[dict]) -> dict:
    count = len(scores)
    per_field = {}
    for field in MRZ_FIELDS + VIZ_FIELDS:
        key = "viz_ok" if field in VIZ_FIELDS else "field_ok"
        scored = [s[key][field] for s in scores if field in s[key]]
        per_field[field] = round(sum(scored) / len(scored), 4) if scored else None
    cpu = [s["cpu_s"] for s in scores]
    loose = {}
    for field in VIZ_FIELDS:
        scored = [s["viz_ok_loose"][field] for s in scores if field in s["viz_ok_loose"]]
        loose[field] = round(sum(scored) / len(scored), 4) if scored else None
    return {
        "pages": count,
        "field_accuracy": per_field,
        "viz_accuracy_ignoring_accents": loose,
        "mrz_exact": round(sum(s["mrz_exact"] for s in scores) / count, 4) if count else None,
        "whole_record_exact": round(sum(s["whole_record_exact"] for s in scores) / count, 4) if count else None,
        "silent_errors": sum(s["silent_error"] for s in scores),
        "viz_unflagged_wrong": sum(len(s.get("viz_unflagged_wrong", [])) for s in scores),
        "viz_invented": sum(len(s.get("viz_invented", [])) for s in scores),
        "flagged": sum(s["flagged"] for s in scores),
        "failed": sum(s["status"] == "failed" for s in scores),
        "crashes": sum(bool(s["error"]) and str(s["error"]).startswith("crash:") for s in scores),
        # Automation: records a client can take as they are; over-flagging: flagged yet right.
        "extracted_and_right": sum(s["status"] == "extracted" and s["mrz_exact"] for s in scores),
        "flagged_but_right": sum(s["flagged"] and s["mrz_exact"] for s in scores),
        "flag_reasons": dict(Counter(code for s in scores for code in s["flag_reasons"]).most_common()),
        "errors": dict(Counter(s["error"] for s in scores if s["error"]).most_common()),
        "cpu_s_median": round(statistics.median(cpu), 3) if cpu else None,
        "cpu_s_p95": round(_percentile(cpu, 0.95), 3) if cpu else None,
        # Per stage: median and mean CPU seconds (medians of parts do not add up to the whole).
        "stage_cpu_s_median": _stage_stat(scores, statistics.median),
        "stage_cpu_s_mean": _stage_stat(scores, statistics.fmean),
    }


def _stage_stat(scores: list[dict], stat) -> dict[str, float] | None:
    timed = [s["stage_cpu_s"] for s in scores if s.get("stage_cpu_s")]
    if not timed:
        return None
    return {stage: round(stat([t.get(stage, 0.0) for t in timed]), 3) for stage in STAGES}


def group_summaries(scores: list[dict]) -> dict[str, dict]:
    groups: dict[str, list[dict]] = {}
    for s in scores:
        groups.setdefault(s["group"], []).append(s)
        groups.setdefault("synthetic (all)" if not s["group"].startswith("real") else "real (all)", []).append(s)
    order = list(SYNTH_CONDITIONS) + ["synthetic (all)"] + sorted(g for g in groups if g.startswith("real-")) + ["real (all)"]
    return {g: summarize(groups[g]) for g in order if g in groups}


# --- output ---------------------------------------------------------------------------------
def print_table(title: str, summaries: dict[str, dict], by_format: dict[str, dict]) -> None:
    short = {"document_type": "type", "document_code": "code", "issuing_country": "issuer", "surname": "surname",
             "given_names": "given", "document_number": "number", "nationality": "nation", "date_of_birth": "birth",
             "sex": "sex", "date_of_expiry": "expiry", "personal_number": "persno", "date_of_issue": "issue",
             "place_of_birth": "pob", "authority": "auth"}
    print(f"\n== {title}")
    head = (f"{'group':16s} {'n':>4s} {'mrz_ok':>6s} {'silent':>6s} {'flag':>5s} {'fail':>5s} {'auto':>5s} {'flagok':>6s} "
            f"{'cpu_med':>7s} {'cpu_p95':>7s} {'record':>6s}")
    print(head)
    for group, s in summaries.items():
        print(f"{group:16s} {s['pages']:4d} {_pct(s['mrz_exact']):>6s} {s['silent_errors']:6d} {s['flagged']:5d} "
              f"{s['failed']:5d} {s['extracted_and_right']:5d} {s['flagged_but_right']:6d} "
              f"{_num(s['cpu_s_median']):>7s} {_num(s['cpu_s_p95']):>7s} {_pct(s['whole_record_exact']):>6s}")
    if any(s["stage_cpu_s_median"] for s in summaries.values()):
        print("\nCPU s per stage, median (mean)")
        print(f"{'group':16s} " + " ".join(f"{stage:>14s}" for stage in STAGES))
        for group, s in summaries.items():
            if s["stage_cpu_s_median"]:
                print(f"{group:16s} " + " ".join(
                    f"{s['stage_cpu_s_median'][stage]:6.3f} ({s['stage_cpu_s_mean'][stage]:.3f})" for stage in STAGES))
    print("\nper-field accuracy (%)")
    fields = MRZ_FIELDS + VIZ_FIELDS
    print(f"{'group':16s} " + " ".join(f"{short[f]:>7s}" for f in fields))
    for group, s in summaries.items():
        print(f"{group:16s} " + " ".join(f"{_pct(s['field_accuracy'][f]):>7s}" for f in fields))
    print("\nvisual-zone accuracy ignoring accents (%): issue / pob / auth; fields wrong with no warning on them, values where none is printed")
    for group, s in summaries.items():
        print(f"{group:16s} " + " ".join(f"{_pct(s['viz_accuracy_ignoring_accents'][f]):>7s}" for f in VIZ_FIELDS)
              + f"   unflagged wrong {s['viz_unflagged_wrong']:3d}   invented {s['viz_invented']:3d}")
    if by_format:
        print("\ngenerated pages by format (n, mrz_ok, silent, flag, fail)")
        for doc_format, s in by_format.items():
            print(f"{doc_format:16s} {s['pages']:4d} {_pct(s['mrz_exact']):>6s} {s['silent_errors']:6d} {s['flagged']:5d} {s['failed']:5d}")
    print("\nwhy flagged (warning codes of severity error; errors of failed pages)")
    for group, s in summaries.items():
        reasons = ", ".join(f"{code} {count}" for code, count in {**s["flag_reasons"], **s["errors"]}.items())
        print(f"{group:16s} {reasons or '-'}")


def _pct(value) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _num(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="generated pages (conditions in turn)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engine", default="local", help="local or ocrspace")
    parser.add_argument("--real-dir", default=str(DEFAULT_REAL_DIR), help="real specimens with truth.jsonl ('' to skip)")
    parser.add_argument("--fields", choices=("mrz", "all"), default="all")
    parser.add_argument("--out", type=Path, default=None, help="JSON report (default bench/results/<timestamp>.json)")
    parser.add_argument("--set-dir", type=Path, default=None, help="where the generated pages go (reused when complete)")
    parser.add_argument("--peer", default=None, help="score a peer MRZ reader instead: passporteye, readmrz, blitzid")
    parser.add_argument("--peer-python", default=None, help="the python of the peer's own virtualenv")
    parser.add_argument("--no-cold-start", action="store_true")
    args = parser.parse_args(argv)
    if args.peer and not args.peer_python:
        parser.error("--peer needs --peer-python")

    set_dir = args.set_dir or Path(tempfile.gettempdir()) / f"passport-bench-n{args.n}-seed{args.seed}"
    items = synthetic_items(set_dir, args.n, args.seed) if args.n > 0 else []
    if args.real_dir:
        items += real_items(Path(args.real_dir))
    if not items:
        parser.error("nothing to run: --n 0 and no real samples")

    started = time.perf_counter()
    if args.peer:
        runner = f"peer:{args.peer}"
        outcomes = run_peer(items, args.peer, args.peer_python)
    else:
        runner = f"passport_ocr:{args.engine}"
        outcomes = run_ours(items, args.engine, args.fields)
    elapsed = time.perf_counter() - started
    scores = [score(item, outcome) for item, outcome in zip(items, outcomes)]
    summaries = group_summaries(scores)
    formats: dict[str, list[dict]] = {}
    for s in scores:
        if not s["group"].startswith("real"):
            formats.setdefault(s["format"], []).append(s)
    by_format = {f: summarize(formats[f]) for f in sorted(formats)}

    cold = None
    if not args.peer and not args.no_cold_start:
        cold = cold_start(items[0], args.engine, args.fields)

    print_table(f"{runner}  fields={args.fields}  n={args.n} seed={args.seed}  ({elapsed:.0f} s)", summaries, by_format)
    if cold:
        if "error" in cold:
            print(f"\ncold start: failed ({cold['error']})")
        else:
            print(f"\ncold start (fresh process, import + model load + first page {cold['file']}): "
                  f"wall {cold['wall_s']:.2f} s, CPU {cold['cpu_s']:.2f} s "
                  f"(import {cold['import_s']:.2f} s, model load + page {cold['first_page_wall_s']:.2f} s, status {cold['status']})")

    report = {
        "runner": runner,
        "started_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "args": {k: str(v) for k, v in vars(args).items()},
        "set_dir": str(set_dir),
        "elapsed_s": round(elapsed, 1),
        "summary": summaries,
        "summary_by_format": by_format,
        "cold_start": cold,
        "pages": scores,
    }
    out = args.out or ROOT / "bench" / "results" / f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
