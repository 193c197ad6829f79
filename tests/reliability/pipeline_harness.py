"""Builds what AWS would send the two handlers, and wires them to the real store and moto.

`Pipeline` installs a Service into a handler module and builds the events AWS would send:
S3 notifications inside SQS messages (events/sqs_s3_put.json) and API Gateway requests
(events/api_upload_multipart.json).
"""

from __future__ import annotations

import base64
import io
import json

from PIL import Image

import functions.api.app as api
import functions.ingest.app as ingest
from passport_ocr.engines.ocrspace import OcrSpaceClient, OcrSpaceEngine
from passport_ocr.service import Service
from passport_ocr.settings import Settings
from support.events import s3_event_body, sqs_event
from support.paths import load_event


class Pipeline:
    def __init__(self, monkeypatch, repository, s3_client, bucket, context):
        self.monkeypatch = monkeypatch
        self.repository = repository
        self.s3 = s3_client
        self.bucket = bucket
        self.context = context

    # --- wiring -------------------------------------------------------------------------
    def service(self, settings: Settings | None = None, engine=None, repository=None) -> Service:
        return Service(
            settings or Settings(),
            bucket_name=self.bucket,
            repository=repository or self.repository,
            engine=engine,
            s3_client=self.s3,
        )

    def install_ingest(self, settings: Settings | None = None, engine=None, repository=None) -> Service:
        service = self.service(settings, engine, repository)
        self.monkeypatch.setattr(ingest, "service", service)
        return service

    def install_api(self, settings: Settings | None = None, engine=None) -> Service:
        service = self.service(settings, engine)
        self.monkeypatch.setattr(api, "service", service)
        return service

    # --- S3 -> SQS -> ingest ------------------------------------------------------------
    def put(self, key: str, data: bytes, content_type: str = "image/png") -> str:
        return self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)["VersionId"]

    def notification(self, *objects: tuple[str, str | None]) -> str:
        """The body S3 sends for the given (key, version)s: keys URL-encoded, spaces as '+'."""
        return s3_event_body(self.bucket, *objects)

    def upload(self, key: str, data: bytes, content_type: str = "image/png") -> str:
        """Put an object and return the notification body S3 would queue for it."""
        return self.notification((key, self.put(key, data, content_type)))

    @staticmethod
    def sqs_event(*bodies: str) -> dict:
        return sqs_event(*bodies)

    def ingest(self, event: dict) -> dict:
        return ingest.lambda_handler(event, self.context)

    # --- API Gateway -> API -------------------------------------------------------------
    def call(self, event: dict) -> tuple[int, dict | None]:
        response = api.lambda_handler(event, self.context)
        body = response.get("body")
        return response["statusCode"], json.loads(body) if body else None


def multipart_event(
    data: bytes, *, filename: str = "passport.png", field: str = "file", content_type: str = "image/png"
) -> dict:
    event = load_event("api_upload_multipart.json")
    boundary = event["headers"]["Content-Type"].split("boundary=", 1)[1]
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    event["body"] = base64.b64encode(body).decode()
    event["isBase64Encoded"] = True
    event["queryStringParameters"] = event["multiValueQueryStringParameters"] = None
    return event


def raw_event(data: bytes, content_type: str | None) -> dict:
    event = load_event("api_upload_multipart.json")
    for headers in (event["headers"], event["multiValueHeaders"]):
        headers.pop("Content-Type", None)
    if content_type is not None:
        event["headers"]["Content-Type"] = content_type
        event["multiValueHeaders"]["Content-Type"] = [content_type]
    event["body"] = base64.b64encode(data).decode() if data else None
    event["isBase64Encoded"] = bool(data)
    event["queryStringParameters"] = event["multiValueQueryStringParameters"] = None
    return event


def with_query(event: dict, **query: str) -> dict:
    event["queryStringParameters"] = query or None
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    return event


def png_bytes(width: int, height: int = 40, color: str = "white") -> bytes:
    """A small distinct PNG per width: distinct bytes, distinct sha256."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def ocrspace_engine(url: str, waits: list[float], *, max_retries: int = 2, read_timeout_s: float = 0.3) -> OcrSpaceEngine:
    """The real OCR.Space engine pointed at the local fake; its sleeps are recorded, not slept."""
    client = OcrSpaceClient(
        "test-key",
        endpoint=url,
        connect_timeout_s=0.5,
        read_timeout_s=read_timeout_s,
        max_retries=max_retries,
        sleep=waits.append,
        jitter=lambda: 1.0,
    )
    return OcrSpaceEngine(client)
