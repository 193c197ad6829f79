"""The local stack: PostgreSQL, moto S3/SQS, the API on loopback and the queue poller, together."""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import aws, state
from .apigw import ApiGatewayServer
from .handlers import API_HANDLER, INGEST_HANDLER, LocalFunction, apply_env, lambda_env
from .poller import SqsPoller
from .ports import LOOPBACK, port_is_free, preferred_or_free

DEFAULT_API_PORT = 8000
DEFAULT_MOTO_PORT = 5000
# Function timeouts as the template sets them; they only feed the context's remaining time here.
API_TIMEOUT_S = 29
INGEST_TIMEOUT_S = 300


class StackError(RuntimeError):
    """The stack cannot start; the message says what to do."""


@dataclass
class StackOptions:
    data_dir: Path = state.DEFAULT_DATA_DIR
    api_port: int | None = DEFAULT_API_PORT  # None: no HTTP API; 0: any free port
    moto_port: int = DEFAULT_MOTO_PORT  # 0: any free port; taken: any free port
    poller: bool = True
    log_level: str = "WARNING"
    api_handler: Path = API_HANDLER
    ingest_handler: Path = INGEST_HANDLER


class LocalStack:
    def __init__(self, options: StackOptions, log: Callable[[str], None] | None = None):
        self.options = options
        self._log = log or (lambda message: None)
        self._exit = contextlib.ExitStack()
        self.info: state.StackInfo | None = None
        self.poller: SqsPoller | None = None
        self.api_function: LocalFunction | None = None
        self.ingest_function: LocalFunction | None = None
        self._sqs = None

    def __enter__(self) -> "LocalStack":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def _verbose_log(self) -> Callable[[str], None] | None:
        """Per-request and per-batch lines, only when the handlers' own logs are on too."""
        return self._log if self.options.log_level in ("DEBUG", "INFO") else None

    def start(self) -> state.StackInfo:
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stops what was started, newest first; safe to call twice."""
        self._exit.close()

    def _start(self) -> state.StackInfo:
        options = self.options
        data_dir = Path(options.data_dir).resolve()
        api_port = options.api_port
        # Checked first, so a second `make run` fails in a second with a clear message.
        if api_port and not port_is_free(api_port):
            raise StackError(
                f"port {api_port} on {LOOPBACK} is already in use (another `passport-ocr local-stack`?). "
                "Stop it, or choose another port with --port N (--port 0 picks a free one)."
            )
        # moto's and Werkzeug's request logs would drown the stack's own output.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)

        from .postgres import start_postgres
        from passport_ocr.store.migrate import apply_dsn

        self._log(f"starting PostgreSQL (data in {data_dir / 'pgdata'})")
        postgres = start_postgres(data_dir / "pgdata")
        self._exit.callback(postgres.stop)
        applied = apply_dsn(postgres.dsn)
        self._log(f"migrations applied: {', '.join(applied)}" if applied else "database schema up to date")

        moto = aws.MotoServer(preferred_or_free(options.moto_port) if options.moto_port else 0)
        endpoint_url = moto.start()
        self._exit.callback(moto.stop)
        resources = aws.provision(endpoint_url)
        self._log(f"moto S3 + SQS on {endpoint_url}: bucket {resources.bucket}, queue {aws.QUEUE_NAME} + DLQ")

        token = state.api_token(data_dir)
        apply_env(
            lambda_env(
                bucket=resources.bucket,
                database_url=postgres.dsn,
                endpoint_url=endpoint_url,
                region=resources.region,
                api_token=token,
                log_level=options.log_level,
                credentials=aws.LOCAL_CREDENTIALS,
            )
        )

        api_url = None
        if api_port is not None:
            self.api_function = LocalFunction("ApiFunction", options.api_handler, API_TIMEOUT_S)
            self.api_function.load()
            try:
                gateway = ApiGatewayServer(self.api_function.invoke, LOOPBACK, api_port, log=self._verbose_log)
            except OSError as exc:
                raise StackError(f"cannot listen on {LOOPBACK}:{api_port}: {exc.strerror}; use --port N") from exc
            gateway.start()
            self._exit.callback(gateway.stop)
            api_url = gateway.url
            self._log(f"API on {api_url}")

        if options.poller:
            self.ingest_function = LocalFunction("IngestFunction", options.ingest_handler, INGEST_TIMEOUT_S)
            self.ingest_function.load()
            self.poller = SqsPoller(
                aws.client("sqs", endpoint_url, resources.region),
                resources.queue_url,
                resources.queue_arn,
                resources.region,
                self.ingest_function.invoke,
                log=self._verbose_log,
            )
            self.poller.start()
            self._exit.callback(self.poller.stop)

        self.info = state.StackInfo(
            pid=os.getpid(),
            api_url=api_url,
            endpoint_url=endpoint_url,
            region=resources.region,
            bucket=resources.bucket,
            queue_url=resources.queue_url,
            dlq_url=resources.dlq_url,
            database_url=postgres.dsn,
            api_token=token,
        )
        state.write(data_dir, self.info)
        self._exit.callback(state.remove, data_dir, os.getpid())
        return self.info

    def queue_idle(self) -> bool:
        """No message waiting or in flight on the main queue."""
        if self._sqs is None:
            self._sqs = aws.client("sqs", self.info.endpoint_url, self.info.region)
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=self.info.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"]) == 0
