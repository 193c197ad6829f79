"""A local HTTP server that speaks OCR.Space's Parse API protocol, for tests and the local stack.

It parses the multipart form for real, checks the API key and the upload size like the
free plan does, records every request, and answers with the next queued scenario (or the
default one). Used as the pytest fixture `fake_ocrspace`, or as a process:

    python tests/support/fake_ocrspace.py --port 8089 --api-key local-key [--response canned.json]

The response shapes follow OCR.Space's documentation (ParsedResults[].TextOverlay.Lines[]
.Words[], OCRExitCode, IsErroredOnProcessing, ErrorMessage as a list of strings).
"""

from __future__ import annotations

import argparse
import base64
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FREE_PLAN_MAX_UPLOAD_BYTES = 1024 * 1024
FILE_TOO_LARGE_MESSAGE = "File failed validation. File size exceeds the maximum permissible file size limit of 1024 KB"

# The layout of overlays built from plain text lines, in upload pixels.
CHAR_WIDTH = 12.0
LINE_HEIGHT = 20.0
LINE_PITCH = 40.0
PAGE_MARGIN = 30.0

# The ICAO 9303 TD3 specimen with some printed text above it: the default answer. It prints
# its place of birth, date of issue and authority, as passports do (a passport page without
# them is flagged).
SPECIMEN_PAGE = [
    "PASSPORT PASSEPORT",
    "UTOPIA",
    "Surname / Nom ERIKSSON",
    "Place of birth / Lieu de naissance",
    "ZENITH",
    "Date of issue / Date de délivrance",
    "16 APR/AVR 07",
    "Authority / Autorité",
    "PASSPORT OFFICE",
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]


# --- scenarios: what the server answers -------------------------------------------------
@dataclass
class Scenario:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    # Hold the answer until the server stops: the client's read timeout must fire first.
    hold: bool = False


def json_scenario(payload, status: int = 200, headers: dict[str, str] | None = None) -> Scenario:
    return Scenario(status=status, body=json.dumps(payload).encode(), headers={"Content-Type": "application/json", **(headers or {})})


def overlay_line(words: list[tuple[str, float, float, float, float]]) -> dict:
    """One TextOverlay line from (text, left, top, width, height) words."""
    return {
        "LineText": " ".join(word[0] for word in words),
        "Words": [{"WordText": text, "Left": left, "Top": top, "Width": width, "Height": height} for text, left, top, width, height in words],
        "MaxHeight": max(word[4] for word in words),
        "MinTop": min(word[2] for word in words),
    }


def layout_line(text: str, row: int, *, left: float = PAGE_MARGIN) -> dict:
    """A text line laid out in a fixed-pitch font: one space becomes one character's gap."""
    words = []
    x = left
    for chunk in text.split(" "):
        if chunk:
            words.append((chunk, x, PAGE_MARGIN + row * LINE_PITCH, CHAR_WIDTH * len(chunk), LINE_HEIGHT))
        x += CHAR_WIDTH * (len(chunk) + 1)
    return overlay_line(words)


def parsed_result(lines: list[dict], *, orientation: int = 0, exit_code: int = 1) -> dict:
    return {
        "TextOverlay": {"Lines": lines, "HasOverlay": True, "Message": "Total lines: %d" % len(lines)},
        "TextOrientation": str(orientation),
        "FileParseExitCode": exit_code,
        "ParsedText": "\r\n".join(line["LineText"] for line in lines) + ("\r\n" if lines else ""),
        "ErrorMessage": "",
        "ErrorDetails": "",
    }


def success_body(lines: list[str | dict], *, orientation: int = 0) -> dict:
    """A successful answer; str lines are laid out one per row, dict lines are used as given."""
    overlay = [line if isinstance(line, dict) else layout_line(line, row) for row, line in enumerate(lines)]
    return {
        "ParsedResults": [parsed_result(overlay, orientation=orientation)],
        "OCRExitCode": 1,
        "IsErroredOnProcessing": False,
        "ProcessingTimeInMilliseconds": "843",
        "SearchablePDFURL": "Searchable PDF not generated as it was not requested.",
    }


def success(lines: list[str | dict], *, orientation: int = 0) -> Scenario:
    return json_scenario(success_body(lines, orientation=orientation))


def partial(lines: list[str | dict], failed_message: str = "Unable to parse page 2") -> Scenario:
    """OCRExitCode 2: one result parsed, another failed."""
    body = success_body(lines)
    failed = parsed_result([], exit_code=-10)
    failed["ErrorMessage"] = failed_message
    body["ParsedResults"].append(failed)
    body["OCRExitCode"] = 2
    return json_scenario(body)


