"""Bad input is refused clearly: a 4xx JSON error from the API, a `failed` record from ingest.

The same hostile corpus goes through both handlers, with the real offline engine, the real
store and moto S3. Neither may answer 500, crash, or leave a message on the queue.
"""

from __future__ import annotations

import io
import json
import struct
import uuid
import zlib

import numpy as np
import pytest
from PIL import Image

import functions.api.app as api
from passport_ocr.errors import NoMrzFound
from passport_ocr.service import make_source
from passport_ocr.settings import Settings
from pipeline_harness import multipart_event, ocrspace_engine, png_bytes, raw_event, with_query
from support import pdfs
from support.paths import load_event

# Small limits so that "too large" needs no large file.
SIZE_LIMIT = 200_000
PIXEL_LIMIT = 20_000_000
LIMITS = Settings(max_input_bytes=SIZE_LIMIT, max_pixels=PIXEL_LIMIT)


# --- the corpus ---------------------------------------------------------------------------
def jpeg_bytes(size=(640, 400)) -> bytes:
    rng = np.random.default_rng(7)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header announcing 10^10 pixels, with a few bytes of data: decoding it would
    need 30 GB."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * 3 * 64
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(row)) + png_chunk(b"IEND", b"")


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (120, 80), color) for color in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def noise_photo() -> bytes:
    """Photo-like noise: smooth blobs plus grain, no text at all."""
    rng = np.random.default_rng(11)
    small = rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)
    image = Image.fromarray(small).resize((960, 720), Image.Resampling.BICUBIC)
    grain = rng.normal(0, 12, (720, 960, 3))
    pixels = np.clip(np.asarray(image, dtype=np.float64) + grain, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def blank_page() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (1240, 1754), 248).save(buffer, "PNG")
    return buffer.getvalue()


def over_the_limit() -> bytes:
    rng = np.random.default_rng(3)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (400, 400, 3), dtype=np.uint8)).save(buffer, "PNG")
    assert buffer.tell() > SIZE_LIMIT
    return buffer.getvalue()


