"""The local stack: the event adapters on their own, then the whole stack in a subprocess."""

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from passport_ocr_local import aws, state
from passport_ocr_local.apigw import proxy_event, response_parts
from passport_ocr_local.poller import failed_message_ids, sqs_event
from passport_ocr_local.redrive import redrive
from passport_ocr_local.waiting import wait_for

STARTUP_TIMEOUT_S = 90
RECORD_TIMEOUT_S = 180
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


# --- the adapters: what API Gateway and the SQS event source mapping would hand to Lambda ----
def test_proxy_event_has_the_rest_v1_shape_and_base64_for_binary_bodies():
    image = b"\x89PNG\r\n\x1a\n\x00\xff"
    event = proxy_event(
        "POST",
        "/upload?fields=mrz&tag=a&tag=b",
        [("Content-Type", "image/png"), ("Authorization", "Bearer t"), ("X-Trace", "1"), ("X-Trace", "2")],
        image,
    )
    assert event["httpMethod"] == "POST" and event["path"] == "/upload"
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == image
    assert event["queryStringParameters"] == {"fields": "mrz", "tag": "b"}
    assert event["multiValueQueryStringParameters"]["tag"] == ["a", "b"]
    assert event["headers"]["Authorization"] == "Bearer t"
    assert event["multiValueHeaders"]["X-Trace"] == ["1", "2"]
    assert event["requestContext"]["httpMethod"] == "POST"
    assert event["requestContext"]["identity"]["sourceIp"] == "127.0.0.1"


def test_proxy_event_keeps_json_bodies_as_text_and_empty_ones_as_none():
    event = proxy_event("POST", "/uploads", [("Content-Type", "application/json")], b'{"filename": "a.jpg"}')
    assert event["isBase64Encoded"] is False
    assert json.loads(event["body"]) == {"filename": "a.jpg"}
    empty = proxy_event("GET", "/", [], b"")
    assert empty["body"] is None and empty["queryStringParameters"] is None and empty["pathParameters"] is None


def test_response_parts_decode_base64_bodies_and_merge_multi_value_headers():
    status, headers, body = response_parts(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "image/png"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": base64.b64encode(b"\x00\x01").decode(),
            "isBase64Encoded": True,
        }
    )
    assert status == 201 and body == b"\x00\x01"
    assert ("Set-Cookie", "a=1") in headers and ("Set-Cookie", "b=2") in headers


def _messages(n):
    return [{"MessageId": f"m{i}", "ReceiptHandle": f"r{i}", "Body": f'{{"n": {i}}}', "Attributes": {}} for i in range(n)]


def test_sqs_event_and_batch_item_failures_follow_lambdas_rules():
    event = sqs_event(_messages(3), "arn:aws:sqs:us-east-1:123456789012:q", "us-east-1")
    assert [r["messageId"] for r in event["Records"]] == ["m0", "m1", "m2"]
    assert event["Records"][0]["eventSource"] == "aws:sqs"
    assert failed_message_ids({"batchItemFailures": []}, event) == set()
    assert failed_message_ids({"batchItemFailures": [{"itemIdentifier": "m1"}]}, event) == {"m1"}
    # An identifier Lambda cannot match fails the whole batch.
    assert failed_message_ids({"batchItemFailures": [{"itemIdentifier": ""}]}, event) == {"m0", "m1", "m2"}
    assert failed_message_ids({"batchItemFailures": [{"itemIdentifier": "zz"}]}, event) == {"m0", "m1", "m2"}