def processing_error(messages: list[str] | str, *, exit_code: int = 3, file_parse_exit_code: int | None = -10, details: str = "") -> Scenario:
    """IsErroredOnProcessing: ErrorMessage as OCR.Space sends it (usually a list, sometimes a string)."""
    body = {
        "OCRExitCode": exit_code,
        "IsErroredOnProcessing": True,
        "ErrorMessage": messages,
        "ErrorDetails": details,
        "ProcessingTimeInMilliseconds": "120",
    }
    if file_parse_exit_code is not None:
        failed = parsed_result([], exit_code=file_parse_exit_code)
        failed["ErrorMessage"] = messages[0] if isinstance(messages, list) and messages else messages
        body["ParsedResults"] = [failed]
    return json_scenario(body)


def file_too_large() -> Scenario:
    return processing_error([FILE_TOO_LARGE_MESSAGE], exit_code=99, file_parse_exit_code=None)


def http_error(status: int, text: str = "Internal Server Error", headers: dict[str, str] | None = None) -> Scenario:
    return Scenario(status=status, body=text.encode(), headers={"Content-Type": "text/plain", **(headers or {})})


def rate_limited(retry_after_s: int | None = 2) -> Scenario:
    headers = {"Retry-After": str(retry_after_s)} if retry_after_s is not None else {}
    return http_error(429, "Too Many Requests", headers)


def invalid_key() -> Scenario:
    return http_error(403, "The API key is invalid")


def malformed_json() -> Scenario:
    return Scenario(status=200, body=b'{"ParsedResults": [{"TextOverlay": ', headers={"Content-Type": "application/json"})


def slow() -> Scenario:
    return Scenario(hold=True)


# --- what the server received -----------------------------------------------------------
@dataclass
class UploadedFile:
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    fields: dict[str, str]
    files: dict[str, UploadedFile]

    @property
    def upload(self) -> bytes | None:
        """The image bytes, from the `file` part or the `base64Image` field."""
        if "file" in self.files:
            return self.files["file"].data
        encoded = self.fields.get("base64Image")
        if encoded:
            return base64.b64decode(encoded.split(",", 1)[-1])
        return None


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    message = BytesParser(policy=policy.HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    if not message.is_multipart():
        return fields, files
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = UploadedFile(filename, part.get_content_type(), payload)
        else:
            fields[name] = payload.decode("utf-8")
    return fields, files


# --- the server -------------------------------------------------------------------------
class FakeOcrSpace:
    """The fake service. `queue()` scenarios; unqueued requests get `default`."""

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        max_upload_bytes: int = FREE_PLAN_MAX_UPLOAD_BYTES,
        default: Scenario | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        self.api_key = api_key
        self.max_upload_bytes = max_upload_bytes
        self.default = default or success(SPECIMEN_PAGE)
        self.requests: list[ReceivedRequest] = []
        self._scenarios: deque[Scenario] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/parse/image"

    def queue(self, *scenarios: Scenario) -> None:
        with self._lock:
            self._scenarios.extend(scenarios)

    def start(self) -> "FakeOcrSpace":
        # A short poll interval keeps stop() (and so each test's teardown) quick.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-ocrspace", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # let held answers go
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> "FakeOcrSpace":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _answer(self, request: ReceivedRequest) -> Scenario:
        with self._lock:
            self.requests.append(request)
            if request.fields.get("apikey") != self.api_key:
                return invalid_key()
            upload = request.upload
            if upload is None:
                return processing_error(["No file uploaded or URL or base64 provided"], exit_code=99, file_parse_exit_code=None)
            if len(upload) > self.max_upload_bytes:
                return file_too_large()
            return self._scenarios.popleft() if self._scenarios else self.default

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                fields, files = parse_multipart(self.headers.get("Content-Type", ""), body)
                request = ReceivedRequest(self.path, dict(self.headers.items()), fields, files)
                scenario = fake._answer(request)
                if scenario.hold:
                    fake._release.wait(timeout=30)
                try:
                    self.send_response(scenario.status)
                    for name, value in scenario.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(scenario.body)))
                    self.end_headers()
                    self.wfile.write(scenario.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (read timeout): that was the point

            def log_message(self, format, *args):  # keep test output quiet
                pass

        return Handler


@pytest.fixture
def fake_ocrspace():
    with FakeOcrSpace() as server:
        yield server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local stand-in for OCR.Space's Parse API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--api-key", default="local-key")
    parser.add_argument("--max-upload-bytes", type=int, default=FREE_PLAN_MAX_UPLOAD_BYTES)
    parser.add_argument("--response", type=Path, help="a JSON file sent as the answer to every request (default: the ICAO TD3 specimen page)")
    parser.add_argument("--status", type=int, default=200, help="the HTTP status sent with --response")
    args = parser.parse_args(argv)
    default = Scenario(status=args.status, body=args.response.read_bytes()) if args.response else None
    server = FakeOcrSpace(api_key=args.api_key, max_upload_bytes=args.max_upload_bytes, default=default, host=args.host, port=args.port)
    print(f"fake OCR.Space listening on {server.url} (api key {args.api_key!r})", flush=True)
    try:
        server._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._server.server_close()


if __name__ == "__main__":
    main()
