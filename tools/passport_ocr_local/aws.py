"""moto's S3 and SQS on loopback, provisioned like template.yaml provisions the real ones."""

from __future__ import annotations

import json
from dataclasses import dataclass

import boto3

from .ports import LOOPBACK

REGION = "us-east-1"
# moto accepts any credentials; fixed dummy ones keep a developer's real AWS profile out of it.
LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

BUCKET_NAME = "passport-ocr-local-uploads"
QUEUE_NAME = "passport-ocr-local-ingest"
DLQ_NAME = "passport-ocr-local-ingest-dlq"
UPLOAD_PREFIX = "uploads/"
# The suffixes the template's bucket notification sends to the queue (one S3 filter per suffix):
# images, and PDFs (their first page is read).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".pdf")
# The template sets the visibility timeout to 6x the function timeout; locally the poller runs
# one batch at a time in-process, and a failed message should come back within a minute so a
# developer sees retries and the move to the DLQ without waiting a quarter of an hour.
VISIBILITY_TIMEOUT_S = 30
MAX_RECEIVE_COUNT = 3
DLQ_RETENTION_S = 14 * 24 * 3600


@dataclass(frozen=True)
class AwsResources:
    endpoint_url: str
    region: str
    bucket: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    dlq_arn: str


def client(service: str, endpoint_url: str, region: str = REGION):
    return boto3.client(service, endpoint_url=endpoint_url, region_name=region, **LOCAL_CREDENTIALS)


class MotoServer:
    """moto's threaded server: all AWS services on one loopback port, state in memory."""

    def __init__(self, port: int):
        from moto.server import ThreadedMotoServer

        self._server = ThreadedMotoServer(ip_address=LOOPBACK, port=port, verbose=False)
        self.endpoint_url = ""

    def start(self) -> str:
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        return self.endpoint_url

    def stop(self) -> None:
        self._server.stop()


def provision(endpoint_url: str, region: str = REGION) -> AwsResources:
    """Bucket, queue with its DLQ and the bucket -> queue notification. Safe to call twice."""
    s3 = client("s3", endpoint_url, region)
    sqs = client("sqs", endpoint_url, region)

    dlq_url = sqs.create_queue(
        QueueName=DLQ_NAME, Attributes={"MessageRetentionPeriod": str(DLQ_RETENTION_S)}
    )["QueueUrl"]
    dlq_arn = _queue_arn(sqs, dlq_url)
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT}
    queue_url = sqs.create_queue(
        QueueName=QUEUE_NAME,
        Attributes={"VisibilityTimeout": str(VISIBILITY_TIMEOUT_S), "RedrivePolicy": json.dumps(redrive)},
    )["QueueUrl"]
    queue_arn = _queue_arn(sqs, queue_url)

    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if BUCKET_NAME not in existing:
        s3.create_bucket(Bucket=BUCKET_NAME)
    s3.put_bucket_notification_configuration(
        Bucket=BUCKET_NAME,
        NotificationConfiguration={"QueueConfigurations": notification_rules(queue_arn)},
    )
    return AwsResources(
        endpoint_url=endpoint_url,
        region=region,
        bucket=BUCKET_NAME,
        queue_url=queue_url,
        queue_arn=queue_arn,
        dlq_url=dlq_url,
        dlq_arn=dlq_arn,
    )


def notification_rules(queue_arn: str) -> list[dict]:
    """S3 allows one prefix and one suffix per rule, hence one rule per image suffix."""
    return [
        {
            "Id": f"uploads{suffix.replace('.', '-')}",
            "QueueArn": queue_arn,
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {
                "Key": {
                    "FilterRules": [
                        {"Name": "prefix", "Value": UPLOAD_PREFIX},
                        {"Name": "suffix", "Value": suffix},
                    ]
                }
            },
        }
        for suffix in IMAGE_SUFFIXES
    ]


def is_ingestible(name: str) -> bool:
    return name.endswith(IMAGE_SUFFIXES)


def _queue_arn(sqs, queue_url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
