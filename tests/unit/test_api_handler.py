"""The API handler with API Gateway events from events/, moto S3, the real store and the real engine."""

from __future__ import annotations

import base64
import io
import json
import uuid

import pytest
from PIL import Image

import functions.api.app as api
from passport_ocr import errors
from passport_ocr.errors import NoMrzFound
from passport_ocr.service import Service, make_source
from passport_ocr.settings import Settings
from passport_ocr.store import Repository
from support import pdfs
from support.paths import load_event

SAMPLE = "uto_td3_icao.png"
OTHER_SAMPLE = "uto_td2_icao.png"


class NoMrzEngine:
    name = "fake-empty"

    def mrz_candidates(self, image):
        return iter(())


@pytest.fixture
def use_service(monkeypatch, repository, s3_client, upload_bucket):
    monkeypatch.delenv("API_AUTH_TOKEN", raising=False)

    def install(settings: Settings | None = None, engine=None, repo=None) -> Service:
        service = Service(
            settings or Settings(),
            bucket_name=upload_bucket,
            repository=repo or repository,
            engine=engine,
            s3_client=s3_client,
        )
        monkeypatch.setattr(api, "service", service)
        return service

    return install


@pytest.fixture
def call(lambda_context):
    def invoke(event: dict) -> tuple[int, dict | None, dict]:
        response = api.lambda_handler(event, lambda_context)
        body = response.get("body")
        parsed = json.loads(body) if body else None
        return response["statusCode"], parsed, response.get("headers") or response.get("multiValueHeaders") or {}

    return invoke


@pytest.fixture
def truth(real_truth):
    return {t["file"]: t for t in real_truth}


def multipart_event(data: bytes, *, filename="passport.png", field="file", query=None, content_type="image/png") -> dict:
    event = load_event("api_upload_multipart.json")
    boundary = event["headers"]["Content-Type"].split("boundary=", 1)[1]
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nfront page\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    event["body"] = base64.b64encode(body).decode()
    event["isBase64Encoded"] = True
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} if query else None
    return event


def raw_event(data: bytes, content_type: str) -> dict:
    event = load_event("api_upload_multipart.json")
    event["headers"]["Content-Type"] = content_type
    event["multiValueHeaders"]["Content-Type"] = [content_type]
    event["body"] = base64.b64encode(data).decode()
    event["isBase64Encoded"] = True
    event["queryStringParameters"] = event["multiValueQueryStringParameters"] = None
    return event


def with_query(event: dict, **query: str) -> dict:
    event["queryStringParameters"] = query or None
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    return event


def with_id(event: dict, passport_id: str) -> dict:
    event["path"] = f"/passports/{passport_id}"
    event["pathParameters"] = {"passport_id": passport_id}
    return event


def blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def failed_rows(repository, count: int) -> list:
    rows = []
    for n in range(count):
        data = f"image {n}".encode()
        stored, _ = repository.save(None, make_source(data, bucket=None, key=None), error=NoMrzFound())
        rows.append(stored)
    return rows


# --- health --------------------------------------------------------------------------------
def test_health_reports_the_database_without_loading_the_engine(use_service, call):
    service = use_service()
    status, body, _ = call(load_event("api_health.json"))
    assert (status, body) == (200, {"status": "ok", "database": "ok", "engine": "local"})
    assert service._engine is None


def test_health_is_503_when_the_database_is_down(use_service, call):
    unreachable = Repository.from_dsn("host=127.0.0.1 port=1 dbname=none user=none", connect_timeout_s=1)
    use_service(repo=unreachable)
    status, body, _ = call(load_event("api_health.json"))
    assert status == 503
    assert body["database"] == "error"


# --- POST /upload --------------------------------------------------------------------------
def test_multipart_upload_of_a_real_passport(use_service, call, real_samples_dir, truth, s3_client, upload_bucket):
    use_service()
    data = (real_samples_dir / SAMPLE).read_bytes()

    status, body, _ = call(multipart_event(data, filename="scan of anna.png"))

    assert status == 201
    expected = truth[SAMPLE]
    assert body["status"] == "extracted"
    for name in ("surname", "given_names", "document_number", "date_of_birth", "sex"):
        assert body["extracted"][name] == expected[name]
    assert body["filename"] == "scan of anna.png"
    # Stored outside uploads/ so the bucket notification does not extract it again.
    assert body["source"]["key"] == f"api/{body['image_sha256']}"
    stored = s3_client.get_object(Bucket=upload_bucket, Key=body["source"]["key"])["Body"].read()
    assert stored == data

    again_status, again, _ = call(multipart_event(data))
    assert again_status == 200
    assert again["id"] == body["id"]
    # One object version: deleting the record removes the only copy.
    versions = s3_client.list_object_versions(Bucket=upload_bucket, Prefix=body["source"]["key"])["Versions"]
    assert [v["VersionId"] for v in versions] == [body["source"]["version"]]


