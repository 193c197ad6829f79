"""The `passport-ocr` command. Thin: arguments in, calls into the core or the local stack, output out.

`extract` needs only the core. The other commands drive the local stack (tools/passport_ocr_local,
a development tool with dev dependencies), imported when one of them runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
import threading
import traceback
from pathlib import Path
from typing import IO, Iterable

from . import __version__
from .errors import PassportOcrError
from .extract import FIELDS_ALL, FIELDS_MRZ
from .settings import Settings

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran but could not do its job (stack did not start, a bug)
EXIT_USAGE = 2  # argparse's own code for misuse


class Progress:
    """A one-line progress bar on a terminal; silent when stderr is a pipe or a file."""

    WIDTH = 30

    def __init__(self, stream: IO[str], enabled: bool):
        self._stream = stream
        self._enabled = enabled
        self._drawn = False

    @classmethod
    def for_stderr(cls, items: int) -> "Progress":
        return cls(sys.stderr, enabled=items > 1 and sys.stderr.isatty())

    def update(self, label: str, done: int, total: int) -> None:
        if not self._enabled or total <= 0:
            return
        filled = self.WIDTH * done // total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self._stream.write(f"\r{label} [{bar}] {done}/{total}\x1b[K")
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False


# --- extract ---------------------------------------------------------------------------------
def _read_input(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    return Path(source).read_bytes()


def _file_error(source: str, exc: OSError) -> dict:
    if isinstance(exc, FileNotFoundError):
        return {"code": "file_not_found", "message": f"no such file: {source}"}
    return {"code": "file_unreadable", "message": f"cannot read {source}: {exc.strerror or exc}"}


def extract_lines(sources: Iterable[str], *, engine, settings: Settings, fields: str, progress: Progress | None = None):
    """One result dict per source: `source` first, then the record's fields or an `error`.

    An unexpected exception (a bug, not a bad file) is reported as `internal_error` on its line
    with the traceback on stderr, and the remaining files are still processed.
    """
    from .extract import extract

    sources = list(sources)
    for number, source in enumerate(sources, 1):
        line: dict = {"source": source}
        try:
            data = _read_input(source)
            line.update(extract(data, engine=engine, settings=settings, fields=fields).to_dict())
        except OSError as exc:
            line["error"] = _file_error(source, exc)
        except PassportOcrError as exc:
            line["error"] = exc.to_dict()
        except Exception as exc:  # noqa: BLE001 - one broken file must not lose the others' results
            traceback.print_exc(file=sys.stderr)
            line["error"] = {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}"}
        if progress:
            progress.update("extracting", number, len(sources))
        yield line


def cmd_extract(args) -> int:
    from .engines import get_engine

    settings = Settings.from_env()
    if args.engine:
        settings = dataclasses.replace(settings, engine=args.engine)
    try:
        engine = get_engine(settings)
    except (ValueError, PassportOcrError) as exc:
        print(f"passport-ocr extract: cannot use engine {settings.engine!r}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    progress = Progress.for_stderr(len(args.files))
    bug = False
    try:
        for line in extract_lines(args.files, engine=engine, settings=settings, fields=args.fields, progress=progress):
            bug = bug or line.get("error", {}).get("code") == "internal_error"
            # Clear the bar before writing, so a terminal showing both streams stays readable.
            progress.close()
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    finally:
        progress.close()
    return EXIT_FAILED if bug else EXIT_OK


# --- commands driving the local stack --------------------------------------------------------
def _require_local_tools() -> None:
    """The local stack lives in the checkout's tools/, not in the Lambda layer: say so clearly."""
    try:
        import passport_ocr_local  # noqa: F401
    except ImportError as exc:  # pragma: no cover - only outside a development checkout
        raise SystemExit(
            f"passport-ocr: this command needs the development checkout's tools/ ({exc}); "
            "run it from the repository after `make bootstrap`"
        ) from exc


def _data_dir(args) -> Path:
    _require_local_tools()
    from passport_ocr_local import state

    return Path(args.data_dir) if args.data_dir else state.DEFAULT_DATA_DIR


