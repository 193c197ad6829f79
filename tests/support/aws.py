"""AWS for the unit tests: moto in-process (no server, no network), one fresh account per test."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import boto3
import pytest
from moto import mock_aws

REGION = "us-east-1"
TEST_BUCKET = "passport-ocr-test-uploads"


@pytest.fixture
def aws_credentials(monkeypatch):
    """Fake credentials and no endpoint override, so nothing can reach a real account."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")


@pytest.fixture
def mocked_aws(aws_credentials):
    with mock_aws():
        # Powertools caches its Secrets Manager client (and values) per process: start clean.
        from aws_lambda_powertools.utilities.parameters import base

        base.DEFAULT_PROVIDERS.clear()
        yield
        base.DEFAULT_PROVIDERS.clear()


@pytest.fixture
def s3_client(mocked_aws):
    return boto3.client("s3", region_name=REGION)


@pytest.fixture
def upload_bucket(s3_client) -> str:
    """A versioned bucket, like the template's."""
    s3_client.create_bucket(Bucket=TEST_BUCKET)
    s3_client.put_bucket_versioning(Bucket=TEST_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return TEST_BUCKET


@pytest.fixture
def secretsmanager_client(mocked_aws):
    return boto3.client("secretsmanager", region_name=REGION)


@dataclass
class FakeLambdaContext:
    """What Powertools' Logger.inject_lambda_context reads from the Lambda context."""

    function_name: str = "passport-ocr-test"
    memory_limit_in_mb: int = 1769
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:123456789012:function:passport-ocr-test"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()
