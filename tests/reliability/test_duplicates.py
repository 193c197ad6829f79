"""One image, one record: S3 delivers events at least once and users upload the same scan twice.

The identity of an image is the SHA-256 of its bytes; these tests count rows in the real store
and the OCR calls made, through the real handlers.
"""

from __future__ import annotations

from pipeline_harness import multipart_event, ocrspace_engine, png_bytes
from support import fake_ocrspace as fake


class CountingEngine:
    """The real engine, counting the images it is asked to read."""

    def __init__(self, engine):
        self.engine = engine
        self.name = engine.name
        self.calls = 0

    def mrz_candidates(self, image):
        self.calls += 1
        return self.engine.mrz_candidates(image)


def test_the_same_s3_event_delivered_twice_makes_one_record_and_one_ocr_call(pipeline, fake_ocrspace, waits):
    engine = CountingEngine(ocrspace_engine(fake_ocrspace.url, waits))
    pipeline.install_ingest(engine=engine)
    body = pipeline.upload("uploads/dup/page.png", png_bytes(90))

    # Twice in one batch, then once more in a later invocation.
    assert pipeline.ingest(pipeline.sqs_event(body, body)) == {"batchItemFailures": []}
    assert pipeline.ingest(pipeline.sqs_event(body)) == {"batchItemFailures": []}

    rows, _ = pipeline.repository.search()
    assert len(rows) == 1 and rows[0].status == "extracted"
    assert engine.calls == 1


def test_the_same_bytes_under_two_keys_make_one_record(pipeline, fake_ocrspace, waits):
    engine = CountingEngine(ocrspace_engine(fake_ocrspace.url, waits))
    pipeline.install_ingest(engine=engine)
    data = png_bytes(91)
    first = pipeline.upload("uploads/a/scan.png", data)
    second = pipeline.upload("uploads/b/scan copy.png", data)

    assert pipeline.ingest(pipeline.sqs_event(first, second)) == {"batchItemFailures": []}

    rows, _ = pipeline.repository.search()
    assert [row.source.key for row in rows] == ["uploads/a/scan.png"]  # the first delivery's provenance
    assert engine.calls == 1


def test_an_image_uploaded_through_the_api_and_then_dropped_in_the_bucket_is_one_record(pipeline, fake_ocrspace, waits):
    engine = CountingEngine(ocrspace_engine(fake_ocrspace.url, waits))
    pipeline.install_api(engine=engine)
    pipeline.install_ingest(engine=engine)
    data = png_bytes(92)

    status, created = pipeline.call(multipart_event(data))
    assert status == 201
    assert pipeline.ingest(pipeline.sqs_event(pipeline.upload("uploads/again/scan.png", data))) == {"batchItemFailures": []}
    status, again = pipeline.call(multipart_event(data))

    assert status == 200 and again["id"] == created["id"]
    rows, _ = pipeline.repository.search()
    assert [str(row.id) for row in rows] == [created["id"]]
    assert engine.calls == 1


def test_an_image_dropped_in_the_bucket_and_then_uploaded_through_the_api_is_one_record(pipeline, fake_ocrspace, waits):
    engine = CountingEngine(ocrspace_engine(fake_ocrspace.url, waits))
    pipeline.install_api(engine=engine)
    pipeline.install_ingest(engine=engine)
    data = png_bytes(93)

    assert pipeline.ingest(pipeline.sqs_event(pipeline.upload("uploads/first/scan.png", data))) == {"batchItemFailures": []}
    status, body = pipeline.call(multipart_event(data))

    assert status == 200
    (row,), _ = pipeline.repository.search()
    assert body["id"] == str(row.id) and row.source.key == "uploads/first/scan.png"
    assert engine.calls == 1


def test_a_failed_image_delivered_again_is_read_again_but_stays_one_row(pipeline, fake_ocrspace, waits):
    # A stored failure may have been caused by a reader since fixed: a redelivery reads it again,
    # and the success replaces the failure in place (same id) instead of adding a row.
    engine = CountingEngine(ocrspace_engine(fake_ocrspace.url, waits))
    pipeline.install_ingest(engine=engine)
    fake_ocrspace.queue(fake.success(["NOTHING TO SEE HERE"]))
    body = pipeline.upload("uploads/retry/page.png", png_bytes(94))

    pipeline.ingest(pipeline.sqs_event(body))
    (failed,), _ = pipeline.repository.search()
    pipeline.ingest(pipeline.sqs_event(body))

    (row,), _ = pipeline.repository.search()
    assert failed.status == "failed" and row.status == "extracted"
    assert row.id == failed.id
    assert engine.calls == 2
