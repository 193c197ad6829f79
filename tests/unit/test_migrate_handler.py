"""The migration custom resource: real PostgreSQL, CloudFormation's response URL on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2
import pytest

import functions.migrate.app as migrate_app
from passport_ocr.store import migrate


@pytest.fixture
def response_url():
    """A stand-in for CloudFormation's presigned S3 URL: records each PUT body."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self):
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/response", received
    server.shutdown()
    server.server_close()


def cfn_event(request_type: str, url: str) -> dict:
    return {
        "RequestType": request_type,
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/passport-ocr/1",
        "RequestId": "req-1",
        "LogicalResourceId": "DatabaseSchema",
        "ResourceType": "Custom::DatabaseMigration",
        "ResourceProperties": {"CoreLayerVersion": "arn:aws:lambda:us-east-1:123456789012:layer:core:7"},
    }


def test_create_migrates_an_empty_database(postgres_server, response_url, monkeypatch, lambda_context):
    url, received = response_url
    conn = psycopg2.connect(postgres_server.dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS migrate_handler_test")
        cur.execute("CREATE DATABASE migrate_handler_test")
    conn.close()
    dsn = psycopg2.extensions.make_dsn(postgres_server.dsn, dbname="migrate_handler_test")
    monkeypatch.setenv("DATABASE_URL", dsn)

    migrate_app.lambda_handler(cfn_event("Create", url), lambda_context)

    (response,) = received
    assert response["Status"] == "SUCCESS", response["Reason"]
    assert response["RequestId"] == "req-1" and response["LogicalResourceId"] == "DatabaseSchema"
    expected = [m.version for m in migrate.discover()]
    assert response["Data"]["Applied"] == ",".join(expected)
    check = psycopg2.connect(dsn)
    try:
        assert migrate.applied_versions(check) == expected
    finally:
        check.close()

    migrate_app.lambda_handler(cfn_event("Update", url), lambda_context)
    assert received[1]["Status"] == "SUCCESS" and received[1]["Data"]["Applied"] == "none"


def test_a_failure_is_reported_to_cloudformation(response_url, monkeypatch, lambda_context):
    url, received = response_url
    monkeypatch.setenv("DATABASE_URL", "host=127.0.0.1 port=1 dbname=none user=none connect_timeout=1")

    migrate_app.lambda_handler(cfn_event("Create", url), lambda_context)

    (response,) = received
    assert response["Status"] == "FAILED"
    assert "OperationalError" in response["Reason"]


def test_delete_keeps_the_data(response_url, monkeypatch, lambda_context):
    url, received = response_url
    monkeypatch.setenv("DATABASE_URL", "host=127.0.0.1 port=1 dbname=none user=none connect_timeout=1")
    event = cfn_event("Delete", url) | {"PhysicalResourceId": "passport-ocr-schema"}

    migrate_app.lambda_handler(event, lambda_context)

    (response,) = received
    assert response["Status"] == "SUCCESS"
    assert response["PhysicalResourceId"] == "passport-ocr-schema"
