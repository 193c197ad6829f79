"""Dead-letter messages back to the main queue, once the cause of their failures is fixed."""

from __future__ import annotations

from dataclasses import dataclass, field

BATCH = 10
# Received messages stay hidden this long: a message we could not move is not received twice
# in one run, and reappears in the DLQ afterwards.
HIDE_S = 60


@dataclass
class RedriveResult:
    moved: int = 0
    failed: list[str] = field(default_factory=list)  # "message id: reason"


def redrive(sqs, dlq_url: str, queue_url: str, limit: int | None = None) -> RedriveResult:
    """Move up to `limit` messages (all by default) from `dlq_url` to `queue_url`.

    A message is deleted from the DLQ only after the main queue accepted its copy, so a crash
    in between duplicates a message (the pipeline is idempotent) and never loses one.
    """
    result = RedriveResult()
    while limit is None or result.moved + len(result.failed) < limit:
        wanted = BATCH if limit is None else min(BATCH, limit - result.moved - len(result.failed))
        messages = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=wanted,
            WaitTimeSeconds=1,
            VisibilityTimeout=HIDE_S,
            MessageAttributeNames=["All"],
        ).get("Messages") or []
        if not messages:
            break
        entries = []
        for index, message in enumerate(messages):
            entry = {"Id": str(index), "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                entry["MessageAttributes"] = message["MessageAttributes"]
            entries.append(entry)
        sent = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        for failure in sent.get("Failed") or []:
            message = messages[int(failure["Id"])]
            result.failed.append(f"{message['MessageId']}: {failure.get('Message') or failure.get('Code')}")
        moved = [messages[int(ok["Id"])] for ok in sent.get("Successful") or []]
        if moved:
            sqs.delete_message_batch(
                QueueUrl=dlq_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(moved)],
            )
        result.moved += len(moved)
    return result
