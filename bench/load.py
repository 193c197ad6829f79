"""Load on the local stack: N concurrent POST /upload, then a burst of M images into the bucket.

A bounded script, not a test. It starts the local stack in-process (PostgreSQL, moto S3/SQS, the
API and the queue poller on free loopback ports, data in a temporary directory, the offline
engine), sends generated pages with distinct seeds (so every SHA-256 differs), waits until every
image is one record (extracted, needs_review or failed) or `--timeout` passes, prints the numbers
and stops the stack.

    .venv/bin/python bench/load.py --uploads 20 --drops 40 --concurrency 4

Exit status 0 when every image ended as exactly one record and nothing is left on the queue or
in the DLQ; 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "synth"))

CONDITIONS = ("clean", "scan", "photo")
SEED_BASE = 910_000


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def latency_summary(values: list[float]) -> dict:
    return {
        "count": len(values),
        "p50_s": round(percentile(values, 0.50), 3),
        "p95_s": round(percentile(values, 0.95), 3),
        "max_s": round(max(values), 3) if values else None,
        "mean_s": round(statistics.fmean(values), 3) if values else None,
    }


def generate_pages(count: int, first_seed: int) -> list:
    import passport_synth

    return [passport_synth.generate(first_seed + i, CONDITIONS[i % len(CONDITIONS)]) for i in range(count)]


def post_upload(session, url: str, token: str, page, index: int) -> tuple[float, int, dict]:
    started = time.monotonic()
    response = session.post(
        f"{url}/upload",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": (f"load-{index}.{page.extension}", page.data, f"image/{'png' if page.extension == 'png' else 'jpeg'}")},
        timeout=120,
    )
    elapsed = time.monotonic() - started
    try:
        body = response.json()
    except ValueError:
        body = {"raw": response.text[:200]}
    return elapsed, response.status_code, body


def run_uploads(info, pages: list, concurrency: int) -> dict:
    import requests

    local = threading.local()

    def one(item):
        index, page = item
        if not hasattr(local, "session"):
            local.session = requests.Session()
        return post_upload(local.session, info.api_url, info.api_token, page, index)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, enumerate(pages)))
    wall = time.monotonic() - started
    statuses: dict[str, int] = {}
    for _, status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "images": len(pages),
        "concurrency": concurrency,
        "wall_s": round(wall, 2),
        "throughput_per_s": round(len(pages) / wall, 2) if wall else None,
        "latency": latency_summary([elapsed for elapsed, _, _ in results]),
        "http_statuses": statuses,
        "ids": [body.get("id") for _, _, body in results],
    }


def rows_by_key(database_url: str, prefix: str) -> dict[str, tuple[str, float]]:
    import psycopg2

    conn = psycopg2.connect(database_url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT source_key, status, extract(epoch FROM created_at) FROM extractions WHERE source_key LIKE %s",
                (prefix + "%",),
            )
            return {key: (status, float(created)) for key, status, created in cur.fetchall()}
    finally:
        conn.close()


def run_drops(info, pages: list, timeout_s: float) -> dict:
    from passport_ocr_local import aws

    s3 = aws.client("s3", info.endpoint_url, info.region)
    prefix = f"uploads/load-{int(time.time())}/"
    put_at: dict[str, float] = {}
    started = time.time()
    for index, page in enumerate(pages):
        key = f"{prefix}page-{index}.{page.extension}"
        s3.put_object(Bucket=info.bucket, Key=key, Body=page.data)
        put_at[key] = time.time()
    burst_s = time.time() - started

    deadline = time.monotonic() + timeout_s
    rows: dict = {}
    while time.monotonic() < deadline:
        rows = rows_by_key(info.database_url, prefix)
        if len(rows) >= len(pages):
            break
        time.sleep(0.5)
    done_at = max((created for _, created in rows.values()), default=time.time())
    wall = done_at - started
    statuses: dict[str, int] = {}
    for status, _ in rows.values():
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "images": len(pages),
        "burst_put_s": round(burst_s, 2),
        "wall_s": round(wall, 2),
        "throughput_per_s": round(len(rows) / wall, 2) if wall > 0 else None,
        # From the PUT to the row's commit (created_at): queueing included.
        "latency": latency_summary([created - put_at[key] for key, (_, created) in rows.items() if key in put_at]),
        "records": len(rows),
        "statuses": statuses,
        "missing": sorted(set(put_at) - set(rows)),
    }


def queue_depths(info) -> dict:
    from passport_ocr_local import aws

    sqs = aws.client("sqs", info.endpoint_url, info.region)
    depths = {}
    for name, url in (("queue", info.queue_url), ("dlq", info.dlq_url)):
        attributes = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        depths[name] = int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
    return depths


def duplicate_shas(database_url: str) -> int:
    import psycopg2

    conn = psycopg2.connect(database_url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) - count(DISTINCT image_sha256), count(*) FROM extractions")
            duplicates, total = cur.fetchone()
            return int(duplicates), int(total)
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uploads", type=int, default=20, help="images sent to POST /upload (N)")
    parser.add_argument("--drops", type=int, default=40, help="images put into the bucket at once (M)")
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent POST /upload clients")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the dropped images' records")
    parser.add_argument("--data-dir", type=Path, help="the stack's data directory (default: a temporary one)")
    parser.add_argument("--out", type=Path, help="also write the summary as JSON here")
    args = parser.parse_args(argv)
    if args.uploads < 0 or args.drops < 0 or args.uploads + args.drops > 500:
        parser.error("keep 0 <= N, M and N + M <= 500: this is a bounded bench")

    # The offline engine, whatever the developer's environment says.
    for name in [n for n in os.environ if n.startswith("OCRSPACE_")]:
        del os.environ[name]
    os.environ["PASSPORT_OCR_ENGINE"] = "local"

    from passport_ocr_local.stack import LocalStack, StackOptions

    print(f"generating {args.uploads + args.drops} pages ...", file=sys.stderr)
    pages = generate_pages(args.uploads + args.drops, SEED_BASE)
    upload_pages, drop_pages = pages[: args.uploads], pages[args.uploads :]

    with tempfile.TemporaryDirectory(prefix="passport-load-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        options = StackOptions(data_dir=data_dir, api_port=0, moto_port=0, poller=True, log_level="WARNING")
        with LocalStack(options, log=lambda message: print(f"  {message}", file=sys.stderr)) as stack:
            info = stack.info
            summary = {"engine": "local", "cpus": os.cpu_count()}
            if upload_pages:
                print(f"POST /upload x {len(upload_pages)}, {args.concurrency} at a time ...", file=sys.stderr)
                summary["uploads"] = run_uploads(info, upload_pages, args.concurrency)
            if drop_pages:
                print(f"putting {len(drop_pages)} images into the bucket ...", file=sys.stderr)
                summary["drops"] = run_drops(info, drop_pages, args.timeout)
            deadline = time.monotonic() + 30
            while not stack.queue_idle() and time.monotonic() < deadline:
                time.sleep(0.5)
            summary["queues_after"] = queue_depths(info)
            duplicates, total = duplicate_shas(info.database_url)
            summary["rows"] = {"total": total, "duplicate_sha256": duplicates}
            summary["poller"] = {
                "batches": stack.poller.stats.batches,
                "succeeded": stack.poller.stats.succeeded,
                "failed": stack.poller.stats.failed,
                "handler_errors": stack.poller.stats.handler_errors[:5],
            }

    uploads_ok = not upload_pages or (
        sum(v for k, v in summary["uploads"]["http_statuses"].items() if k.startswith("2") or k == "422") == len(upload_pages)
        and len(set(summary["uploads"]["ids"])) == len(upload_pages)
    )
    drops_ok = not drop_pages or (summary["drops"]["records"] == len(drop_pages) and not summary["drops"]["missing"])
    exactly_once = (
        summary["rows"]["total"] == len(pages)
        and summary["rows"]["duplicate_sha256"] == 0
        and summary["queues_after"] == {"queue": 0, "dlq": 0}
    )
    summary["every_image_exactly_one_record"] = bool(uploads_ok and drops_ok and exactly_once)
    if "uploads" in summary:
        summary["uploads"].pop("ids")
    text = json.dumps(summary, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0 if summary["every_image_exactly_one_record"] else 1


if __name__ == "__main__":
    sys.exit(main())