def test_raw_image_body_and_mrz_only(use_service, call, real_samples_dir, truth):
    use_service()
    event = with_query(raw_event((real_samples_dir / OTHER_SAMPLE).read_bytes(), "image/png"), fields="mrz")
    status, body, _ = call(event)
    assert status == 201
    assert body["extracted"]["document_number"] == truth[OTHER_SAMPLE]["document_number"]
    assert body["mrz"]["format"] == "TD2"


def a4_scan_of(path) -> bytes:
    return pdfs.scan_pdf(pdfs.on_a4_page(Image.open(path)))


def test_a_raw_pdf_body_is_read_from_its_first_page(use_service, call, real_samples_dir, truth, s3_client, upload_bucket):
    use_service()
    data = a4_scan_of(real_samples_dir / SAMPLE)
    event = load_event("api_upload_pdf.json")
    event["body"] = base64.b64encode(data).decode()

    status, body, _ = call(event)

    assert status == 201, body
    for name in ("surname", "given_names", "document_number", "date_of_birth", "sex"):
        assert body["extracted"][name] == truth[SAMPLE][name]
    # The PDF itself is what is kept, under its own SHA-256.
    stored = s3_client.get_object(Bucket=upload_bucket, Key=body["source"]["key"])
    assert stored["Body"].read() == data
    assert stored["ContentType"] == "application/pdf"


def test_a_pdf_in_a_multipart_upload_is_read(use_service, call, real_samples_dir, truth):
    use_service()
    data = a4_scan_of(real_samples_dir / OTHER_SAMPLE)
    status, body, _ = call(multipart_event(data, filename="scan.pdf", content_type="application/pdf", query={"fields": "mrz"}))
    assert status == 201, body
    assert body["filename"] == "scan.pdf"
    assert body["extracted"]["document_number"] == truth[OTHER_SAMPLE]["document_number"]


def test_a_password_protected_pdf_is_422_encrypted_pdf(use_service, call, repository):
    use_service(engine=NoMrzEngine())
    event = load_event("api_upload_pdf.json")
    event["body"] = base64.b64encode(pdfs.encrypted_pdf(user_password=b"secret")).decode()
    status, body, _ = call(event)
    assert status == 422
    assert body["error"]["code"] == "encrypted_pdf"
    assert "password" in body["error"]["message"]
    assert repository.get(body["id"]).failure["code"] == "encrypted_pdf"


def test_unknown_fields_value_is_400(use_service, call):
    use_service(engine=NoMrzEngine())
    status, body, _ = call(with_query(raw_event(blank_png(), "image/png"), fields="everything"))
    assert status == 400
    assert body["error"]["code"] == "invalid_request"


def test_an_image_without_mrz_is_422_and_stored(use_service, call, repository):
    use_service(engine=NoMrzEngine())
    status, body, _ = call(raw_event(blank_png(), "image/png"))
    assert status == 422
    assert body["error"]["code"] == "no_mrz_found"
    assert repository.get(body["id"]).status == "failed"


def test_a_file_that_is_not_an_image_is_415(use_service, call):
    use_service()
    status, body, _ = call(multipart_event(b"just some text, no image here"))
    assert status == 415
    assert body["error"]["code"] == "unsupported_format"


def test_other_content_types_are_415(use_service, call, repository):
    use_service(engine=NoMrzEngine())
    status, body, _ = call(raw_event(b'{"image": "..."}', "application/json"))
    assert status == 415
    assert body["error"]["code"] == "unsupported_format"
    assert repository.count() == 0


def test_multipart_without_a_file_field_is_400(use_service, call):
    use_service(engine=NoMrzEngine())
    status, body, _ = call(multipart_event(blank_png(), field="picture"))
    assert status == 400
    assert body["error"]["code"] == "missing_file"


def test_an_upload_over_the_limit_is_413(use_service, call, repository):
    use_service(settings=Settings(max_input_bytes=1000), engine=NoMrzEngine())
    status, body, _ = call(multipart_event(b"\x89PNG" + b"\0" * 2000))
    assert status == 413
    assert body["error"]["code"] == "input_too_large"
    assert repository.count() == 0