def test_poller_deletes_only_successes_and_failures_reach_the_dlq_after_max_receives():
    from moto import mock_aws

    from passport_ocr_local.poller import SqsPoller

    with mock_aws():
        import boto3

        sqs = boto3.client("sqs", region_name="us-east-1")
        dlq = sqs.create_queue(QueueName="dead")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        # Visibility 0: a failed message is visible again at once, so the test needs no waiting.
        queue = sqs.create_queue(
            QueueName="main",
            Attributes={"VisibilityTimeout": "0",
                        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})},
        )["QueueUrl"]
        sqs.send_message(QueueUrl=queue, MessageBody="good")
        sqs.send_message(QueueUrl=queue, MessageBody="bad")
        calls = []

        def handler(event):
            calls.append([record["body"] for record in event["Records"]])
            return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "bad"]}

        poller = SqsPoller(sqs, queue, "arn:aws:sqs:us-east-1:123456789012:main", "us-east-1", handler)
        while poller.poll_once():
            assert len(calls) < 10, "the failing message never left the queue"

        assert sorted(calls[0]) == ["bad", "good"]
        assert calls[1:] == [["bad"], ["bad"]]  # received 3 times in all, then moved by the redrive policy
        assert (poller.stats.succeeded, poller.stats.failed) == (1, 3)
        dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
        assert [m["Body"] for m in dead] == ["bad"]


def test_redrive_moves_every_dead_letter_back_once():
    from moto import mock_aws

    with mock_aws():
        import boto3

        sqs = boto3.client("sqs", region_name="us-east-1")
        queue = sqs.create_queue(QueueName="main")["QueueUrl"]
        dlq = sqs.create_queue(QueueName="dead")["QueueUrl"]
        bodies = {f"body-{i}" for i in range(23)}
        for body in bodies:
            sqs.send_message(QueueUrl=dlq, MessageBody=body)

        result = redrive(sqs, dlq, queue)

        assert result.moved == 23 and result.failed == []
        moved = []
        while batch := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages"):
            moved += [m["Body"] for m in batch]
        assert sorted(moved) == sorted(bodies)
        assert sqs.receive_message(QueueUrl=dlq).get("Messages") is None


def test_a_taken_api_port_is_refused_with_a_clear_message_before_anything_starts(tmp_path):
    from passport_ocr_local.stack import LocalStack, StackError, StackOptions

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(StackError, match=f"port {port} .* already in use.*--port"):
            LocalStack(StackOptions(data_dir=tmp_path, api_port=port)).start()
    assert not (tmp_path / "pgdata").exists()  # failed before starting PostgreSQL


# --- the whole stack, as `make run` starts it -------------------------------------------------
def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "passport_ocr.cli", *args]


def _offline_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCRSPACE_", "AWS_", "PASSPORT_OCR_"))}
    env["PASSPORT_OCR_ENGINE"] = "local"
    return env


