"""API Gateway (REST API, Lambda proxy integration) on loopback: HTTP request <-> v1 proxy event."""

from __future__ import annotations

import base64
import json
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

# The template's binaryMediaTypes: these bodies reach the function base64-encoded.
BINARY_MEDIA_TYPES = ("multipart/form-data", "image/")
# Lambda refuses synchronous payloads above 6 MB; API Gateway answers 413 before that.
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
STAGE = "local"


def proxy_event(
    method: str,
    raw_path: str,
    headers: list[tuple[str, str]],
    body: bytes,
    *,
    source_ip: str = "127.0.0.1",
    host: str = "127.0.0.1",
) -> dict:
    """The REST API v1 proxy event API Gateway would send for this request."""
    url = urlsplit(raw_path)
    multi_headers: dict[str, list[str]] = {}
    for name, value in headers:
        multi_headers.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for name, value in parse_qsl(url.query, keep_blank_values=True):
        multi_query.setdefault(name, []).append(value)

    content_type = _header(multi_headers, "content-type") or ""
    is_binary = bool(body) and (_is_binary_type(content_type) or not _is_utf8(body))
    if not body:
        event_body = None
    elif is_binary:
        event_body = base64.b64encode(body).decode("ascii")
    else:
        event_body = body.decode("utf-8")

    path = url.path or "/"
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {name: values[-1] for name, values in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {name: values[-1] for name, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": {"proxy": path.lstrip("/")} if path != "/" else None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/{STAGE}{path}",
            "stage": STAGE,
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": host,
            "identity": {"sourceIp": source_ip, "userAgent": _header(multi_headers, "user-agent")},
        },
        "body": event_body,
        "isBase64Encoded": is_binary,
    }


def response_parts(result: dict) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body bytes from a proxy integration result, as API Gateway maps them."""
    status = int(result.get("statusCode", 200))
    headers = [(k, str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((name, str(v)) for v in values if (name, str(v)) not in headers)
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
    return status, headers, data


def _header(multi_headers: dict[str, list[str]], name: str) -> str | None:
    for key, values in multi_headers.items():
        if key.lower() == name:
            return values[-1]
    return None


def _is_binary_type(content_type: str) -> bool:
    return content_type.lower().startswith(BINARY_MEDIA_TYPES)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class ApiGatewayServer:
    """A threaded HTTP server that hands every request to `invoke(event) -> proxy result`."""

    def __init__(self, invoke: Callable[[dict], dict], host: str, port: int, log: Callable[[str], None] | None = None):
        self._invoke = invoke
        self._log = log
        handler = self._request_handler_class()
        # Raises OSError (EADDRINUSE) when the port is taken; the caller words the message.
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, name="api-gateway", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join()

    def _request_handler_class(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_PAYLOAD_BYTES:
                    self._send(413, [("Content-Type", "application/json")],
                               json.dumps({"message": "Request Entity Too Large"}).encode())
                    self.close_connection = True
                    return
                body = self.rfile.read(length) if length else b""
                event = proxy_event(
                    self.command,
                    self.path,
                    list(self.headers.items()),
                    body,
                    source_ip=self.client_address[0],
                    host=self.headers.get("Host", "127.0.0.1"),
                )
                try:
                    result = gateway._invoke(event)
                    status, headers, data = response_parts(result)
                except Exception:
                    # What API Gateway answers when the integration fails.
                    traceback.print_exc(file=sys.stderr)
                    status, headers = 502, [("Content-Type", "application/json")]
                    data = json.dumps({"message": "Internal server error"}).encode()
                self._send(status, headers, data)

            def _send(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _handle

            def log_message(self, format: str, *args) -> None:
                if gateway._log:
                    gateway._log(f"api {self.command} {self.path} -> {args[1] if len(args) > 1 else ''}")

        return Handler