def cmd_migrate(args) -> int:
    from .store.migrate import apply_dsn

    dsn = args.dsn or os.environ.get("DATABASE_URL")
    if not dsn:
        from passport_ocr_local import state

        running = state.running(_data_dir(args))
        if running is None:
            print("passport-ocr migrate: give --dsn, set DATABASE_URL, or start `passport-ocr local-stack`",
                  file=sys.stderr)
            return EXIT_USAGE
        dsn = running.database_url
    try:
        applied = apply_dsn(dsn)
    except Exception as exc:  # noqa: BLE001 - psycopg2's errors: say why in one line, no traceback
        print(f"passport-ocr migrate: {type(exc).__name__}: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return EXIT_FAILED
    print(f"applied: {', '.join(applied)}" if applied else "database schema up to date")
    return EXIT_OK


def _stack_options(args, *, api: bool, poller: bool):
    from passport_ocr_local.stack import StackOptions

    return StackOptions(
        data_dir=_data_dir(args),
        api_port=args.port if api else None,
        moto_port=args.moto_port,
        poller=poller,
        log_level="INFO" if args.verbose else "WARNING",
    )


def _log(message: str) -> None:
    print(f"[local] {message}", file=sys.stderr, flush=True)


def _wait_for_interrupt() -> None:
    """Block until Ctrl-C or SIGTERM; both end in a clean stop.

    Both handlers are installed explicitly: a shell starts background jobs with SIGINT ignored,
    and `kill -INT` must still stop the stack.
    """
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        stop.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run_stack(args, *, api: bool, poller: bool, demo: bool) -> int:
    _require_local_tools()
    from passport_ocr_local.stack import LocalStack, StackError

    once = args.once or os.environ.get("PASSPORT_OCR_LOCAL_ONCE", "") not in ("", "0", "false")
    stack = LocalStack(_stack_options(args, api=api, poller=poller), log=_log)
    try:
        info = stack.start()
    except StackError as exc:
        print(f"passport-ocr: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED
    try:
        engine = Settings.from_env().engine
        print(f"Local stack up (engine: {engine}). API token: {info.api_token}", flush=True)
        if info.api_url:
            print(f"API: {info.api_url}   S3/SQS (moto): {info.endpoint_url}   bucket: {info.bucket}", flush=True)
        if demo:
            from passport_ocr_local.demo import SAMPLE, DemoFailed, next_steps, run_demo
            from passport_ocr_local.waiting import WaitTimeout

            try:
                run_demo(stack, Path(args.sample) if args.sample else SAMPLE, out=lambda s: print(s, flush=True))
            except (DemoFailed, WaitTimeout) as exc:
                print(f"passport-ocr: the demo failed: {exc}", file=sys.stderr, flush=True)
                if once:
                    return EXIT_FAILED
                # Serving on is more useful than stopping: the developer can now poke at it.
            if not once:
                print(next_steps(stack), flush=True)
        if not once:
            _wait_for_interrupt()
            print("\nstopping ...", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        print("\nstopping ...", file=sys.stderr, flush=True)
    except Exception as exc:  # noqa: BLE001 - stop the servers whatever went wrong
        traceback.print_exc(file=sys.stderr)
        print(f"passport-ocr: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        stack.stop()
    return EXIT_OK


def cmd_local_stack(args) -> int:
    return _run_stack(args, api=True, poller=True, demo=not args.no_demo)


def cmd_serve(args) -> int:
    return _run_stack(args, api=True, poller=False, demo=False)


def cmd_ingest(args) -> int:
    _require_local_tools()
    from passport_ocr_local import state
    from passport_ocr_local.ingest import ingest_folder
    from passport_ocr_local.stack import LocalStack, StackError

    folder = Path(args.dir)
    if not folder.is_dir():
        print(f"passport-ocr ingest: {folder} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    info = state.running(_data_dir(args))
    stack = None
    if info is None:
        # No stack running: bring up the pieces ingest needs, for the duration of the command.
        _log("no local stack running: starting PostgreSQL, moto and the poller for this run")
        stack = LocalStack(_stack_options(args, api=False, poller=True), log=_log)
        try:
            info = stack.start()
        except StackError as exc:
            print(f"passport-ocr: {exc}", file=sys.stderr)
            return EXIT_FAILED
    progress = Progress(sys.stderr, enabled=sys.stderr.isatty())
    try:
        summary = ingest_folder(info, folder, timeout_s=args.timeout, progress=lambda *a: progress.update(*a))
    except KeyboardInterrupt:
        return EXIT_FAILED
    finally:
        progress.close()
        if stack is not None:
            stack.stop()
    print("\n".join(summary.lines()))
    return EXIT_OK


def cmd_redrive(args) -> int:
    _require_local_tools()
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    queue_url, dlq_url, endpoint_url, region = args.queue_url, args.dlq_url, args.endpoint_url, args.region
    credentials = {}
    if not (queue_url and dlq_url):
        from passport_ocr_local import aws, state

        info = state.running(_data_dir(args))
        if info is None:
            print("passport-ocr redrive: give --queue-url and --dlq-url (the stack outputs QueueUrl and "
                  "DlqUrl), or start `passport-ocr local-stack`", file=sys.stderr)
            return EXIT_USAGE
        queue_url, dlq_url = queue_url or info.queue_url, dlq_url or info.dlq_url
        endpoint_url, region = endpoint_url or info.endpoint_url, region or info.region
        credentials = aws.LOCAL_CREDENTIALS
    # The redrive itself is plain SQS and works on any queue pair, local or real.
    from passport_ocr_local.redrive import redrive

    try:
        sqs = boto3.client("sqs", endpoint_url=endpoint_url, region_name=region, **credentials)
        result = redrive(sqs, dlq_url, queue_url, limit=args.limit)
    except (BotoCoreError, ClientError) as exc:
        print(f"passport-ocr redrive: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"moved {result.moved} message(s) from {dlq_url} to {queue_url}")
    for failure in result.failed:
        print(f"  not moved: {failure}", file=sys.stderr)
    return EXIT_FAILED if result.failed else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `passport-ocr extract *.jpg | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="passport-ocr",
        description="Read passports and ID cards (MRZ + visual zone) offline or via OCR.Space.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    extract = commands.add_parser("extract", help="extract documents from image files, one JSON line each")
    extract.add_argument("--engine", choices=("local", "ocrspace"),
                         help="OCR engine (default: PASSPORT_OCR_ENGINE, or ocrspace when OCRSPACE_API_KEY is set, else local)")
    extract.add_argument("--fields", choices=(FIELDS_ALL, FIELDS_MRZ), default=FIELDS_ALL,
                         help="'mrz' skips the visual zone (faster)")
    extract.add_argument("files", nargs="+", metavar="FILE", help="image files; '-' reads standard input")
    extract.set_defaults(func=cmd_extract)

    migrate = commands.add_parser("migrate", help="apply the database migrations")
    migrate.add_argument("--dsn", help="libpq DSN or URL (default: DATABASE_URL, else the running local stack)")
    _add_data_dir(migrate)
    migrate.set_defaults(func=cmd_migrate)

    local_stack = commands.add_parser("local-stack", help="PostgreSQL + moto S3/SQS + API + poller, with a demo (make run)")
    _add_stack_options(local_stack)
    local_stack.add_argument("--once", action="store_true",
                             help="run the demo and exit (also PASSPORT_OCR_LOCAL_ONCE=1)")
    local_stack.add_argument("--no-demo", action="store_true", help="start and serve, without the demo uploads")
    local_stack.add_argument("--sample", help="the image the demo uploads (default: samples/sample_passport.jpg)")
    local_stack.set_defaults(func=cmd_local_stack)

    serve = commands.add_parser("serve", help="the local API only: PostgreSQL + moto S3 + API, no queue poller")
    _add_stack_options(serve)
    serve.set_defaults(func=cmd_serve, once=False, no_demo=True, sample=None)

    ingest = commands.add_parser("ingest", help="upload every image of a folder into the local bucket and wait for the records")
    ingest.add_argument("dir", metavar="DIR")
    ingest.add_argument("--timeout", type=float, default=600, help="seconds to wait for the records (default 600)")
    ingest.add_argument("--moto-port", type=int, default=0, help=argparse.SUPPRESS)
    ingest.add_argument("--verbose", action="store_true", help="show the handlers' logs")
    _add_data_dir(ingest)
    ingest.set_defaults(func=cmd_ingest)

    redrive = commands.add_parser("redrive", help="move dead-letter messages back to the ingest queue")
    redrive.add_argument("--queue-url", help="the ingest queue (stack output QueueUrl); default: the running local stack's")
    redrive.add_argument("--dlq-url", help="its dead-letter queue (stack output DlqUrl)")
    redrive.add_argument("--endpoint-url", help="SQS endpoint (default: AWS, or the local stack's moto)")
    redrive.add_argument("--region", help="AWS region (default: from the AWS configuration)")
    redrive.add_argument("--limit", type=int, help="move at most this many messages")
    _add_data_dir(redrive)
    redrive.set_defaults(func=cmd_redrive)
    return parser


def _add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="where the local stack keeps its data and state (default: .local/)")


def _add_stack_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8000, help="API port on 127.0.0.1 (default 8000; 0: any free port)")
    parser.add_argument("--moto-port", type=int, default=5000,
                        help="moto S3/SQS port (default 5000, or any free port when taken; 0: any free port)")
    parser.add_argument("--verbose", action="store_true", help="show the handlers' logs and each ingest batch")
    _add_data_dir(parser)


if __name__ == "__main__":
    sys.exit(main())
