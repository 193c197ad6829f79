"""The application service: one image in, one stored extraction out.

Shared by the ingest handler, the API handler and the CLI so that the outcome of every error
is decided here once: bad input becomes a stored `failed` record (retrying cannot help),
a failing dependency (`ServiceError`) propagates so the caller retries later.

Everything is built lazily from the environment: the API's health route must answer without
loading the OCR model, and a cold start must not open connections it does not use.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Mapping

from .engines import Engine, get_engine
from .errors import OcrServiceRateLimited, OcrServiceUnavailable, PassportOcrError
from .record import STATUS_FAILED
from .settings import Settings
from .store.rows import Source, StoredExtraction

# What a Lambda in the VPC uses to reach the database through the RDS Proxy; locally the
# whole DSN comes from DATABASE_URL instead.
DEFAULT_DB_PORT = "5432"
CLOUD_SSLMODE = "require"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_source(
    data: bytes,
    *,
    bucket: str | None,
    key: str | None,
    version: str | None = None,
    filename: str | None = None,
    content_type: str | None = None,
) -> Source:
    """The provenance of an image, its identity (sha256) computed from the bytes."""
    return Source.for_image(
        data, bucket=bucket, key=key, version=version, filename=filename, content_type=content_type
    )


def unread_object_source(
    *,
    bucket: str,
    key: str,
    version: str | None,
    size: int,
    filename: str | None = None,
    content_type: str | None = None,
) -> Source:
    """The provenance of an S3 object rejected before download (too large to read).

    Its bytes were never read, so the row's identity is the hash of the object's location
    and version instead: a redelivered notification finds the same row, and it can never
    equal the sha256 of real image bytes.
    """
    location = f"s3://{bucket}/{key}?versionId={version or ''}"
    return Source(
        bucket=bucket,
        key=key,
        version=version,
        filename=filename,
        content_type=content_type,
        image_sha256=sha256_hex(location.encode()),
        image_bytes=size,
    )


def database_dsn(environ: Mapping[str, str], fetch_secret=None) -> str:
    """The libpq DSN from DATABASE_URL, or from the RDS secret + proxy endpoint in the cloud.

    The RDS-managed master secret holds only username and password, so the host comes from
    DB_HOST (the RDS Proxy endpoint) and the database from DB_NAME.
    """
    url = environ.get("DATABASE_URL")
    if url:
        return url
    secret_arn = environ.get("DB_SECRET_ARN")
    if not secret_arn:
        raise RuntimeError("set DATABASE_URL, or DB_SECRET_ARN with DB_HOST and DB_NAME")
    fetch_secret = fetch_secret or _get_secret_json
    secret = fetch_secret(secret_arn)
    from psycopg2.extensions import make_dsn

    return make_dsn(
        host=environ.get("DB_HOST") or secret.get("host"),
        port=environ.get("DB_PORT") or str(secret.get("port") or DEFAULT_DB_PORT),
        dbname=environ.get("DB_NAME") or secret.get("dbname") or "postgres",
        user=secret["username"],
        password=secret["password"],
        sslmode=environ.get("DB_SSLMODE") or CLOUD_SSLMODE,
        connect_timeout=environ.get("DB_CONNECT_TIMEOUT") or "5",
    )


def _get_secret_json(arn: str) -> dict:
    from aws_lambda_powertools.utilities import parameters

    # Cached by Powertools for max_age seconds: one Secrets Manager call per warm container.
    value = parameters.get_secret(arn, max_age=300)
    return value if isinstance(value, dict) else json.loads(value)


def _get_secret_string(arn: str) -> str:
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(arn, max_age=300)
    if isinstance(value, bytes):
        value = value.decode()
    # A secret created in the console as key/value pairs is JSON: accept {"apiKey": "..."} too.
    try:
        parsed = json.loads(value)
    except ValueError:
        return value.strip()
    if isinstance(parsed, dict):
        for name in ("apiKey", "api_key", "OCRSPACE_API_KEY", "key"):
            if parsed.get(name):
                return str(parsed[name])
    return value.strip()


class Service:
    """Holds the process-wide clients; each one is created on first use."""

    def __init__(
        self,
        settings: Settings,
        *,
        bucket_name: str | None = None,
        repository=None,
        engine: Engine | None = None,
        s3_client=None,
        environ: Mapping[str, str] | None = None,
    ):
        self.settings = settings
        self.bucket_name = bucket_name
        self._repository = repository
        self._engine = engine
        self._fallback_engine: Engine | None = None
        self._s3_client = s3_client
        self._environ = dict(environ if environ is not None else os.environ)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Service":
        environ = dict(environ if environ is not None else os.environ)
        return cls(Settings.from_env(), bucket_name=environ.get("BUCKET_NAME") or None, environ=environ)

    # --- lazily built dependencies -------------------------------------------------------
    @property
    def engine_name(self) -> str:
        return self._engine.name if self._engine is not None else self.settings.engine

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = get_engine(self.engine_settings())
        return self._engine

    def engine_settings(self) -> Settings:
        """The settings the engine is built with: the OCR.Space key fetched from its secret."""
        settings = self.settings
        if settings.engine == "ocrspace" and not settings.ocrspace_api_key and settings.ocrspace_secret_arn:
            settings = dataclasses.replace(settings, ocrspace_api_key=_get_secret_string(settings.ocrspace_secret_arn))
        return settings

    @property
    def repository(self):
        if self._repository is None:
            from .store import Repository

            if self._environ.get("DATABASE_URL"):
                self._repository = Repository.from_dsn(self._environ["DATABASE_URL"])
            else:
                import psycopg2

                database_dsn(self._environ)  # fail now on a missing configuration, not at first query
                # RDS rotates the master password: each new connection reads the (cached) secret
                # again, so a reconnect after a rotation uses the new password.
                self._repository = Repository(
                    lambda: psycopg2.connect(database_dsn(self._environ), application_name="passport-ocr")
                )
        return self._repository

    @property
    def s3(self):
        if self._s3_client is None:
            import boto3

            # boto3 honours AWS_ENDPOINT_URL itself, which points it at moto locally.
            self._s3_client = boto3.client("s3")
        return self._s3_client

    # --- the use case --------------------------------------------------------------------
    def process(self, data: bytes, source: Source, fields: str = "all") -> tuple[StoredExtraction, bool]:
        """Extract and store one image; returns (StoredExtraction, created).

        An image already read is not read again: S3 delivers events at least once and users
        upload the same scan twice. A stored failure is retried (the reader may have been
        fixed; the store replaces a failure by a later success). Raises ServiceError when a
        dependency is down.
        """
        existing = self.repository.get_by_sha256(source.image_sha256)
        if existing is not None and existing.status != STATUS_FAILED:
            return existing, False
        try:
            record = self._extract(data, fields)
        except PassportOcrError as error:
            if error.retryable:
                raise
            # Retrying cannot help: bad input, or OCR.Space refusing this very file
            # (OcrServiceError is not a BadInput but is just as final).
            return self.record_failure(source, error)
        return self.repository.save(record, source)

    def _extract(self, data: bytes, fields: str):
        # Imported here: the imaging and MRZ code are not needed by the routes that only read.
        from .extract import extract

        try:
            return extract(data, engine=self.engine, settings=self.settings, fields=fields)
        except (OcrServiceUnavailable, OcrServiceRateLimited):
            if not (self.settings.ocrspace_fallback_local and self.engine_name == "ocrspace"):
                raise
            # OCR.Space stayed down through its retries: an answer from the offline engine now
            # beats an SQS retry later (the record's `engine` says which one read it).
            return extract(data, engine=self.fallback_engine, settings=self.settings, fields=fields)

    @property
    def fallback_engine(self) -> Engine:
        if self._fallback_engine is None:
            self._fallback_engine = get_engine(dataclasses.replace(self.settings, engine="local"))
        return self._fallback_engine

    def record_failure(self, source: Source, error: PassportOcrError) -> tuple[StoredExtraction, bool]:
        """Store a `failed` extraction for input that cannot be processed, with the reason."""
        return self.repository.save(None, source, error=error)
