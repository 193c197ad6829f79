"""What AWS sends the ingest handler, built from the sample events in events/."""

from __future__ import annotations

import copy
import json
import uuid
from urllib.parse import quote_plus

from support.paths import load_event


def s3_event_body(bucket: str, *objects: tuple[str, str | None]) -> str:
    """An S3 notification body (from events/sqs_s3_put.json) naming the given (key, version)s."""
    template = json.loads(load_event("sqs_s3_put.json")["Records"][0]["body"])["Records"][0]
    records = []
    for key, version in objects:
        record = copy.deepcopy(template)
        record["s3"]["bucket"]["name"] = bucket
        record["s3"]["bucket"]["arn"] = f"arn:aws:s3:::{bucket}"
        # S3 URL-encodes keys in notifications, spaces as '+'.
        record["s3"]["object"]["key"] = quote_plus(key, safe="/")
        if version:
            record["s3"]["object"]["versionId"] = version
        else:
            record["s3"]["object"].pop("versionId", None)
        records.append(record)
    return json.dumps({"Records": records})


def sqs_event(*bodies: str) -> dict:
    """An SQS event (from events/sqs_s3_put.json) with one message per body."""
    event = load_event("sqs_s3_put.json")
    template = event["Records"][0]
    event["Records"] = []
    for body in bodies:
        record = copy.deepcopy(template)
        record["messageId"] = str(uuid.uuid4())
        record["body"] = body
        event["Records"].append(record)
    return event