# --- POST /uploads (presigned) -------------------------------------------------------------
def test_presigned_upload_names_a_safe_key_under_uploads(use_service, call, upload_bucket):
    use_service(settings=Settings(max_input_bytes=12345))
    status, body, _ = call(load_event("api_uploads_presign.json"))

    assert status == 201
    prefix, upload_id, filename = body["key"].split("/")
    assert prefix == "uploads"
    uuid.UUID(upload_id)
    assert filename == "my_passport.jpg"
    assert body["url"].startswith("https://")
    assert upload_bucket in body["url"]
    policy = json.loads(base64.b64decode(body["fields"]["policy"]))
    assert ["content-length-range", 1, 12345] in policy["conditions"]
    assert {"Content-Type": "image/jpeg"} in policy["conditions"]


@pytest.mark.parametrize("filename", ["../../etc/cron.d/evil.png", "..\\..\\windows\\evil.png", "/abs/evil.PNG"])
def test_presigned_upload_strips_paths(use_service, call, filename):
    use_service()
    event = load_event("api_uploads_presign.json")
    event["body"] = json.dumps({"filename": filename, "content_type": "image/png"})
    status, body, _ = call(event)
    assert status == 201
    assert body["key"].startswith("uploads/")
    assert body["key"].count("/") == 2
    assert ".." not in body["key"]
    assert body["key"].endswith("/evil.png")


def test_presigned_upload_refuses_what_ingest_would_ignore(use_service, call):
    use_service()
    event = load_event("api_uploads_presign.json")
    event["body"] = json.dumps({"filename": "notes.txt", "content_type": "image/png"})
    assert call(event)[0] == 415
    event["body"] = json.dumps({"filename": "scan.zip", "content_type": "application/zip"})
    assert call(event)[0] == 415
    event["body"] = json.dumps({"filename": "scan.docx", "content_type": "application/pdf"})
    assert call(event)[0] == 415
    event["body"] = json.dumps({"filename": "scan.png"})
    status, body, _ = call(event)
    assert status == 400
    assert body["error"]["code"] == "invalid_request"


def test_presigned_upload_of_a_pdf(use_service, call):
    use_service()
    event = load_event("api_uploads_presign.json")
    event["body"] = json.dumps({"filename": "Scan 2024.PDF", "content_type": "application/pdf"})
    status, body, _ = call(event)

    assert status == 201, body
    # Lower-cased: the notification's .pdf filter is case-sensitive.
    assert body["key"].endswith("/Scan_2024.pdf")
    policy = json.loads(base64.b64decode(body["fields"]["policy"]))
    assert {"Content-Type": "application/pdf"} in policy["conditions"]


# --- GET /passports ------------------------------------------------------------------------
def test_search_by_surname_and_nationality(use_service, call, real_samples_dir, truth):
    service = use_service()
    for name in (SAMPLE, "deu_bdr_mustermann.jpg"):
        data = (real_samples_dir / name).read_bytes()
        service.process(data, make_source(data, bucket=None, key=None, filename=name))

    status, body, _ = call(load_event("api_search.json"))

    assert status == 200
    assert [item["extracted"]["surname"] for item in body["items"]] == [truth[SAMPLE]["surname"]]
    assert body["next_cursor"] is None


def test_search_pages_with_a_cursor(use_service, call, repository):
    use_service()
    rows = failed_rows(repository, 3)
    first_status, first, _ = call(with_query(load_event("api_search.json"), status="failed", limit="2"))
    assert first_status == 200
    assert len(first["items"]) == 2 and first["next_cursor"]

    _, second, _ = call(with_query(load_event("api_search.json"), status="failed", limit="2", cursor=first["next_cursor"]))

    seen = [item["id"] for item in first["items"] + second["items"]]
    assert sorted(seen) == sorted(str(row.id) for row in rows)
    assert second["next_cursor"] is None


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "ten"}, {"cursor": "not-a-cursor"}, {"status": "maybe"}])
def test_bad_search_parameters_are_400(use_service, call, query):
    use_service()
    status, body, _ = call(with_query(load_event("api_search.json"), **query))
    assert status == 400
    assert body["error"]["code"] in {"invalid_request", "invalid_cursor"}


