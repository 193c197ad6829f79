"""Service: one image in, one stored extraction out, with the real store and the real engine."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from psycopg2.extensions import parse_dsn

from passport_ocr.errors import OcrServiceUnavailable
from passport_ocr.service import Service, database_dsn, make_source, unread_object_source
from passport_ocr.settings import Settings

SAMPLE = "uto_td3_icao.png"


class NoMrzEngine:
    """An engine that finds nothing: the pipeline then reports NoMrzFound."""

    name = "fake-empty"

    def __init__(self):
        self.calls = 0

    def mrz_candidates(self, image):
        self.calls += 1
        return iter(())


class DownEngine:
    """An engine whose OCR service is down."""

    name = "fake-down"

    def mrz_candidates(self, image):
        raise OcrServiceUnavailable("OCR service timed out")


def png_bytes(width: int = 64, height: int = 40) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def sample(real_samples_dir, real_truth) -> tuple[bytes, dict]:
    truth = next(t for t in real_truth if t["file"] == SAMPLE)
    return (real_samples_dir / SAMPLE).read_bytes(), truth


def source_for(data: bytes, key: str = "uploads/x/passport.png"):
    return make_source(data, bucket="bucket", key=key, filename=key.rsplit("/", 1)[-1], content_type="image/png")


def test_process_extracts_and_stores_a_real_passport(repository, sample):
    data, truth = sample
    service = Service(Settings(), repository=repository)

    stored, created = service.process(data, source_for(data))

    assert created
    assert stored.status == "extracted"
    api = stored.to_api()
    for name in ("surname", "given_names", "document_number", "nationality", "date_of_birth", "date_of_expiry"):
        assert api["extracted"][name] == truth[name], name
    assert api["mrz"]["lines"] == truth["mrz"]
    assert repository.get(stored.id).to_api() == api


def test_the_same_image_is_not_read_twice(repository, sample):
    data, _ = sample
    first, _ = Service(Settings(), repository=repository).process(data, source_for(data))
    never_called = NoMrzEngine()

    again, created = Service(Settings(), repository=repository, engine=never_called).process(
        data, source_for(data, key="uploads/y/again.png")
    )

    assert not created
    assert again.id == first.id
    assert never_called.calls == 0


def test_unusable_input_is_stored_as_a_failure_with_its_reason(repository):
    data = b"%PDF-not really an image"
    stored, created = Service(Settings(), repository=repository).process(data, source_for(data))

    assert created
    assert stored.status == "failed"
    assert stored.failure["code"] == "unreadable_image"  # a PDF header on something that is not a PDF
    assert repository.get_by_sha256(stored.source.image_sha256).id == stored.id


def test_no_mrz_is_a_stored_failure(repository):
    data = png_bytes()
    engine = NoMrzEngine()
    stored, _ = Service(Settings(), repository=repository, engine=engine).process(data, source_for(data))

    assert engine.calls == 1
    assert stored.status == "failed"
    assert stored.failure["code"] == "no_mrz_found"


def test_a_failing_ocr_service_is_raised_and_nothing_is_stored(repository):
    data = png_bytes()
    with pytest.raises(OcrServiceUnavailable):
        Service(Settings(), repository=repository, engine=DownEngine()).process(data, source_for(data))
    assert repository.count() == 0


def test_a_stored_failure_is_read_again_and_replaced_by_a_success(repository, sample):
    data, truth = sample
    failed, _ = Service(Settings(), repository=repository, engine=NoMrzEngine()).process(data, source_for(data))
    assert failed.status == "failed"

    fixed, created = Service(Settings(), repository=repository).process(data, source_for(data))

    assert not created
    assert fixed.id == failed.id
    assert fixed.status == "extracted"
    assert fixed.to_api()["extracted"]["document_number"] == truth["document_number"]


def test_record_failure_for_an_object_too_large_to_download(repository):
    source = unread_object_source(bucket="b", key="uploads/big.png", version="v1", size=10**9)
    from passport_ocr.errors import InputTooLarge

    stored, created = Service(Settings(), repository=repository).record_failure(source, InputTooLarge("too big"))
    again, created_again = Service(Settings(), repository=repository).record_failure(source, InputTooLarge("too big"))

    assert created and not created_again
    assert again.id == stored.id
    assert stored.failure == {"code": "input_too_large", "message": "too big"}
    assert stored.source.image_bytes == 10**9


def test_unread_object_identity_depends_on_the_object_version():
    a = unread_object_source(bucket="b", key="k.png", version="1", size=1)
    b = unread_object_source(bucket="b", key="k.png", version="2", size=1)
    assert a.image_sha256 != b.image_sha256
    assert a.image_sha256 == unread_object_source(bucket="b", key="k.png", version="1", size=1).image_sha256


def test_from_env_builds_nothing_until_used(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("DB_SECRET_ARN", raising=False)
    monkeypatch.setenv("BUCKET_NAME", "the-bucket")
    monkeypatch.setenv("PASSPORT_OCR_ENGINE", "local")

    service = Service.from_env()

    assert service.bucket_name == "the-bucket"
    assert service.engine_name == "local"
    assert service._engine is None and service._repository is None
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        service.repository


def test_database_url_wins():
    assert database_dsn({"DATABASE_URL": "postgresql://u:p@h/db", "DB_SECRET_ARN": "arn"}) == "postgresql://u:p@h/db"


def test_database_dsn_from_the_rds_secret_and_the_proxy_endpoint(secretsmanager_client):
    # The RDS-managed master secret holds only the user name and the password.
    arn = secretsmanager_client.create_secret(
        Name="rds!db-1234", SecretString=json.dumps({"username": "passport_admin", "password": "p@ss word'\\"})
    )["ARN"]

    dsn = database_dsn({"DB_SECRET_ARN": arn, "DB_HOST": "proxy.example.internal", "DB_NAME": "passport_ocr"})

    parsed = parse_dsn(dsn)
    assert parsed["host"] == "proxy.example.internal"
    assert parsed["port"] == "5432"
    assert parsed["dbname"] == "passport_ocr"
    assert parsed["user"] == "passport_admin"
    assert parsed["password"] == "p@ss word'\\"
    assert parsed["sslmode"] == "require"


def test_the_ocrspace_key_is_fetched_from_its_secret(secretsmanager_client, monkeypatch):
    arn = secretsmanager_client.create_secret(Name="ocrspace", SecretString="K-secret-key")["ARN"]
    monkeypatch.delenv("OCRSPACE_API_KEY", raising=False)
    monkeypatch.delenv("PASSPORT_OCR_ENGINE", raising=False)
    monkeypatch.setenv("OCRSPACE_SECRET_ARN", arn)

    service = Service.from_env()

    assert service.engine_name == "ocrspace"
    assert service.settings.ocrspace_api_key is None
    assert service.engine_settings().ocrspace_api_key == "K-secret-key"
    assert service.engine.client.api_key == "K-secret-key"


def test_the_ocrspace_key_may_be_a_json_secret(secretsmanager_client, monkeypatch):
    arn = secretsmanager_client.create_secret(Name="ocrspace-json", SecretString=json.dumps({"apiKey": "K-json"}))["ARN"]
    service = Service(Settings(engine="ocrspace", ocrspace_secret_arn=arn))
    assert service.engine_settings().ocrspace_api_key == "K-json"


def test_the_repository_connects_with_the_rds_secret(secretsmanager_client, postgres_dsn):
    target = parse_dsn(postgres_dsn)
    arn = secretsmanager_client.create_secret(
        Name="rds!db-5678",
        SecretString=json.dumps({"username": target.get("user", "postgres"), "password": target.get("password", "")}),
    )["ARN"]
    environ = {"DB_SECRET_ARN": arn, "DB_HOST": target["host"], "DB_PORT": target.get("port", "5432"), "DB_NAME": target["dbname"]}
    # A Unix socket takes no TLS; over TCP (the RDS Proxy) sslmode=require applies.
    if target["host"].startswith("/"):
        environ["DB_SSLMODE"] = "disable"

    service = Service.from_env(environ)

    assert service.repository.ping() is True
    assert service.repository.count() >= 0
