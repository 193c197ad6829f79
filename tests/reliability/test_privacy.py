"""Passports stay private: the API wants a token, logs never hold what a passport says, and the
template encrypts, enforces TLS and grants no wildcard rights.
"""

from __future__ import annotations

import json
import logging
import re
from contextlib import contextmanager
from datetime import date

import pytest
from cfnlint.decode import cfn_yaml

import functions.api.app as api
import functions.ingest.app as ingest
import passport_synth
from passport_ocr.errors import NoMrzFound
from passport_ocr.service import make_source
from pipeline_harness import multipart_event, ocrspace_engine, png_bytes
from support import fake_ocrspace as fake
from support.paths import ROOT, load_event

TOKEN = "local-test-token-7f3a"


# --- the local bearer token -----------------------------------------------------------------
def without_authorization(event: dict) -> dict:
    for headers in (event.get("headers") or {}, event.get("multiValueHeaders") or {}):
        for name in [n for n in headers if n.lower() == "authorization"]:
            del headers[name]
    return event


def with_authorization(event: dict, value: str) -> dict:
    event = without_authorization(event)
    event["headers"]["Authorization"] = value
    event.setdefault("multiValueHeaders", {})["Authorization"] = [value]
    return event


def protected_requests(stored_id: str) -> dict[str, dict]:
    get, delete = load_event("api_get.json"), load_event("api_delete.json")
    for event in (get, delete):
        event["path"] = f"/passports/{stored_id}"
        event["pathParameters"] = {"passport_id": stored_id}
    return {
        "upload": multipart_event(png_bytes(50)),
        "presign": load_event("api_uploads_presign.json"),
        "search": load_event("api_search.json"),
        "get": get,
        "delete": delete,
    }


@pytest.fixture
def stored(pipeline, monkeypatch):
    pipeline.install_api()
    monkeypatch.setenv("API_AUTH_TOKEN", TOKEN)
    row, _ = pipeline.repository.save(None, make_source(b"x", bucket=None, key=None), error=NoMrzFound())
    return row


@pytest.mark.parametrize("route", ["upload", "presign", "search", "get", "delete"])
@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", f"Bearer {TOKEN}x", TOKEN, f"Basic {TOKEN}", f"bearer {TOKEN[:-1]}"],
    ids=["absent", "empty", "no-token", "wrong-token", "no-scheme", "basic", "truncated"],
)
def test_protected_routes_answer_401_without_the_bearer_token(pipeline, stored, route, authorization):
    event = protected_requests(str(stored.id))[route]
    event = without_authorization(event) if authorization is None else with_authorization(event, authorization)

    status, body = pipeline.call(event)

    assert status == 401
    assert body == {"error": {"code": "unauthorized", "message": "missing or invalid bearer token"}}
    assert pipeline.repository.count() == 1  # nothing written, nothing deleted
    assert pipeline.s3.list_objects_v2(Bucket=pipeline.bucket).get("KeyCount") == 0


@pytest.mark.parametrize("route", ["search", "get", "delete"])
def test_the_right_token_is_let_through(pipeline, stored, route):
    event = with_authorization(protected_requests(str(stored.id))[route], f"Bearer {TOKEN}")
    status, _ = pipeline.call(event)
    assert status in (200, 204)


@pytest.mark.parametrize("event_name, path", [("api_health.json", "/"), ("api_health.json", "/openapi.json")])
def test_health_and_the_api_document_are_open(pipeline, stored, event_name, path):
    event = without_authorization(load_event(event_name))
    event["path"] = event["resource"] = path
    status, _ = pipeline.call(event)
    assert status == 200


