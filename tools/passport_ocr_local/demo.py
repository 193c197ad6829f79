"""`make run`'s demonstration: the bundled sample through both entry points, then what to try."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable

import requests

from . import aws
from .handlers import ROOT
from .stack import LocalStack
from .waiting import wait_for

SAMPLE = ROOT / "samples" / "sample_passport.jpg"
DEMO_KEY_PREFIX = "uploads/demo/"
# First extraction loads the ONNX models; a slow laptop needs well under a minute for both.
RECORD_TIMEOUT_S = 180


class DemoFailed(RuntimeError):
    pass


def run_demo(stack: LocalStack, sample: Path = SAMPLE, out: Callable[[str], None] = print) -> dict:
    """Uploads `sample` through S3 and through POST /upload; returns the stored record (API shape)."""
    from passport_ocr.store import Repository

    info = stack.info
    data = Path(sample).read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    key = DEMO_KEY_PREFIX + Path(sample).name
    repository = Repository.from_dsn(info.database_url)
    try:
        out(f"\n1) S3: putting {Path(sample).name} into s3://{info.bucket}/{key} -> queue -> ingest function")
        aws.client("s3", info.endpoint_url, info.region).put_object(
            Bucket=info.bucket, Key=key, Body=data, ContentType=_content_type(sample)
        )
        stored = wait_for(
            lambda: stack.queue_idle() and repository.get_by_sha256(sha256),
            timeout_s=RECORD_TIMEOUT_S,
            what=f"the record of s3://{info.bucket}/{key} (run with --verbose to see the ingest logs)",
        )
        from_s3 = stored.to_api()
        out(json.dumps(from_s3, indent=2, ensure_ascii=False))
    finally:
        repository.close()

    if info.api_url:
        out(f"\n2) API: POST {info.api_url}/upload with the same image")
        response = requests.post(
            f"{info.api_url}/upload",
            headers={"Authorization": f"Bearer {info.api_token}"},
            files={"file": (Path(sample).name, data, _content_type(sample))},
            timeout=RECORD_TIMEOUT_S,
        )
        try:
            body = response.json()
        except ValueError:
            body = {"body": response.text}
        if response.ok and body.get("id") == from_s3["id"]:
            out(f"HTTP {response.status_code}: the same record {body['id']} (one image, one record: "
                "records are keyed by the image's SHA-256)")
        else:
            out(f"HTTP {response.status_code}:")
            out(json.dumps(body, indent=2, ensure_ascii=False))
        if not response.ok:
            raise DemoFailed(f"POST /upload answered {response.status_code} (run with --verbose for the API's logs)")
    return from_s3


def next_steps(stack: LocalStack) -> str:
    info = stack.info
    lines = ["", "The local stack is running. Try:"]
    if info.api_url:
        auth = f"-H 'Authorization: Bearer {info.api_token}'"
        lines += [
            f"  curl {auth} -F file=@my.jpg {info.api_url}/upload",
            f"  curl {auth} '{info.api_url}/passports?limit=10'",
            f"  curl {info.api_url}/            # health, no token needed",
            f"  open {info.api_url}/swagger     # API docs",
        ]
    lines += [
        "  # drop a file into the bucket: the S3 notification queues it, the poller extracts it",
        f"  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION={info.region} \\",
        f"    aws --endpoint-url {info.endpoint_url} s3 cp my.jpg s3://{info.bucket}/uploads/my.jpg",
        f"  .venv/bin/python -c \"import boto3; boto3.client('s3', endpoint_url='{info.endpoint_url}', "
        f"region_name='{info.region}', aws_access_key_id='testing', aws_secret_access_key='testing')"
        f".upload_file('my.jpg', '{info.bucket}', 'uploads/my.jpg')\"",
        "  .venv/bin/passport-ocr ingest DIR      # every image of a folder, with a summary",
        "  .venv/bin/passport-ocr redrive         # DLQ messages back to the queue",
        "Ctrl-C stops everything.",
    ]
    return "\n".join(lines)


def _content_type(path: Path) -> str:
    suffix = Path(path).suffix.lower()
    content_types = {
        ".png": "image/png", ".tif": "image/tiff", ".tiff": "image/tiff", ".webp": "image/webp", ".pdf": "application/pdf",
    }
    return content_types.get(suffix, "image/jpeg")
