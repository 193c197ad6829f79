"""Faults lose nothing: OCR.Space failing, the database dying, messages dead-lettered and redriven.

Everything real but the clock: the ingest handler, PostgreSQL (pgserver), moto S3/SQS with the
template's redrive policy, the local poller (Lambda's SQS event source mapping), and the local
OCR.Space server. The OCR.Space client's sleeps are recorded instead of slept.
"""

from __future__ import annotations

import json
import logging

import boto3
import psycopg2
import pytest
import requests
from cfnlint.decode import cfn_yaml
from PIL import Image

import functions.api.app as api
from passport_ocr import cli
from passport_ocr.engines.ocrspace import OcrSpaceClient
from passport_ocr.errors import OcrServiceUnavailable
from passport_ocr.service import Service, make_source
from passport_ocr.settings import Settings
from passport_ocr.store import Repository, migrate
from passport_ocr_local.poller import SqsPoller
from passport_ocr_local.postgres import start_postgres
from pipeline_harness import multipart_event, ocrspace_engine, png_bytes
from support import fake_ocrspace as fake
from support.aws import REGION
from support.paths import ROOT

# The template's default: deliveries of one message before SQS moves it to the DLQ.
MAX_RECEIVE_COUNT = int(cfn_yaml.load(str(ROOT / "template.yaml"))["Parameters"]["MaxReceiveCount"]["Default"])
APPLICATION_NAME = "passport-ocr-faults"


# --- OCR.Space faults -------------------------------------------------------------------
TRANSIENT_FAULTS = {
    # scenario, the waits between the 3 attempts (jitter pinned to 1.0), the error code
    "slow": (fake.slow(), [1.0, 2.0], "ocr_service_unavailable"),
    "http-503": (fake.http_error(503, "Service Unavailable"), [1.0, 2.0], "ocr_service_unavailable"),
    "http-429": (fake.rate_limited(retry_after_s=3), [3.0, 3.0], "ocr_service_rate_limited"),
    "malformed-json": (fake.malformed_json(), [1.0, 2.0], "ocr_service_unavailable"),
    "errored-on-processing": (
        fake.processing_error(["E101: Timed out waiting for results"], exit_code=3, file_parse_exit_code=-20),
        [1.0, 2.0],
        "ocr_service_unavailable",
    ),
}


@pytest.mark.parametrize("fault", list(TRANSIENT_FAULTS))
def test_a_transient_ocr_fault_is_retried_with_backoff_then_returned_to_the_queue(
    fault, pipeline, fake_ocrspace, waits, caplog
):
    scenario, expected_waits, code = TRANSIENT_FAULTS[fault]
    fake_ocrspace.default = scenario
    pipeline.install_ingest(engine=ocrspace_engine(fake_ocrspace.url, waits, max_retries=2))
    ok_body = pipeline.upload("uploads/ok/first.png", png_bytes(61))
    failing_key = "uploads/fault/page.png"
    event = pipeline.sqs_event(pipeline.upload(failing_key, png_bytes(62)), ok_body)
    # The first image meets the fault; the second one gets an answer.
    fake_ocrspace.queue(*[scenario] * 3, fake.success(fake.SPECIMEN_PAGE))

    with caplog.at_level(logging.DEBUG):
        result = pipeline.ingest(event)

    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert len(fake_ocrspace.requests) == 3 + 1  # bounded: 1 attempt + 2 retries, then the next image
    assert waits == expected_waits
    rows, _ = pipeline.repository.search()
    assert [row.source.key for row in rows] == ["uploads/ok/first.png"]  # nothing stored for the failed one
    recorded = [r for r in caplog.records if r.getMessage() == "dependency failed, message returned to the queue"]
    assert [(r.key, r.code) for r in recorded] == [(failing_key, code)]


def test_an_ocr_error_about_the_file_is_a_failed_record_not_a_retry(pipeline, fake_ocrspace, waits):
    fake_ocrspace.default = fake.processing_error(["Unable to recognize the file type"], exit_code=3, file_parse_exit_code=-10)
    pipeline.install_ingest(engine=ocrspace_engine(fake_ocrspace.url, waits))
    event = pipeline.sqs_event(pipeline.upload("uploads/x/bad.png", png_bytes(63)))

    assert pipeline.ingest(event) == {"batchItemFailures": []}
    assert len(fake_ocrspace.requests) == 1 and waits == []
    (row,), _ = pipeline.repository.search(status="failed")
    assert row.failure["code"] == "ocr_service_error"


