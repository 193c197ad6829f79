"""SQS (S3 ObjectCreated notifications) -> Service.process -> store.

Outcomes per SQS message, decided here once:
- processed, or the input is unusable (stored as a `failed` record): consumed;
- the object was deleted before we read it: consumed, with a warning;
- a dependency failed (ServiceError): reported as a batch item failure, so SQS retries the
  message and moves it to the DLQ after maxReceiveCount.
Logs carry keys, ids and statuses only, never passport field values.
"""

from __future__ import annotations

import json
import os
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import ClientError

from passport_ocr.errors import InputTooLarge, ServiceError, StorageUnavailable
from passport_ocr.service import Service, make_source, unread_object_source

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "PassportOcr"))
processor = BatchProcessor(event_type=EventType.SQS)
service = Service.from_env()

# What S3 answers when the object (or the version named in the event) no longer exists.
MISSING_OBJECT_CODES = {"404", "NoSuchKey", "NotFound", "NoSuchVersion"}


class ObjectGone(Exception):
    """The object named in the notification was deleted before we read it."""


def s3_objects(body: str) -> list[dict]:
    """The (bucket, key, version, size) of each object an S3 notification body names.

    Keys arrive URL-encoded with '+' for spaces. The test event S3 sends when the
    notification is configured names no object.
    """
    notification = json.loads(body)
    if notification.get("Event") == "s3:TestEvent":
        return []
    objects = []
    for s3_record in notification.get("Records", []):
        s3 = s3_record["s3"]
        objects.append(
            {
                "bucket": s3["bucket"]["name"],
                "key": unquote_plus(s3["object"]["key"]),
                "version": s3["object"].get("versionId"),
            }
        )
    return objects


def _s3_call(method, **kwargs):
    try:
        return method(**kwargs)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in MISSING_OBJECT_CODES:
            raise ObjectGone(code) from error
        raise StorageUnavailable(f"S3 {method.__name__} failed: {code}") from error


@tracer.capture_method
def ingest_object(bucket: str, key: str, version: str | None) -> None:
    location = {"Bucket": bucket, "Key": key, **({"VersionId": version} if version else {})}
    try:
        head = _s3_call(service.s3.head_object, **location)
        filename = key.rsplit("/", 1)[-1]
        content_type = head.get("ContentType")
        size = head["ContentLength"]
        if size > service.settings.max_input_bytes:
            # Checked before downloading: a huge object must not exhaust the function's memory.
            source = unread_object_source(
                bucket=bucket, key=key, version=version, size=size, filename=filename, content_type=content_type
            )
            error = InputTooLarge(f"the file has {size} bytes, the limit is {service.settings.max_input_bytes}")
            stored, _ = service.record_failure(source, error)
            logger.info("input too large", extra={"key": key, "id": str(stored.id), "status": stored.status})
            metrics.add_metric(name="ImagesFailed", unit=MetricUnit.Count, value=1)
            return
        data = _s3_call(service.s3.get_object, **location)["Body"].read()
    except ObjectGone as gone:
        logger.warning("object no longer exists, message consumed", extra={"key": key, "code": str(gone)})
        metrics.add_metric(name="ObjectsGone", unit=MetricUnit.Count, value=1)
        return
    source = make_source(data, bucket=bucket, key=key, version=version, filename=filename, content_type=content_type)
    stored, created = service.process(data, source)
    logger.info("image processed", extra={"key": key, "id": str(stored.id), "status": stored.status, "new_row": created})
    metrics.add_metric(name="ImagesFailed" if stored.status == "failed" else "ImagesExtracted", unit=MetricUnit.Count, value=1)


def record_handler(record: SQSRecord) -> None:
    for obj in s3_objects(record.body):
        try:
            ingest_object(obj["bucket"], obj["key"], obj["version"])
        except ServiceError as error:
            # The record of a transient failure: this line, the metric, and (after
            # maxReceiveCount) the message in the DLQ. Only the code is logged: a message can
            # quote a dependency's answer, e.g. a truncated OCR.Space JSON with the page's text.
            logger.warning(
                "dependency failed, message returned to the queue",
                extra={"key": obj["key"], "message_id": record.message_id, "code": error.code},
            )
            metrics.add_metric(name="ImagesRetried", unit=MetricUnit.Count, value=1)
            raise


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
