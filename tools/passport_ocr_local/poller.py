"""Lambda's SQS event source mapping, in a thread: receive a batch, invoke, delete the successes."""

from __future__ import annotations

import hashlib
import sys
import threading
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

BATCH_SIZE = 10
# Long polling keeps the loop idle without spinning, and short enough that stop() is prompt.
WAIT_TIME_S = 1


def sqs_event(messages: list[dict], queue_arn: str, region: str) -> dict:
    """The event Lambda builds from a ReceiveMessage result."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": dict(message.get("Attributes") or {}),
                "messageAttributes": {
                    name: _message_attribute(value)
                    for name, value in (message.get("MessageAttributes") or {}).items()
                },
                "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for message in messages
        ]
    }


def failed_message_ids(result: Any, event: dict) -> set[str]:
    """The messages that stay on the queue, per Lambda's ReportBatchItemFailures rules.

    An invalid response or an empty identifier fails the whole batch, as Lambda does.
    """
    all_ids = {record["messageId"] for record in event["Records"]}
    if result is None:
        return set()
    if not isinstance(result, dict):
        return all_ids
    failures = result.get("batchItemFailures") or []
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in all_ids:
            return all_ids
        failed.add(identifier)
    return failed


def _message_attribute(value: dict) -> dict:
    return {
        "stringValue": value.get("StringValue"),
        "binaryValue": value.get("BinaryValue"),
        "stringListValues": value.get("StringListValues", []),
        "binaryListValues": value.get("BinaryListValues", []),
        "dataType": value.get("DataType"),
    }


@dataclass
class PollerStats:
    batches: int = 0
    succeeded: int = 0
    failed: int = 0
    handler_errors: list[str] = field(default_factory=list)


class SqsPoller:
    def __init__(
        self,
        sqs,
        queue_url: str,
        queue_arn: str,
        region: str,
        invoke: Callable[[dict], Any],
        log: Callable[[str], None] | None = None,
    ):
        self._sqs = sqs
        self._queue_url = queue_url
        self._queue_arn = queue_arn
        self._region = region
        self._invoke = invoke
        self._log = log or (lambda message: None)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.stats = PollerStats()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sqs-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def poll_once(self) -> int:
        """One receive -> invoke -> delete round; returns how many messages it received."""
        response = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=BATCH_SIZE,
            WaitTimeSeconds=WAIT_TIME_S,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages") or []
        if not messages:
            return 0
        event = sqs_event(messages, self._queue_arn, self._region)
        try:
            failed = failed_message_ids(self._invoke(event), event)
        except Exception as exc:
            # A raising handler returns the whole batch to the queue (visible again after the
            # visibility timeout; the redrive policy moves it to the DLQ after maxReceiveCount).
            traceback.print_exc(file=sys.stderr)
            self.stats.handler_errors.append(f"{type(exc).__name__}: {exc}")
            failed = {record["messageId"] for record in event["Records"]}
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), BATCH_SIZE):
            chunk = done[start : start + BATCH_SIZE]
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        self.stats.batches += 1
        self.stats.succeeded += len(done)
        self.stats.failed += len(failed)
        self._log(f"ingest batch of {len(messages)}: {len(done)} done, {len(failed)} back to the queue")
        return len(messages)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception as exc:
                # The queue itself failed (moto stopping, network): report and keep polling
                # until stopped, as the event source mapping does.
                if not self._stop.is_set():
                    self._log(f"poller: {type(exc).__name__}: {exc}")
                    self._stop.wait(1.0)