def test_search_limit_is_clamped(use_service, call, repository):
    use_service()
    failed_rows(repository, 3)
    status, body, _ = call(with_query(load_event("api_search.json"), limit="100000"))
    assert status == 200
    assert len(body["items"]) == 3


# --- GET / DELETE /passports/{id} ----------------------------------------------------------
def test_get_one(use_service, call, repository):
    use_service()
    (row,) = failed_rows(repository, 1)
    status, body, _ = call(with_id(load_event("api_get.json"), str(row.id)))
    assert status == 200
    assert body == json.loads(json.dumps(row.to_api()))


def test_get_unknown_is_404_and_malformed_is_400(use_service, call):
    use_service()
    status, body, _ = call(with_id(load_event("api_get.json"), str(uuid.uuid4())))
    assert (status, body["error"]["code"]) == (404, "not_found")
    status, body, _ = call(with_id(load_event("api_get.json"), "12345"))
    assert (status, body["error"]["code"]) == (400, "invalid_id")


def test_delete_removes_the_row_and_the_image(use_service, call, repository, s3_client, upload_bucket):
    use_service(engine=NoMrzEngine())
    _, uploaded, _ = call(raw_event(blank_png(), "image/png"))
    key = uploaded["source"]["key"]
    assert s3_client.list_object_versions(Bucket=upload_bucket, Prefix=key).get("Versions")

    status, _, _ = call(with_id(load_event("api_delete.json"), uploaded["id"]))

    assert status == 204
    assert repository.get(uploaded["id"]) is None
    versions = s3_client.list_object_versions(Bucket=upload_bucket, Prefix=key)
    assert not versions.get("Versions") and not versions.get("DeleteMarkers")
    assert call(with_id(load_event("api_delete.json"), uploaded["id"]))[0] == 404


# --- docs, routing, auth -------------------------------------------------------------------
def test_openapi_document_lists_the_routes(use_service, call):
    use_service()
    event = load_event("api_health.json")
    event["path"] = event["resource"] = "/openapi.json"
    status, body, _ = call(event)
    assert status == 200
    assert {"/", "/upload", "/uploads", "/passports", "/passports/{passport_id}"} <= set(body["paths"])


def test_swagger_ui_is_served(use_service, call, lambda_context):
    use_service()
    event = load_event("api_health.json")
    event["path"] = event["resource"] = "/swagger"
    response = api.lambda_handler(event, lambda_context)
    assert response["statusCode"] == 200
    assert "swagger" in response["body"].lower() and "<html" in response["body"].lower()


def test_unknown_route_is_a_json_404(use_service, call):
    use_service()
    event = load_event("api_health.json")
    event["path"] = "/nothing-here"
    status, body, _ = call(event)
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_local_bearer_token(use_service, call, monkeypatch, repository):
    use_service()
    monkeypatch.setenv("API_AUTH_TOKEN", "s3cret-token")
    search = load_event("api_search.json")

    status, body, _ = call(search)  # the sample event carries a Cognito JWT, not our token
    assert (status, body["error"]["code"]) == (401, "unauthorized")

    search["headers"]["Authorization"] = "Bearer s3cret-token"
    assert call(search)[0] == 200

    health = load_event("api_health.json")
    assert "Authorization" not in health["headers"]
    assert call(health)[0] == 200


@pytest.mark.parametrize(
    "error, status",
    [
        (errors.EmptyInput(), 400),
        (errors.BadInput(), 400),
        (errors.InputTooLarge(), 413),
        (errors.ImageTooLarge(), 413),
        (errors.UnsupportedFormat(), 415),
        (errors.UnreadableImage(), 422),
        (errors.EncryptedPdf(), 422),
        (errors.NoMrzFound(), 422),
        (errors.UnreadableMrz(), 422),
        (errors.OcrServiceUnavailable(), 503),
        (errors.OcrServiceRateLimited(), 503),
        (errors.DatabaseUnavailable(), 503),
        (errors.StorageUnavailable(), 503),
    ],
)
def test_http_status_of_each_error(error, status):
    assert api.http_status(error) == status
    assert api.http_status(error.code) == status


def test_a_database_outage_during_upload_is_503(use_service, call):
    unreachable = Repository.from_dsn("host=127.0.0.1 port=1 dbname=none user=none", connect_timeout_s=1)
    use_service(repo=unreachable, engine=NoMrzEngine())
    status, body, _ = call(raw_event(blank_png(), "image/png"))
    assert (status, body["error"]["code"]) == (503, "database_unavailable")