# name -> (bytes, the code both handlers must give, the API's status)
CORPUS = {
    "text-named-jpg": (lambda: b"Dear customer, your passport is attached.\n", "unsupported_format", 415),
    "truncated-jpeg": (lambda: jpeg_bytes()[: len(jpeg_bytes()) // 2], "unreadable_image", 422),
    "png-decompression-bomb": (png_bomb, "image_too_large", 413),
    "over-the-size-limit": (over_the_limit, "input_too_large", 413),
    "animated-gif": (animated_gif, "animated_image", 422),
    "pdf-without-pages": (pdfs.no_pages_pdf, "unreadable_image", 422),
    "truncated-pdf": (lambda: pdfs.scan_pdf(Image.open(io.BytesIO(jpeg_bytes())))[:3000], "unreadable_image", 422),
    "password-protected-pdf": (lambda: pdfs.encrypted_pdf(user_password=b"secret"), "encrypted_pdf", 422),
    "pdf-embedded-image-bomb": (pdfs.image_bomb_pdf, "image_too_large", 413),
    # 200 x 200 inches: rendered whole at a reduced scale (3508 px square), then simply no MRZ.
    "pdf-200-inch-page": (lambda: pdfs.vector_pdf(14400, 14400), "no_mrz_found", 422),
    "photo-like-noise": (noise_photo, "no_mrz_found", 422),
    "blank-page": (blank_page, "no_mrz_found", 422),
    "html": (lambda: b"<!doctype html><html><body>hi</body></html>", "unsupported_format", 415),
}


def assert_json_error(status: int, body: dict | None, expected_status: int, code: str) -> None:
    assert status == expected_status, body
    assert 400 <= status < 500
    assert body["error"]["code"] == code
    assert body["error"]["message"]


# --- API ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(CORPUS))
def test_api_refuses_each_bad_file_with_a_clear_4xx(name, pipeline):
    make, code, expected_status = CORPUS[name]
    pipeline.install_api(settings=LIMITS)
    status, body = pipeline.call(multipart_event(make(), filename="scan.jpg", content_type="image/jpeg"))
    assert_json_error(status, body, expected_status, code)


def test_api_refuses_an_empty_body(pipeline):
    pipeline.install_api()
    assert_json_error(*pipeline.call(raw_event(b"", "image/jpeg")), 400, "empty_input")
    assert_json_error(*pipeline.call(multipart_event(b"")), 400, "empty_input")
    assert pipeline.repository.count() == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", "application/zip", None])
def test_api_refuses_other_content_types(pipeline, content_type):
    pipeline.install_api()
    assert_json_error(*pipeline.call(raw_event(png_bytes(50), content_type)), 415, "unsupported_format")


def test_api_refuses_multipart_without_file_or_boundary(pipeline):
    pipeline.install_api()
    assert_json_error(*pipeline.call(multipart_event(png_bytes(50), field="photo")), 400, "missing_file")
    event = multipart_event(png_bytes(50))
    event["headers"]["Content-Type"] = event["multiValueHeaders"]["Content-Type"][0] = "multipart/form-data"
    assert_json_error(*pipeline.call(event), 400, "bad_input")


def test_api_refuses_a_body_that_is_not_base64(pipeline):
    pipeline.install_api()
    event = raw_event(png_bytes(50), "image/png")
    event["body"] = "abcde"  # 5 characters cannot be base64
    assert_json_error(*pipeline.call(event), 400, "bad_input")


def test_api_upload_filename_with_path_traversal_stays_out_of_the_bucket_layout(pipeline, fake_ocrspace, waits):
    service = pipeline.install_api(engine=ocrspace_engine(fake_ocrspace.url, waits))
    data = png_bytes(71)
    status, body = pipeline.call(multipart_event(data, filename="../../../etc/passwd.png"))

    assert status == 201
    keys = [obj["Key"] for obj in pipeline.s3.list_objects_v2(Bucket=service.bucket_name)["Contents"]]
    assert keys == [f"{api.API_PREFIX}{body['image_sha256']}"]
    assert body["source"]["key"] == keys[0]
    # The client's name is kept only as a label, without its directories.
    assert body["filename"] == "passwd.png"


@pytest.mark.parametrize(
    "filename", ["../../../etc/passwd.jpg", "..\\..\\windows\\win.ini.png", "/abs/path/scan.jpg", "uploads/../api/x.jpg", "%2e%2e%2fx.jpg"]
)
def test_presign_filename_cannot_escape_its_own_folder(pipeline, filename):
    pipeline.install_api()
    event = load_event("api_uploads_presign.json")
    event["body"] = json.dumps({"filename": filename, "content_type": "image/jpeg"})
    status, body = pipeline.call(event)

    assert status == 201, body
    prefix, folder, name = body["key"].split("/")
    assert prefix == "uploads" and uuid.UUID(folder)
    assert ".." not in name and "\\" not in name and "%" not in name and name.endswith((".jpg", ".png"))


# --- query parameters and ids ---------------------------------------------------------------
@pytest.fixture
def one_record(pipeline, fake_ocrspace, waits):
    """One extracted record (ERIKSSON, from the fake OCR.Space page) to search for."""
    service = pipeline.install_api(engine=ocrspace_engine(fake_ocrspace.url, waits))
    stored, _ = service.process(png_bytes(72), service_source(png_bytes(72)))
    assert stored.record["surname"] == "ERIKSSON"
    return stored


def service_source(data: bytes):
    return make_source(data, bucket=None, key=None)


def search(pipeline, **query) -> tuple[int, dict]:
    return pipeline.call(with_query(load_event("api_search.json"), **query))


@pytest.mark.parametrize(
    "query",
    [
        {"surname": "' OR '1'='1"},
        {"surname": "%"},
        {"surname": "_RIKSSON"},
        {"surname": "ERIKSSON'; DROP TABLE extractions; --"},
        {"document_number": "1 OR 1=1"},
        {"nationality": "UTO' --"},
        {"surname": "E" * 100_000},
        {"document_number": "L" * 100_000},
    ],
    ids=["or-true", "like-percent", "like-underscore", "drop-table", "number-or", "comment", "huge-surname", "huge-number"],
)
def test_sql_metacharacters_and_huge_values_match_nothing(pipeline, one_record, query):
    status, body = search(pipeline, **query)
    assert status == 200, body
    assert body == {"items": [], "next_cursor": None}
    # The table is intact and still found by an honest query.
    status, body = search(pipeline, surname="ERIK")
    assert [item["id"] for item in body["items"]] == [str(one_record.id)]


@pytest.mark.parametrize(
    "query",
    [{"limit": "0"}, {"limit": "-5"}, {"limit": "abc"}, {"limit": "1e9"},
     {"status": "deleted"}, {"status": "' OR 1=1"}, {"cursor": "not-a-cursor"}, {"cursor": "' OR 1=1 --"}],
)
def test_invalid_query_values_are_a_400(pipeline, one_record, query):
    status, body = search(pipeline, **query)
    assert status == 400, body
    assert body["error"]["code"] in {"invalid_request", "invalid_cursor"}


def test_a_limit_of_100000_is_clamped_not_obeyed(pipeline):
    pipeline.install_api()
    for n in range(api.SEARCH_LIMIT_MAX + 5):
        data = f"image {n}".encode()
        pipeline.repository.save(None, service_source(data), error=NoMrzFound())
    for limit in ("100000", "9" * 40):
        status, body = search(pipeline, limit=limit)
        assert status == 200
        assert len(body["items"]) == api.SEARCH_LIMIT_MAX and body["next_cursor"]


@pytest.mark.parametrize("passport_id", ["abc", "1' OR '1'='1", "..%2F..%2Fetc%2Fpasswd", "0" * 5000, "5b0e8c1a-3f0d-4b8e-9a57"])
@pytest.mark.parametrize("event_name", ["api_get.json", "api_delete.json"])
def test_invalid_ids_are_a_400(pipeline, one_record, event_name, passport_id):
    event = load_event(event_name)
    event["path"] = f"/passports/{passport_id}"
    event["pathParameters"] = {"passport_id": passport_id}
    status, body = pipeline.call(event)
    assert status == 400, body
    assert body["error"]["code"] == "invalid_id"
    assert pipeline.repository.count() == 1


# --- ingest ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(CORPUS))
def test_ingest_stores_each_bad_file_as_failed_with_its_reason(name, pipeline):
    make, code, _ = CORPUS[name]
    pipeline.install_ingest(settings=LIMITS)
    key = f"uploads/bad/{name}.jpg"
    event = pipeline.sqs_event(pipeline.upload(key, make(), "image/jpeg"))

    assert pipeline.ingest(event) == {"batchItemFailures": []}  # consumed: retrying cannot help

    (row,), _ = pipeline.repository.search()
    assert (row.status, row.failure["code"], row.source.key) == ("failed", code, key)
    assert row.failure["message"]


def test_ingest_of_an_empty_object_is_a_failed_record(pipeline):
    pipeline.install_ingest()
    event = pipeline.sqs_event(pipeline.upload("uploads/bad/empty.jpg", b"", "image/jpeg"))
    assert pipeline.ingest(event) == {"batchItemFailures": []}
    (row,), _ = pipeline.repository.search()
    assert row.failure["code"] == "empty_input"


@pytest.mark.parametrize(
    "key",
    [
        "uploads/x/my passport scan.png",
        "uploads/x/Ñandú Ünïcödé 护照 パスポート.png",
        "uploads/x/a+b=c&d.png",
        "uploads/x/100% ' OR 1=1 --.png",
        "uploads/../../etc/passwd.png",
    ],
    ids=["spaces", "unicode", "plus", "sql-and-percent", "dot-dot"],
)
def test_ingest_reads_keys_with_spaces_unicode_and_plus_exactly(pipeline, fake_ocrspace, waits, key):
    pipeline.install_ingest(engine=ocrspace_engine(fake_ocrspace.url, waits))
    event = pipeline.sqs_event(pipeline.upload(key, png_bytes(80)))

    assert pipeline.ingest(event) == {"batchItemFailures": []}

    (row,), _ = pipeline.repository.search()
    assert row.status == "extracted"
    assert row.source.key == key
    assert row.source.filename == key.rsplit("/", 1)[-1]


def test_ingest_of_a_message_that_is_not_an_s3_notification_does_not_crash_the_batch(pipeline, fake_ocrspace, waits):
    pipeline.install_ingest(engine=ocrspace_engine(fake_ocrspace.url, waits))
    good = pipeline.upload("uploads/ok/page.png", png_bytes(81))
    event = pipeline.sqs_event("{not json", good)

    result = pipeline.ingest(event)

    # The broken message is failed (SQS will dead-letter it); the good one is processed.
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert pipeline.repository.count() == 1