@pytest.fixture
def queues(mocked_aws):
    """The ingest queue and its DLQ, redrive policy as in template.yaml; failed messages come
    back at once (visibility 0) so that N receives take no time."""
    sqs = boto3.client("sqs", region_name=REGION)
    dlq_url = sqs.create_queue(QueueName="ingest-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT}
    queue_url = sqs.create_queue(
        QueueName="ingest", Attributes={"VisibilityTimeout": "0", "RedrivePolicy": json.dumps(redrive)}
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return sqs, queue_url, queue_arn, dlq_url


def bodies_in(sqs, queue_url: str) -> list[str]:
    """Every body on the queue, received with a long visibility so each is seen once."""
    found = []
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60).get("Messages"):
        found += [m["Body"] for m in batch]
    return found


def test_after_max_receive_count_the_message_is_in_the_dlq_and_redrive_brings_it_back(
    pipeline, fake_ocrspace, waits, queues, caplog
):
    sqs, queue_url, queue_arn, dlq_url = queues
    fake_ocrspace.default = fake.http_error(502, "Bad Gateway")
    pipeline.install_ingest(engine=ocrspace_engine(fake_ocrspace.url, waits, max_retries=1))
    body = pipeline.upload("uploads/dlq/page.png", png_bytes(64))
    sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    poller = SqsPoller(sqs, queue_url, queue_arn, REGION, lambda event: pipeline.ingest(event))

    with caplog.at_level(logging.WARNING):
        received = [poller.poll_once() for _ in range(MAX_RECEIVE_COUNT + 1)]

    # Delivered maxReceiveCount times, then SQS (moto) moved it instead of delivering it again.
    assert received == [1] * MAX_RECEIVE_COUNT + [0]
    assert poller.stats.succeeded == 0 and poller.stats.failed == MAX_RECEIVE_COUNT
    assert len(fake_ocrspace.requests) == MAX_RECEIVE_COUNT * 2
    assert pipeline.repository.count() == 0
    # Each delivery's failure is recorded (log line; the metric beside it), the last one by the DLQ.
    recorded = [r for r in caplog.records if r.getMessage() == "dependency failed, message returned to the queue"]
    assert [r.code for r in recorded] == ["ocr_service_unavailable"] * MAX_RECEIVE_COUNT
    attributes = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"

    # The outage ends; the operator redrives.
    fake_ocrspace.default = fake.success(fake.SPECIMEN_PAGE)
    assert cli.main(["redrive", "--queue-url", queue_url, "--dlq-url", dlq_url, "--region", REGION]) == 0
    assert poller.poll_once() == 1

    (row,), _ = pipeline.repository.search()
    assert row.status == "extracted" and row.source.key == "uploads/dlq/page.png"
    assert bodies_in(sqs, dlq_url) == [] and bodies_in(sqs, queue_url) == []


# --- falling back to the offline engine ---------------------------------------------------
def test_with_fallback_configured_a_down_ocrspace_is_replaced_by_the_local_engine(
    pipeline, fake_ocrspace, waits, real_samples_dir, real_truth
):
    fake_ocrspace.default = fake.http_error(503, "Service Unavailable")
    settings = Settings(engine="ocrspace", ocrspace_fallback_local=True)
    service = pipeline.install_ingest(settings=settings, engine=ocrspace_engine(fake_ocrspace.url, waits))
    truth = next(t for t in real_truth if t["file"] == "uto_td3_icao.png")
    event = pipeline.sqs_event(pipeline.upload("uploads/fb/td3.png", (real_samples_dir / truth["file"]).read_bytes()))

    assert pipeline.ingest(event) == {"batchItemFailures": []}

    assert len(fake_ocrspace.requests) == 3  # OCR.Space was tried, with its retries, first
    (row,), _ = pipeline.repository.search()
    assert row.status == "extracted"
    assert row.record["engine"] == "local"
    assert row.record["surname"] == truth["surname"] and row.record["document_number"] == truth["document_number"]
    assert service.engine.name == "ocrspace"  # the next image tries OCR.Space again


def test_without_fallback_a_down_ocrspace_is_raised_and_nothing_stored(pipeline, fake_ocrspace, waits, real_samples_dir):
    fake_ocrspace.default = fake.http_error(503, "Service Unavailable")
    service = pipeline.service(Settings(engine="ocrspace"), engine=ocrspace_engine(fake_ocrspace.url, waits))
    data = (real_samples_dir / "uto_td3_icao.png").read_bytes()
    with pytest.raises(OcrServiceUnavailable):
        service.process(data, make_source(data, bucket=None, key=None))
    assert pipeline.repository.count() == 0


def test_the_api_answers_503_while_ocrspace_is_down_and_201_with_the_fallback(
    pipeline, fake_ocrspace, waits, real_samples_dir
):
    fake_ocrspace.default = fake.http_error(503, "Service Unavailable")
    pipeline.install_api(settings=Settings(engine="ocrspace"), engine=ocrspace_engine(fake_ocrspace.url, waits))
    data = (real_samples_dir / "uto_td2_icao.png").read_bytes()

    status, body = pipeline.call(multipart_event(data))
    assert (status, body["error"]["code"]) == (503, "ocr_service_unavailable")
    assert pipeline.repository.count() == 0  # a retry later must find no failure in its way

    pipeline.install_api(
        settings=Settings(engine="ocrspace", ocrspace_fallback_local=True), engine=ocrspace_engine(fake_ocrspace.url, waits)
    )
    status, body = pipeline.call(multipart_event(data))
    assert (status, body["engine"], body["extracted"]["surname"]) == (201, "local", "ERIKSSON")
    assert pipeline.repository.count() == 1


def test_the_fallback_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("OCRSPACE_FALLBACK_LOCAL", "true")
    monkeypatch.setenv("OCRSPACE_API_KEY", "k")
    monkeypatch.delenv("PASSPORT_OCR_ENGINE", raising=False)
    settings = Service.from_env({}).settings
    assert settings.engine == "ocrspace" and settings.ocrspace_fallback_local is True


# --- every call ends before the function does --------------------------------------------
@pytest.fixture(scope="module")
def template() -> dict:
    return cfn_yaml.load(str(ROOT / "template.yaml"))


def function_settings(template: dict, function: str, monkeypatch) -> tuple[Settings, int]:
    """Settings as the function reads them from the environment template.yaml gives it."""
    variables = dict(template["Globals"]["Function"]["Environment"]["Variables"])
    props = template["Resources"][function]["Properties"]
    variables.update((props.get("Environment") or {}).get("Variables") or {})
    for name in ("PASSPORT_OCR_ENGINE", "OCRSPACE_TIMEOUT_S", "OCRSPACE_MAX_RETRIES", "OCRSPACE_DEADLINE_S", "OCRSPACE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        if isinstance(value, (str, int, float)):  # intrinsics (!Ref, !If) are resolved only in the cloud
            monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("OCRSPACE_API_KEY", "k")
    timeout = int(props.get("Timeout", template["Globals"]["Function"]["Timeout"]))
    return Settings.from_env(), timeout


class TimedOutSession:
    """Every POST takes its whole (connect + read) timeout on a clock we advance, then fails."""

    def __init__(self, clock: list[float]):
        self.clock = clock
        self.posts = 0

    def post(self, url, *, timeout, **_):
        self.posts += 1
        self.clock[0] += sum(timeout)
        raise requests.Timeout("read timed out")


@pytest.mark.parametrize(
    "function, adapt",
    [("IngestFunction", lambda settings: settings), ("ApiFunction", api.within_api_gateway_limit)],
    ids=["ingest", "api"],
)
def test_one_page_on_a_hanging_ocrspace_ends_before_the_function_times_out(template, monkeypatch, function, adapt):
    settings, function_timeout = function_settings(template, function, monkeypatch)
    settings = adapt(settings)
    clock = [0.0]
    session = TimedOutSession(clock)
    client = OcrSpaceClient.from_settings(
        settings, session=session, clock=lambda: clock[0], sleep=lambda s: clock.__setitem__(0, clock[0] + s), jitter=lambda: 1.0
    )

    with pytest.raises(OcrServiceUnavailable):
        client.read_page(Image.new("RGB", (120, 80), "white"))

    assert sum(client.timeout) < function_timeout
    assert client.deadline_s < function_timeout
    # Worst case, every attempt hanging to its timeout plus the backoff between attempts:
    assert clock[0] <= client.deadline_s
    # and room left in the function for the image, the database write and the answer.
    assert function_timeout - clock[0] >= 4


def test_the_database_connect_timeout_is_below_every_function_timeout(template):
    from psycopg2.extensions import parse_dsn

    from passport_ocr.service import database_dsn

    cloud_dsn = database_dsn(
        {"DB_SECRET_ARN": "arn:secret", "DB_HOST": "proxy", "DB_NAME": "passport_ocr"},
        fetch_secret=lambda arn: {"username": "u", "password": "p"},
    )
    connect_timeouts = [int(parse_dsn(cloud_dsn)["connect_timeout"]), Repository.from_dsn.__kwdefaults__["connect_timeout_s"]]
    timeouts = [
        int(f["Properties"].get("Timeout", template["Globals"]["Function"]["Timeout"]))
        for f in template["Resources"].values()
        if f["Type"] == "AWS::Serverless::Function"
    ]
    # Repository reconnects once after a dropped connection: two connects at most per call.
    assert 2 * max(connect_timeouts) < min(timeouts)


# --- the database dies mid-batch -----------------------------------------------------------
@pytest.fixture(scope="module")
def own_postgres(tmp_path_factory):
    """A server of our own: this test stops and restarts it."""
    handle = start_postgres(tmp_path_factory.mktemp("faults-pg") / "data")
    conn = psycopg2.connect(handle.dsn)
    try:
        migrate.apply(conn)
    finally:
        conn.close()
    state = {"handle": handle}
    yield state
    state["handle"].stop()


@pytest.fixture
def own_repository(own_postgres):
    dsn = own_postgres["handle"].dsn
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("TRUNCATE extractions")
    conn.close()
    repo = Repository.from_dsn(dsn, application_name=APPLICATION_NAME)
    yield repo
    repo.close()


def stop_database(own_postgres) -> None:
    own_postgres["handle"].stop()


def terminate_connections(own_postgres) -> None:
    conn = psycopg2.connect(own_postgres["handle"].dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s AND pid <> pg_backend_pid()",
            (APPLICATION_NAME,),
        )
        assert cur.rowcount >= 1
    conn.close()


class FaultAtCall:
    """Passes images to the real engine, and runs `fault` as image number `at` is being read."""

    def __init__(self, engine, at: int, fault):
        self.engine, self.at, self.fault = engine, at, fault
        self.name = engine.name
        self.calls = 0

    def mrz_candidates(self, image):
        self.calls += 1
        if self.calls == self.at:
            self.fault()
        return self.engine.mrz_candidates(image)


IMAGES = 6


@pytest.mark.parametrize("fault", ["server-stopped", "connection-terminated"])
def test_the_database_dying_mid_batch_loses_and_duplicates_nothing(
    fault, pipeline, fake_ocrspace, waits, queues, own_postgres, own_repository
):
    sqs, queue_url, queue_arn, dlq_url = queues
    stop = {"server-stopped": stop_database, "connection-terminated": terminate_connections}[fault]
    engine = FaultAtCall(ocrspace_engine(fake_ocrspace.url, waits), at=3, fault=lambda: stop(own_postgres))
    pipeline.install_ingest(engine=engine, repository=own_repository)
    keys = [f"uploads/db/{n}.png" for n in range(IMAGES)]
    for n, key in enumerate(keys):
        sqs.send_message(QueueUrl=queue_url, MessageBody=pipeline.upload(key, png_bytes(100 + n)))
    poller = SqsPoller(sqs, queue_url, queue_arn, REGION, lambda event: pipeline.ingest(event))

    assert poller.poll_once() == IMAGES

    if fault == "server-stopped":
        # Every message whose row is not committed is back on the queue, and only those.
        own_postgres["handle"] = start_postgres(own_postgres["handle"].data_dir)
        committed = {row.source.key for row in own_repository.search(limit=100)[0]}
        assert len(committed) == 2  # the images read before the database went away
        assert poller.stats.succeeded == 2 and poller.stats.failed == IMAGES - 2
        while poller.poll_once():  # redelivery, on the reconnected database
            pass
    else:
        # A dropped connection is replaced within the same call: nothing even fails.
        assert poller.stats.failed == 0

    rows, _ = own_repository.search(limit=100)
    assert sorted(row.source.key for row in rows) == sorted(keys)
    assert len({row.source.image_sha256 for row in rows}) == IMAGES
    assert all(row.status == "extracted" for row in rows)
    assert bodies_in(sqs, queue_url) == [] and bodies_in(sqs, dlq_url) == []
