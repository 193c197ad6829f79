"""The ingest handler with SQS events from events/, moto S3, the real store and the real engine."""

from __future__ import annotations

import io
import uuid

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from PIL import Image

import functions.ingest.app as ingest
from passport_ocr.errors import OcrServiceUnavailable
from passport_ocr.service import Service
from passport_ocr.settings import Settings
from support import pdfs
from support.events import s3_event_body, sqs_event
from support.paths import load_event

SAMPLE = "uto_td3_icao.png"


class WidthEngine:
    """Finds no MRZ, except that a 77-pixel-wide image meets a down OCR service."""

    name = "fake-width"

    def mrz_candidates(self, image):
        if image.width == 77:
            raise OcrServiceUnavailable("OCR service timed out")
        return iter(())


def png_bytes(width: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, 40), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def use_service(monkeypatch, repository, s3_client, upload_bucket):
    """Installs a Service on the real store and moto S3 into the handler module."""

    def install(settings: Settings | None = None, engine=None) -> Service:
        service = Service(
            settings or Settings(), bucket_name=upload_bucket, repository=repository, engine=engine, s3_client=s3_client
        )
        monkeypatch.setattr(ingest, "service", service)
        return service

    return install


def put_object(s3_client, bucket: str, key: str, data: bytes) -> str:
    return s3_client.put_object(Bucket=bucket, Key=key, Body=data, ContentType="image/png")["VersionId"]


def test_the_sample_event_key_is_url_decoded():
    body = load_event("sqs_s3_put.json")["Records"][0]["body"]
    (obj,) = ingest.s3_objects(body)
    assert obj["key"].endswith("/my passport scan.jpg")
    assert obj["version"]


def test_a_real_passport_upload_is_extracted_and_stored(
    use_service, s3_client, upload_bucket, repository, real_samples_dir, real_truth, lambda_context, caplog
):
    use_service()
    truth = next(t for t in real_truth if t["file"] == SAMPLE)
    key = f"uploads/{uuid.uuid4()}/my passport scan.png"
    version = put_object(s3_client, upload_bucket, key, (real_samples_dir / SAMPLE).read_bytes())

    result = ingest.lambda_handler(sqs_event(s3_event_body(upload_bucket, (key, version))), lambda_context)

    assert result == {"batchItemFailures": []}
    rows, _ = repository.search(document_number=truth["document_number"])
    assert len(rows) == 1
    stored = rows[0].to_api()
    assert stored["status"] == "extracted"
    assert stored["extracted"]["surname"] == truth["surname"]
    assert stored["source"] == {"bucket": upload_bucket, "key": key, "version": version}
    assert stored["filename"] == "my passport scan.png"
    # Logs carry ids and keys, never what the passport says.
    logs = "\n".join(ingest.logger.registered_formatter.format(record) for record in caplog.records)
    assert str(rows[0].id) in logs
    for value in (truth["surname"], truth["document_number"], truth["date_of_birth"]):
        assert value not in logs


def test_a_pdf_upload_is_extracted_from_its_first_page(
    use_service, s3_client, upload_bucket, repository, real_samples_dir, real_truth, lambda_context
):
    use_service()
    truth = next(t for t in real_truth if t["file"] == SAMPLE)
    key = f"uploads/{uuid.uuid4()}/scan.pdf"
    data = pdfs.scan_pdf(pdfs.on_a4_page(Image.open(real_samples_dir / SAMPLE)))
    version = s3_client.put_object(Bucket=upload_bucket, Key=key, Body=data, ContentType="application/pdf")["VersionId"]

    result = ingest.lambda_handler(sqs_event(s3_event_body(upload_bucket, (key, version))), lambda_context)

    assert result == {"batchItemFailures": []}
    (row,), _ = repository.search(document_number=truth["document_number"])
    assert row.status == "extracted"
    assert row.to_api()["extracted"]["surname"] == truth["surname"]
    assert row.source.key == key


def test_the_s3_test_event_is_consumed_without_effect(use_service, repository, lambda_context):
    use_service(engine=WidthEngine())
    result = ingest.lambda_handler(load_event("sqs_s3_test_event.json"), lambda_context)
    assert result == {"batchItemFailures": []}
    assert repository.count() == 0


