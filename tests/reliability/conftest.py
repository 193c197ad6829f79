"""Fixtures of the reliability suite: the handlers on the real store, moto and the fake OCR.Space."""

from __future__ import annotations

import pytest

from pipeline_harness import Pipeline


@pytest.fixture
def pipeline(monkeypatch, repository, s3_client, upload_bucket, lambda_context) -> Pipeline:
    monkeypatch.delenv("API_AUTH_TOKEN", raising=False)
    return Pipeline(monkeypatch, repository, s3_client, upload_bucket, lambda_context)


@pytest.fixture
def waits() -> list[float]:
    return []