def _listening(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((parts.hostname, parts.port)) == 0


@pytest.fixture
def running_stack(tmp_path):
    data_dir = tmp_path / "local"
    log = open(tmp_path / "stack.log", "w+")
    process = subprocess.Popen(
        _cli("local-stack", "--no-demo", "--port", "0", "--moto-port", "0", "--data-dir", str(data_dir)),
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_offline_env(),
    )

    def started():
        if process.poll() is not None:
            log.seek(0)
            raise AssertionError(f"local-stack exited with {process.returncode}:\n{log.read()}")
        return state.running(data_dir)

    try:
        info = wait_for(started, timeout_s=STARTUP_TIMEOUT_S, what="the local stack's state file")
        yield info, data_dir, process
    finally:
        if process.poll() is None:  # the test failed before stopping it: stop it the clean way
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
                # A killed stack cannot stop its PostgreSQL: ask the postmaster for a fast shutdown.
                pid_file = data_dir / "pgdata" / "postmaster.pid"
                if pid_file.exists():
                    os.kill(int(pid_file.read_text().split()[0]), signal.SIGINT)
        log.close()


@pytest.mark.e2e
def test_stack_extracts_a_dropped_image_and_serves_it_only_with_the_token(running_stack, real_samples_dir, real_truth):
    info, data_dir, process = running_stack
    truth = next(t for t in real_truth if t["file"] == "uto_td3_icao.png")
    key = "uploads/e2e/uto td3.png"  # a space: S3 notifies it as '+'
    aws.client("s3", info.endpoint_url, info.region).put_object(
        Bucket=info.bucket, Key=key, Body=(real_samples_dir / "uto_td3_icao.png").read_bytes()
    )

    auth = {"Authorization": f"Bearer {info.api_token}"}
    search = f"{info.api_url}/passports"

    def stored():
        found = requests.get(search, params={"document_number": truth["document_number"]}, headers=auth, timeout=30)
        assert found.status_code == 200, found.text
        return found.json()["items"]

    [item] = wait_for(stored, timeout_s=RECORD_TIMEOUT_S, interval_s=0.5, what="the ingested record")
    one = requests.get(f"{search}/{item['id']}", headers=auth, timeout=30)
    assert one.status_code == 200
    record = one.json()
    assert record["source"]["key"] == key
    assert record["source"]["bucket"] == info.bucket
    for name in ("surname", "given_names", "document_number", "date_of_birth", "nationality"):
        assert record["extracted"][name] == truth[name], name

    assert requests.get(search, timeout=30).status_code == 401
    assert requests.get(f"{search}/{item['id']}", headers={"Authorization": "Bearer wrong"}, timeout=30).status_code == 401
    assert requests.get(f"{info.api_url}/", timeout=30).status_code == 200  # health stays open

    # Ctrl-C stops everything: the process, both servers, PostgreSQL, and the state file goes.
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    assert not _listening(info.api_url)
    assert not _listening(info.endpoint_url)
    assert state.read(data_dir) is None
    import psycopg2

    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(info.database_url, connect_timeout=3)


@pytest.mark.e2e
def test_ingest_and_redrive_commands_use_the_running_stack(running_stack, real_samples_dir, tmp_path):
    info, data_dir, process = running_stack
    folder = tmp_path / "scans"
    folder.mkdir()
    shutil.copy(real_samples_dir / "uto_td3_icao.png", folder / "Passport.PNG")
    (folder / "letter.jpg").write_text("not an image")
    (folder / "notes.txt").write_text("skipped: not an image suffix")

    done = subprocess.run(
        _cli("ingest", str(folder), "--data-dir", str(data_dir), "--timeout", str(RECORD_TIMEOUT_S)),
        capture_output=True, text=True, timeout=RECORD_TIMEOUT_S + 60, env=_offline_env(),
    )
    assert done.returncode == 0, done.stderr
    summary = done.stdout
    assert "uploaded 2 file(s)" in summary
    assert "notes.txt" in summary  # skipped
    assert "failed letter.jpg: unsupported_format" in summary
    assert "no record yet" not in summary

    # A dead letter goes back to the ingest queue and the poller consumes it.
    sqs = aws.client("sqs", info.endpoint_url, info.region)
    sqs.send_message(QueueUrl=info.dlq_url, MessageBody=json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"}))
    moved = subprocess.run(_cli("redrive", "--data-dir", str(data_dir)), capture_output=True, text=True,
                           timeout=60, env=_offline_env())
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.startswith("moved 1 message(s)")

    def drained():
        attributes = sqs.get_queue_attributes(QueueUrl=info.queue_url, AttributeNames=["All"])["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"]) == 0

    wait_for(drained, timeout_s=60, what="the redriven message to be consumed")

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0


@pytest.mark.e2e
def test_local_stack_once_runs_the_demo_on_the_bundled_sample_and_can_run_again(tmp_path):
    truth = json.loads((SAMPLES / "sample_passport.truth.json").read_text())
    command = _cli("local-stack", "--once", "--port", "0", "--moto-port", "0", "--data-dir", str(tmp_path / "local"))
    for run in ("first", "second"):  # the second run finds the data of the first
        done = subprocess.run(command, capture_output=True, text=True, timeout=RECORD_TIMEOUT_S + 60, env=_offline_env())
        assert done.returncode == 0, f"{run} run:\n{done.stdout}\n{done.stderr}"
        assert f'"document_number": "{truth["document_number"]}"' in done.stdout
        for name in ("surname", "date_of_birth", "date_of_issue", "place_of_birth"):
            assert f'"{name}": "{truth[name]}"' in done.stdout, name
        assert "the same record" in done.stdout  # POST /upload of the same image: one record
    assert state.read(tmp_path / "local") is None
