"""A real PostgreSQL server for the tests (pgserver, Unix socket), migrated once per session."""

from __future__ import annotations

import psycopg2
import pytest

from passport_ocr.store import Repository, migrate
from passport_ocr_local.postgres import PostgresHandle, start_postgres


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory) -> PostgresHandle:
    handle = start_postgres(tmp_path_factory.mktemp("postgres") / "data")
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def postgres_dsn(postgres_server) -> str:
    """The DSN of a migrated database (a libpq keyword string)."""
    conn = psycopg2.connect(postgres_server.dsn)
    try:
        migrate.apply(conn)
    finally:
        conn.close()
    return postgres_server.dsn


@pytest.fixture
def pg_connect(postgres_dsn):
    """Open extra raw connections (autocommit) to the test database; all closed after the test."""
    opened = []

    def connect():
        conn = psycopg2.connect(postgres_dsn)
        conn.autocommit = True
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        conn.close()


@pytest.fixture
def repository(postgres_dsn, pg_connect) -> Repository:
    """A Repository on an empty `extractions` table."""
    with pg_connect().cursor() as cur:
        cur.execute("TRUNCATE extractions")
    repo = Repository.from_dsn(postgres_dsn)
    yield repo
    repo.close()
