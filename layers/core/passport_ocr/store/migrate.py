"""Versioned SQL migrations: `apply(conn)` at deploy time, `python -m passport_ocr.store.migrate DSN` by hand.

Migrations are the files `migrations/NNNN_name.sql`, applied in version order, each in its own
transaction together with its row in `schema_migrations`, so a failed migration leaves nothing
behind and is retried whole next time. A session advisory lock serialises concurrent migrators
(two deploys, or every cold Lambda at once): the second one waits, then finds nothing to do.
Migrations only ever add (tables, columns, indexes, backfills); they never drop or rewrite data.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from importlib import resources

MIGRATIONS_PACKAGE = "passport_ocr.store"
MIGRATIONS_DIR = "migrations"
_FILENAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")

# Any constant works as long as nothing else in the database uses it; this one spells "pocrmigr".
ADVISORY_LOCK_KEY = 0x706F63726D696772

_CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    text        PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    sql: str


def discover() -> list[Migration]:
    """The migrations shipped in the package, in version order."""
    folder = resources.files(MIGRATIONS_PACKAGE).joinpath(MIGRATIONS_DIR)
    migrations: dict[str, Migration] = {}
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _FILENAME.match(entry.name)
        if match is None:
            raise ValueError(f"migration file name {entry.name!r} is not NNNN_lowercase_name.sql")
        version = match["version"]
        if version in migrations:
            raise ValueError(f"two migrations share version {version}: {migrations[version].name}, {match['name']}")
        migrations[version] = Migration(version=version, name=match["name"], sql=entry.read_text(encoding="utf-8"))
    return [migrations[v] for v in sorted(migrations)]


def apply(conn, migrations: list[Migration] | None = None) -> list[str]:
    """Apply the pending migrations on a psycopg2 connection; returns the versions applied now.

    Idempotent: an up-to-date database returns []. It commits as it goes, so do not call it
    inside a transaction of your own. The connection is left open, in the autocommit mode it
    came in with.
    """
    pending_source = discover() if migrations is None else migrations
    previous_autocommit = conn.autocommit
    if previous_autocommit:
        conn.autocommit = False
    applied: list[str] = []
    try:
        with conn.cursor() as cur:
            # Session-level, so it spans the per-migration transactions below.
            cur.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
            conn.commit()
            try:
                cur.execute(_CREATE_LEDGER)
                cur.execute("SELECT version FROM schema_migrations")
                done = {row[0] for row in cur.fetchall()}
                conn.commit()
                for migration in pending_source:
                    if migration.version in done:
                        continue
                    try:
                        cur.execute(migration.sql)
                        cur.execute(
                            "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                            (migration.version, migration.name),
                        )
                        conn.commit()
                    except Exception:
                        conn.rollback()
                        raise
                    applied.append(migration.version)
            finally:
                if not conn.closed:
                    conn.rollback()
                    cur.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
                    conn.commit()
    finally:
        if not conn.closed:
            conn.rollback()  # ends a transaction aborted by an error, so the mode can be restored
            conn.autocommit = previous_autocommit
    return applied


def applied_versions(conn) -> list[str]:
    """The versions recorded in `schema_migrations` (empty before the first migration)."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")
        if not cur.fetchone()[0]:
            versions: list[str] = []
        else:
            cur.execute("SELECT version FROM schema_migrations ORDER BY version")
            versions = [row[0] for row in cur.fetchall()]
    if not conn.autocommit:
        conn.rollback()
    return versions


def apply_dsn(dsn: str) -> list[str]:
    """Connect, migrate, disconnect: the deploy-time entry point."""
    import psycopg2

    conn = psycopg2.connect(dsn, connect_timeout=10, application_name="passport-ocr-migrate")
    try:
        return apply(conn)
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m passport_ocr.store.migrate", description=__doc__.splitlines()[0])
    parser.add_argument("dsn", help="libpq connection string or postgresql:// URI")
    args = parser.parse_args(argv)
    import psycopg2

    try:
        applied = apply_dsn(args.dsn)
    except psycopg2.Error as exc:
        print(f"migration failed: {exc}".strip(), file=sys.stderr)
        return 1
    print("applied: " + ", ".join(applied) if applied else "up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