def test_a_failing_ocr_service_fails_only_its_own_message(use_service, s3_client, upload_bucket, repository, lambda_context):
    use_service(engine=WidthEngine())
    keys = [f"uploads/{n}/page.png" for n in range(3)]
    widths = [60, 77, 90]
    bodies = [
        s3_event_body(upload_bucket, (key, put_object(s3_client, upload_bucket, key, png_bytes(width))))
        for key, width in zip(keys, widths)
    ]
    event = sqs_event(*bodies)

    result = ingest.lambda_handler(event, lambda_context)

    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]}
    rows, _ = repository.search()
    assert sorted(row.source.key for row in rows) == [keys[0], keys[2]]
    assert {row.failure["code"] for row in rows} == {"no_mrz_found"}


def test_a_body_with_several_records_processes_each(use_service, s3_client, upload_bucket, repository, lambda_context):
    use_service(engine=WidthEngine())
    objects = []
    for n, width in enumerate((50, 51)):
        key = f"uploads/batch/{n}.png"
        objects.append((key, put_object(s3_client, upload_bucket, key, png_bytes(width))))

    result = ingest.lambda_handler(sqs_event(s3_event_body(upload_bucket, *objects)), lambda_context)

    assert result == {"batchItemFailures": []}
    assert repository.count() == 2


def test_unusable_input_is_stored_as_failed_and_consumed(use_service, s3_client, upload_bucket, repository, lambda_context):
    use_service()
    key = "uploads/x/not-an-image.jpg"
    version = put_object(s3_client, upload_bucket, key, b"this is a text file, not a JPEG")

    result = ingest.lambda_handler(sqs_event(s3_event_body(upload_bucket, (key, version))), lambda_context)

    assert result == {"batchItemFailures": []}
    (row,), _ = repository.search(status="failed")
    assert row.source.key == key
    assert row.failure["code"] in {"unsupported_format", "unreadable_image"}


def test_an_object_over_the_limit_is_failed_before_download(use_service, s3_client, upload_bucket, repository, lambda_context):
    use_service(settings=Settings(max_input_bytes=1000), engine=WidthEngine())
    key = "uploads/x/huge.png"
    version = put_object(s3_client, upload_bucket, key, b"\x89PNG" + b"\0" * 5000)
    downloads = []
    real_get_object = s3_client.get_object
    s3_client.get_object = lambda **kw: downloads.append(kw) or real_get_object(**kw)

    result = ingest.lambda_handler(sqs_event(s3_event_body(upload_bucket, (key, version))), lambda_context)

    assert result == {"batchItemFailures": []}
    assert downloads == []
    (row,), _ = repository.search()
    assert row.failure["code"] == "input_too_large"
    assert row.source.image_bytes == 5004
    assert row.source.key == key


def test_an_object_deleted_before_we_read_it_is_consumed(use_service, upload_bucket, repository, lambda_context):
    use_service(engine=WidthEngine())
    event = sqs_event(s3_event_body(upload_bucket, ("uploads/gone/deleted.png", None)))

    result = ingest.lambda_handler(event, lambda_context)

    assert result == {"batchItemFailures": []}
    assert repository.count() == 0


def test_an_unreachable_bucket_is_retried(use_service, repository, lambda_context):
    use_service(engine=WidthEngine())
    # AccessDenied / NoSuchBucket are not "the object is gone": the message must come back.
    event = sqs_event(
        s3_event_body("bucket-that-does-not-exist", ("uploads/a.png", None)),
        load_event("sqs_s3_test_event.json")["Records"][0]["body"],
    )

    result = ingest.lambda_handler(event, lambda_context)

    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert repository.count() == 0


def test_a_batch_that_fails_entirely_fails_the_invocation(use_service, lambda_context):
    # Powertools raises when every record failed, so Lambda retries the whole batch.
    use_service(engine=WidthEngine())
    event = sqs_event(s3_event_body("bucket-that-does-not-exist", ("uploads/a.png", None)))

    with pytest.raises(BatchProcessingError):
        ingest.lambda_handler(event, lambda_context)