# --- no personal data in logs -----------------------------------------------------------------
class CaptureEverything(logging.Handler):
    """Every log record of every logger, formatted with its extra fields and traceback."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + " " + repr(vars(record)))


@contextmanager
def debug_logging_captured():
    capture = CaptureEverything()
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        # Loggers that do not propagate (Powertools') get the handler themselves; the others
        # reach it through the root. DEBUG everywhere, as LOG_LEVEL=DEBUG would set it.
        logger.setLevel(logging.DEBUG)
        if not logger.propagate or logger is logging.getLogger():
            logger.addHandler(capture)
    try:
        yield capture
    finally:
        for logger, level in saved:
            logger.setLevel(level)
            if capture in logger.handlers:
                logger.removeHandler(capture)


def yymmdd(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%y%m%d")


def personal_values(truth: dict) -> list[str]:
    values = [truth["surname"], truth["given_names"], truth.get("full_surname"), truth.get("full_given_names")]
    values += truth["given_names"].split() + truth["surname"].split()
    values += [truth["document_number"], truth["date_of_birth"], yymmdd(truth["date_of_birth"]), truth.get("personal_number")]
    values += truth["mrz"]
    return [value for value in values if value and len(value) >= 3]


def leaks(text: str, truth: dict) -> list[str]:
    found = []
    for value in personal_values(truth):
        # Bounded by non-alphanumerics, so that a date's digits inside a uuid or a hash do not count.
        if re.search(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])", text, flags=re.IGNORECASE):
            found.append(value)
    return found


# (seed, condition, format): passports and an ID card with a personal number.
GENERATED = [(1, "scan", "TD3"), (2, "clean", "TD3"), (7, "scan", "TD1"), (4, "clean", "TD2")]


@pytest.fixture(scope="module")
def generated():
    return [passport_synth.generate(seed, condition, doc_format) for seed, condition, doc_format in GENERATED]


def test_the_whole_pipeline_at_debug_level_logs_no_passport_field(pipeline, generated, fake_ocrspace, waits, capfd):
    via_api, via_ingest, failing_ocr = generated[:2], generated[2:], generated[0]
    pipeline.install_api()
    pipeline.install_ingest()

    with debug_logging_captured() as capture:
        assert ingest.logger.log_level == logging.DEBUG  # Powertools' own logger at DEBUG too
        answers = [pipeline.call(multipart_event(sample.data, filename=f"scan.{sample.extension}")) for sample in via_api]
        bodies = [pipeline.upload(f"uploads/privacy/{n}.{s.extension}", s.data) for n, s in enumerate(via_ingest)]
        ingest_result = pipeline.ingest(pipeline.sqs_event(*bodies))
        # A transient fault whose raw answer quotes the page: OCR.Space cut off mid-JSON.
        truncated = json.dumps(fake.success_body(failing_ocr.truth["mrz"]))[:150].encode()
        fake_ocrspace.default = fake.Scenario(status=200, body=truncated)
        pipeline.install_ingest(engine=ocrspace_engine(fake_ocrspace.url, waits, max_retries=1))
        fault_event = pipeline.sqs_event(pipeline.upload("uploads/privacy/fault.png", png_bytes(95)))
        try:
            fault_result = pipeline.ingest(fault_event)
        except Exception as error:  # every record failed: Powertools raises, and Lambda logs it
            logging.getLogger("lambda-runtime").error("invocation failed", exc_info=error)
            fault_result = None
    printed = capfd.readouterr()

    # The pipeline did read the passports: what must not be logged was known to it.
    assert [status for status, _ in answers] == [201, 201]
    assert ingest_result == {"batchItemFailures": []}
    rows, _ = pipeline.repository.search(limit=10)
    extracted = {row.record["document_number"] for row in rows if row.status == "extracted"}
    assert len(extracted) >= 3, "too few passports were read for this test to mean anything"
    assert fault_result in (None, {"batchItemFailures": [{"itemIdentifier": fault_event["Records"][0]["messageId"]}]})
    assert any(str(row.id) in line for row in rows for line in capture.lines), "the capture saw no handler log"

    everything = "\n".join(capture.lines) + printed.out + printed.err
    for sample in generated:
        assert leaks(everything, sample.truth) == [], sample.truth["document_number"]


def test_the_leak_check_finds_a_leak():
    # The check above would be worthless if it could not see a value when one is logged.
    sample = passport_synth.generate(1, "clean", "TD3")
    truth = sample.truth
    with debug_logging_captured() as capture:
        ingest.logger.debug("oops", extra={"dob": yymmdd(truth["date_of_birth"])})
        api.logger.info(f"read {truth['mrz'][1]}")
    assert leaks("\n".join(capture.lines), truth) == [yymmdd(truth["date_of_birth"]), truth["mrz"][1]]


# --- the template ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def template() -> dict:
    return cfn_yaml.load(str(ROOT / "template.yaml"))


SECRET_NAME = re.compile(r"secret|password|passwd|token|apikey|api_key|credential|privatekey", re.IGNORECASE)


def test_no_parameter_ships_a_secret_default(template):
    for name, parameter in template["Parameters"].items():
        default = str(parameter.get("Default", ""))
        if SECRET_NAME.search(name) and not name.endswith("Arn"):
            assert default == "" and parameter.get("NoEcho") is True, name
        # An ARN parameter names a secret; its default must not be a value that looks like one.
        assert not re.search(r"[A-Za-z0-9+/]{32,}", default), f"{name} has a default that looks like a key"


def statements(policy) -> list[dict]:
    if isinstance(policy, dict) and "Statement" in policy:
        found = policy["Statement"]
        return found if isinstance(found, list) else [found]
    return []


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def test_no_function_or_role_grants_every_action_on_every_resource(template):
    checked = 0
    for name, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        documents = []
        if resource["Type"] == "AWS::Serverless::Function":
            for policy in props.get("Policies", []):
                if isinstance(policy, str):
                    # A managed policy by name: only narrow AWS ones are acceptable.
                    assert "FullAccess" not in policy and "Administrator" not in policy, (name, policy)
                elif "Statement" not in policy:
                    # SAM policy templates ({"S3ReadPolicy": {"BucketName": ...}}) are scoped by
                    # their parameters: none may be a wildcard.
                    for template_name, parameters in policy.items():
                        if isinstance(parameters, dict) and template_name != "Fn::If":
                            assert "*" not in map(str, parameters.values()), (name, template_name)
                documents.append(policy)
        elif resource["Type"] in ("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            documents += [p.get("PolicyDocument") for p in props.get("Policies", [])]
            documents.append(props.get("PolicyDocument"))
            assert not any("AdministratorAccess" in str(arn) for arn in props.get("ManagedPolicyArns", [])), name
        for document in documents:
            for statement in statements(document):
                if statement.get("Effect") != "Allow":
                    continue
                checked += 1
                actions = [str(a) for a in as_list(statement.get("Action", []))]
                resources = [str(r) for r in as_list(statement.get("Resource", []))]
                wildcard_action = any(a == "*" or a.endswith(":*") for a in actions)
                assert not (wildcard_action and "*" in resources), (name, statement)
                assert "*" not in actions, (name, statement)
    assert checked >= 2  # the proxy role's and the API function's own statements were looked at


def test_data_at_rest_and_in_transit_is_encrypted(template):
    resources = template["Resources"]
    rule = resources["UploadBucket"]["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert resources["Database"]["Properties"]["StorageEncrypted"] is True
    deny_http = [
        s for s in resources["UploadBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert deny_http
    # The database is reached through the proxy with TLS required, and the functions ask for it.
    assert resources["DatabaseProxy"]["Properties"]["RequireTLS"] is True
    from passport_ocr import service

    assert service.CLOUD_SSLMODE in ("require", "verify-ca", "verify-full")
