"""The Lambda handlers, imported by file path and called one event at a time, as Lambda does."""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
API_HANDLER = ROOT / "functions" / "api" / "app.py"
INGEST_HANDLER = ROOT / "functions" / "ingest" / "app.py"

# What template.yaml's Globals and functions set, minus what only the cloud needs (tracing to
# X-Ray, metrics to CloudWatch: both would only print noise here).
LAMBDA_ENV_DEFAULTS = {
    "POWERTOOLS_SERVICE_NAME": "passport-ocr",
    "POWERTOOLS_METRICS_NAMESPACE": "PassportOcr",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


def lambda_env(
    *,
    bucket: str,
    database_url: str,
    endpoint_url: str,
    region: str,
    api_token: str,
    log_level: str,
    credentials: dict[str, str],
) -> dict[str, str]:
    """The environment both handlers run with locally.

    The OCR engine follows the developer's environment: OCRSPACE_API_KEY present means OCR.Space
    (settings.py decides), otherwise the offline engine.
    """
    env = dict(LAMBDA_ENV_DEFAULTS)
    env.update(
        BUCKET_NAME=bucket,
        DATABASE_URL=database_url,
        AWS_ENDPOINT_URL=endpoint_url,
        AWS_REGION=region,
        AWS_DEFAULT_REGION=region,
        AWS_ACCESS_KEY_ID=credentials["aws_access_key_id"],
        AWS_SECRET_ACCESS_KEY=credentials["aws_secret_access_key"],
        API_AUTH_TOKEN=api_token,
        LOG_LEVEL=log_level,
        POWERTOOLS_LOG_LEVEL=log_level,
    )
    # A session token from the developer's real AWS profile would be sent to moto with the
    # dummy keys; drop it so nothing real leaks into the local stack.
    env["AWS_SESSION_TOKEN"] = ""
    return env


def apply_env(env: dict[str, str]) -> None:
    """Handlers read their configuration at import (Powertools) and on first use (Service)."""
    for name, value in env.items():
        if value == "":
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@dataclass
class LambdaContext:
    """The parts of Lambda's context object that Powertools and our handlers read."""

    function_name: str
    memory_limit_in_mb: int = 1769
    timeout_s: float = 30.0
    function_version: str = "$LATEST"

    def __post_init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + self.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class LocalFunction:
    """One "warm container" of a function: its module imported once, one event at a time.

    Lambda never runs two events in one execution environment at once, and the handlers rely
    on it (one database connection per module), so concurrent HTTP requests queue here.
    """

    def __init__(self, name: str, path: Path, timeout_s: float):
        self.name = name
        self.path = Path(path)
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._handler: Callable[[dict, Any], Any] | None = None

    def load(self) -> None:
        if self._handler is not None:
            return
        # Powertools warns on every invocation that flushes no metric; metrics are off locally.
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        if not self.path.exists():
            raise FileNotFoundError(f"{self.name} handler not found at {self.path}")
        module_name = f"passport_ocr_local_fn_{self.name}"
        spec = importlib.util.spec_from_file_location(module_name, self.path)
        module = importlib.util.module_from_spec(spec)
        # Each function folder is its own CodeUri in the template: sibling modules import by
        # plain name, as they do in the Lambda package.
        sys.path.insert(0, str(self.path.parent))
        try:
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(self.path.parent))
        self._handler = module.lambda_handler

    def invoke(self, event: dict) -> Any:
        self.load()
        with self._lock:
            return self._handler(event, LambdaContext(function_name=self.name, timeout_s=self.timeout_s))
