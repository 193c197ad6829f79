"""The extractions table through one reused psycopg2 connection.

One connection per process: a warm Lambda reuses it across invocations. A connection the
server dropped (restart, failover, idle timeout, pg_terminate_backend) is replaced once and
the call repeated; if that fails too the caller gets `DatabaseUnavailable` (retryable), never
a psycopg2 exception. Every call ends its transaction before returning, and every write has
committed by then, so nothing is acknowledged upstream that is not durably stored.
Not thread-safe: one Repository per thread (Lambda runs one invocation at a time).
"""

from __future__ import annotations

import uuid
from typing import Any, Callable, TypeVar

import psycopg2
import psycopg2.extras
from psycopg2 import sql

from ..errors import DatabaseUnavailable, PassportOcrError
from ..record import Record
from .rows import STATUS_FAILED, STATUSES, Source, StoredExtraction, decode_cursor, encode_cursor, record_columns, stored_from_row

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_JSON_COLUMNS = frozenset({"checks", "corrections", "confidence", "warnings", "timings"})

T = TypeVar("T")


def _clamp_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    return max(1, min(MAX_LIMIT, int(limit)))


def _like_prefix(text: str) -> str:
    """A LIKE pattern matching values that start with `text`, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class Repository:
    def __init__(self, connect: Callable[[], Any]):
        self._connect = connect
        self._conn = None

    @classmethod
    def from_dsn(cls, dsn: str, *, connect_timeout_s: int = 5, application_name: str = "passport-ocr") -> "Repository":
        return cls(lambda: psycopg2.connect(dsn, connect_timeout=connect_timeout_s, application_name=application_name))

    # --- connection handling ------------------------------------------------------------
    def _connection(self):
        if self._conn is None or self._conn.closed:
            self._conn = None
            try:
                self._conn = self._connect()
            except psycopg2.Error as exc:
                raise DatabaseUnavailable(f"cannot connect to the database: {_first_line(exc)}") from exc
        return self._conn

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.closed:
            try:
                conn.close()
            except psycopg2.Error:
                pass

    def _run(self, work: Callable[[Any], T]) -> T:
        """Run `work(cursor)` in one transaction and commit; on a dropped connection, once more."""
        for attempt in (1, 2):
            conn = self._connection()
            try:
                with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                    result = work(cur)
                conn.commit()
                return result
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
                if not conn.closed:
                    # The server is there but refused this statement (e.g. statement_timeout):
                    # a second try on a new connection would only add load.
                    _rollback_quietly(conn)
                    raise DatabaseUnavailable(f"database error: {_first_line(exc)}") from exc
                self._drop_connection()
                if attempt == 2:
                    raise DatabaseUnavailable(f"database connection lost: {_first_line(exc)}") from exc
            except BaseException:
                _rollback_quietly(conn)
                raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._drop_connection()

    # --- writes -------------------------------------------------------------------------
    def save(
        self, record: Record | None, source: Source, error: PassportOcrError | None = None
    ) -> tuple[StoredExtraction, bool]:
        """Store one image's outcome; returns (row, created).

        The image's sha256 is unique: saving the same image again returns the existing row with
        created=False and does not change it, with one exception: a 'failed' row is replaced
        by a later successful record (a fixed reader, or an OCR outage that ended), keeping its
        id and created_at. A later failure never overwrites a success.
        """
        columns = record_columns(record, source, error)
        values = {name: psycopg2.extras.Json(v) if name in _JSON_COLUMNS else v for name, v in columns.items()}
        names = list(values)
        insert = sql.SQL(
            "INSERT INTO extractions ({names}) VALUES ({values}) ON CONFLICT (image_sha256) DO NOTHING RETURNING *"
        ).format(
            names=sql.SQL(", ").join(map(sql.Identifier, names)),
            values=sql.SQL(", ").join(map(sql.Placeholder, names)),
        )
        replace_failed = sql.SQL(
            "UPDATE extractions SET {assignments}, updated_at = now() "
            "WHERE image_sha256 = %(image_sha256)s AND status = 'failed' RETURNING *"
        ).format(
            assignments=sql.SQL(", ").join(
                sql.SQL("{} = {}").format(sql.Identifier(n), sql.Placeholder(n)) for n in names if n != "image_sha256"
            )
        )

        def work(cur) -> tuple[StoredExtraction, bool] | None:
            cur.execute(insert, values)
            row = cur.fetchone()
            if row is not None:
                return stored_from_row(row), True
            if columns["status"] != STATUS_FAILED:
                cur.execute(replace_failed, values)
                row = cur.fetchone()
                if row is not None:
                    return stored_from_row(row), False
            cur.execute("SELECT * FROM extractions WHERE image_sha256 = %s", (source.image_sha256,))
            row = cur.fetchone()
            # None only if the row was deleted between the INSERT and this SELECT.
            return (stored_from_row(row), False) if row is not None else None

        outcome = self._run(work)
        if outcome is None:
            outcome = self._run(work)
        if outcome is None:
            raise DatabaseUnavailable("the row for this image kept disappearing while it was saved")
        return outcome

    def delete(self, id: uuid.UUID | str) -> StoredExtraction | None:
        """Delete a row; returns what it held (so the caller can delete the image), or None."""
        row_id = _as_uuid(id)
        if row_id is None:
            return None

        def work(cur):
            cur.execute("DELETE FROM extractions WHERE id = %s RETURNING *", (str(row_id),))
            row = cur.fetchone()
            return stored_from_row(row) if row is not None else None

        return self._run(work)

    # --- reads --------------------------------------------------------------------------
    def get(self, id: uuid.UUID | str) -> StoredExtraction | None:
        row_id = _as_uuid(id)
        if row_id is None:
            return None
        return self._fetch_one("SELECT * FROM extractions WHERE id = %s", (str(row_id),))

    def get_by_sha256(self, sha: str) -> StoredExtraction | None:
        return self._fetch_one("SELECT * FROM extractions WHERE image_sha256 = %s", ((sha or "").lower(),))

    def search(
        self,
        document_number: str | None = None,
        surname: str | None = None,
        nationality: str | None = None,
        status: str | None = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> tuple[list[StoredExtraction], str | None]:
        """Newest first. Exact document number and nationality, surname by case-insensitive prefix.

        Returns the page and the cursor of the next page (None on the last page). Raises
        ValueError for a malformed cursor or an unknown status (the API answers 400).
        """
        conditions: list[str] = []
        params: list[Any] = []
        if document_number and document_number.strip():
            conditions.append("document_number = %s")
            params.append(document_number.strip().upper())
        if surname and surname.strip():
            # lower() on both sides in SQL, so the pattern folds case exactly as the index does.
            conditions.append("lower(surname) LIKE lower(%s) ESCAPE '\\'")
            params.append(_like_prefix(surname.strip()))
        if nationality and nationality.strip():
            conditions.append("nationality = %s")
            params.append(nationality.strip().upper())
        if status:
            if status not in STATUSES:
                raise ValueError(f"status must be one of {', '.join(STATUSES)}")
            conditions.append("status = %s")
            params.append(status)
        if cursor:
            after_created_at, after_id = decode_cursor(cursor)
            conditions.append("(created_at, id) < (%s, %s::uuid)")
            params.extend([after_created_at, str(after_id)])
        page_size = _clamp_limit(limit)
        where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
        # One row more than asked tells whether a next page exists without counting.
        query = f"SELECT * FROM extractions {where} ORDER BY created_at DESC, id DESC LIMIT %s"
        params.append(page_size + 1)

        def work(cur):
            cur.execute(query, params)
            return [stored_from_row(row) for row in cur.fetchall()]

        rows = self._run(work)
        if len(rows) <= page_size:
            return rows, None
        page = rows[:page_size]
        return page, encode_cursor(page[-1].created_at, page[-1].id)

    def ping(self) -> bool:
        """Whether the database answers (reconnecting once if needed); never raises."""

        def work(cur):
            cur.execute("SELECT 1 AS alive")
            return cur.fetchone()["alive"] == 1

        try:
            return self._run(work)
        except DatabaseUnavailable:
            return False

    def count(self) -> int:
        def work(cur):
            cur.execute("SELECT count(*) AS n FROM extractions")
            return int(cur.fetchone()["n"])

        return self._run(work)

    def _fetch_one(self, query: str, params: tuple) -> StoredExtraction | None:
        def work(cur):
            cur.execute(query, params)
            row = cur.fetchone()
            return stored_from_row(row) if row is not None else None

        return self._run(work)


def _rollback_quietly(conn) -> None:
    if conn.closed:
        return
    try:
        conn.rollback()
    except psycopg2.Error:
        pass


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
