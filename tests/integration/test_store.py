"""The PostgreSQL store on a real server (pgserver): migrations, the repository, reconnects."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import uuid
from datetime import date, datetime

import psycopg2
import psycopg2.errors
import pytest
from psycopg2.extensions import make_dsn, parse_dsn

from passport_ocr.errors import DatabaseUnavailable, NoMrzFound, UnreadableImage
from passport_ocr.record import FIELD_NAMES, Correction, MrzCheck, MrzInfo, Record
from passport_ocr.store import Repository, Source, migrate
from passport_ocr.store.rows import decode_cursor, encode_cursor
from passport_ocr_local.postgres import start_postgres

TD3_LINES = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]


def full_record(**field_overrides) -> Record:
    """A record with every field and every kind of evidence filled in."""
    fields = {
        "document_type": "P",
        "document_code": "P",
        "issuing_country": "UTO",
        "surname": "ERIKSSON",
        "given_names": "ANNA MARIA",
        "document_number": "L898902C3",
        "nationality": "UTO",
        "date_of_birth": "1974-08-12",
        "sex": "F",
        "date_of_expiry": "2012-04-15",
        "date_of_issue": "2007-04-16",
        "personal_number": "ZE184226B",
        "place_of_birth": "ZENITH",
        "authority": "PASSPORT OFFICE",
    }
    fields.update(field_overrides)
    mrz = MrzInfo(
        format="TD3",
        lines=list(TD3_LINES),
        raw_lines=["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UT07408122F1204159ZE184226B<<<<<10"],
        valid=True,
        checks=[
            MrzCheck(name="document_number", printed="6", computed="6", ok=True),
            MrzCheck(name="date_of_birth", printed="2", computed="2", ok=True),
            MrzCheck(name="composite", printed="0", computed="0", ok=True),
        ],
        corrections=[Correction(line=1, position=12, read="0", corrected="O", reason="field_type")],
        optional_data=["ZE184226B"],
    )
    record = Record(
        fields=fields,
        confidence={"surname": 0.98765, "document_number": 0.91234},
        mrz=mrz,
        engine="local",
        timings_ms={"decode": 12.345, "mrz": 250.06, "total": 262.41},
    )
    record.warn("document_expired", "the document expired on 2012-04-15", field="date_of_expiry", severity="info")
    return record


def source_for(label: str, **location) -> Source:
    """A distinct image per label (the bytes are the label, so the hash differs)."""
    defaults = {"bucket": "uploads", "key": f"incoming/{label}.jpg", "version": "v1", "filename": f"{label}.jpg",
                "content_type": "image/jpeg"}
    return Source.for_image(label.encode(), **{**defaults, **location})


@pytest.fixture
def fresh_database_dsn(postgres_dsn, pg_connect):
    """The DSN of a brand-new, empty database on the test server (dropped afterwards)."""
    name = f"fresh_{uuid.uuid4().hex[:12]}"
    admin = pg_connect()
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    yield make_dsn(postgres_dsn, dbname=name)
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


# --- migrations -------------------------------------------------------------------------
def test_migrations_apply_once_then_report_nothing_to_do(fresh_database_dsn):
    shipped = [m.version for m in migrate.discover()]
    assert shipped and shipped == sorted(shipped)
    conn = psycopg2.connect(fresh_database_dsn)
    try:
        assert migrate.applied_versions(conn) == []
        assert migrate.apply(conn) == shipped
        assert migrate.apply(conn) == []
        assert migrate.applied_versions(conn) == shipped
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('extractions') IS NOT NULL")
            assert cur.fetchone()[0]
    finally:
        conn.close()


def test_two_concurrent_migrators_apply_each_migration_once(fresh_database_dsn):
    shipped = [m.version for m in migrate.discover()]
    start_together = threading.Barrier(2)
    results: dict[int, object] = {}

    def migrate_in_thread(slot: int) -> None:
        conn = psycopg2.connect(fresh_database_dsn)
        try:
            start_together.wait()
            results[slot] = migrate.apply(conn)
        except Exception as exc:  # reported by the assertions below
            results[slot] = exc
        finally:
            conn.close()

    threads = [threading.Thread(target=migrate_in_thread, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(map(repr, results.values())) == sorted([repr(shipped), repr([])])
    conn = psycopg2.connect(fresh_database_dsn)
    try:
        assert migrate.applied_versions(conn) == shipped
    finally:
        conn.close()


def test_migrate_waits_for_the_advisory_lock_held_by_another_migrator(fresh_database_dsn):
    holder = psycopg2.connect(fresh_database_dsn)
    waiter = psycopg2.connect(fresh_database_dsn)
    try:
        holder.autocommit = True
        with holder.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", (migrate.ADVISORY_LOCK_KEY,))
        waiter.autocommit = True
        with waiter.cursor() as cur:
            cur.execute("SET lock_timeout = '300ms'")
        with pytest.raises(psycopg2.errors.LockNotAvailable):
            migrate.apply(waiter)
        assert migrate.applied_versions(waiter) == []

        with holder.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", (migrate.ADVISORY_LOCK_KEY,))
        assert migrate.apply(waiter) == [m.version for m in migrate.discover()]
        assert waiter.autocommit is True
    finally:
        holder.close()
        waiter.close()


def test_migration_cli_migrates_the_database_it_is_given(fresh_database_dsn):
    command = [sys.executable, "-m", "passport_ocr.store.migrate", fresh_database_dsn]
    first = subprocess.run(command, capture_output=True, text=True, timeout=60)
    second = subprocess.run(command, capture_output=True, text=True, timeout=60)
    versions = [m.version for m in migrate.discover()]
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "applied: " + ", ".join(versions)
    assert (second.returncode, second.stdout.strip()) == (0, "up to date")


def test_migration_cli_fails_cleanly_without_a_server(tmp_path, capsys):
    dead = make_dsn(host=str(tmp_path), port=5999, user="postgres", dbname="postgres")
    assert migrate.main([dead]) == 1
    assert "migration failed" in capsys.readouterr().err


def test_migrations_only_add():
    # A migration never loses data: no statement that drops, empties or retypes what exists.
    destructive = re.compile(r"\b(DROP\s+(TABLE|COLUMN|SCHEMA|DATABASE)|TRUNCATE|DELETE\s+FROM|ALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE)\b",
                             re.IGNORECASE)
    for migration in migrate.discover():
        sql_without_comments = re.sub(r"--[^\n]*", "", migration.sql)
        assert not destructive.search(sql_without_comments), migration.name


def test_status_is_constrained_by_the_schema(repository, pg_connect):
    columns = ", ".join(["status", "image_sha256", "failure_code"])
    with pg_connect().cursor() as cur, pytest.raises(psycopg2.errors.CheckViolation):
        cur.execute(f"INSERT INTO extractions ({columns}) VALUES ('done', repeat('a', 64), NULL)")


def test_search_queries_can_use_their_indexes(repository, pg_connect):
    with pg_connect().cursor() as cur:
        cur.execute("SET enable_seqscan = off")
        cur.execute("EXPLAIN SELECT * FROM extractions WHERE lower(surname) LIKE lower('Eri%') ESCAPE '\\'")
        assert "extractions_surname_prefix_idx" in " ".join(row[0] for row in cur.fetchall())
        cur.execute("EXPLAIN SELECT * FROM extractions WHERE (created_at, id) < (now(), gen_random_uuid()) "
                    "ORDER BY created_at DESC, id DESC LIMIT 51")
        assert "extractions_created_at_id_idx" in " ".join(row[0] for row in cur.fetchall())
        cur.execute("EXPLAIN SELECT * FROM extractions WHERE document_number = 'X'")
        assert "extractions_document_number_idx" in " ".join(row[0] for row in cur.fetchall())


# --- save / get -------------------------------------------------------------------------
def test_full_record_round_trips_through_typed_columns(repository, pg_connect):
    record = full_record()
    source = source_for("eriksson", version='"etag-1"')

    stored, created = repository.save(record, source)

    assert created is True
    assert stored.status == "extracted"
    assert stored.record == record.to_dict()
    assert stored.failure is None
    assert stored.source == source
    again = repository.get(stored.id)
    assert again == stored
    with pg_connect().cursor() as cur:
        cur.execute("SELECT date_of_birth, date_of_issue, mrz_lines, image_bytes FROM extractions WHERE id = %s",
                    (str(stored.id),))
        assert cur.fetchone() == (date(1974, 8, 12), date(2007, 4, 16), TD3_LINES, len(b"eriksson"))


def test_api_shape_is_json_ready(repository):
    record = full_record()
    stored, _ = repository.save(record, source_for("api"))

    body = json.loads(json.dumps(stored.to_api()))

    assert body["id"] == str(stored.id)
    assert body["status"] == "extracted"
    assert body["filename"] == "api.jpg"
    assert body["source"] == {"bucket": "uploads", "key": "incoming/api.jpg", "version": "v1"}
    assert body["image_sha256"] == stored.source.image_sha256
    assert body["extracted"] == {name: record.fields[name] for name in FIELD_NAMES}
    assert body["confidence"] == {"surname": 0.988, "document_number": 0.912}
    assert body["warnings"] == [w.to_dict() for w in record.warnings]
    assert body["mrz"]["lines"] == TD3_LINES and body["mrz"]["valid"] is True
    assert body["engine"] == "local"
    assert body["error"] is None
    assert datetime.fromisoformat(body["timestamp"]) == stored.created_at


def test_real_specimen_records_round_trip(repository, real_truth):
    for truth in real_truth:
        fields = {name: truth.get(name) for name in FIELD_NAMES}
        mrz = MrzInfo(format=f"LINES{len(truth['mrz'])}", lines=truth["mrz"], raw_lines=truth["mrz"], valid=True)
        stored, created = repository.save(Record(fields=fields, mrz=mrz, engine="truth"),
                                          source_for(truth["file"], filename=truth["file"]))
        assert created
        fetched = repository.get(str(stored.id))
        assert {name: fetched.record[name] for name in FIELD_NAMES} == fields
        assert fetched.record["mrz"]["lines"] == truth["mrz"]
    assert repository.count() == len(real_truth)


def test_same_image_twice_is_one_row(repository):
    source = source_for("twice")
    first, first_created = repository.save(full_record(), source)
    second, second_created = repository.save(full_record(surname="SOMEONE ELSE"), source)

    assert (first_created, second_created) == (True, False)
    assert second == first
    assert second.record["surname"] == "ERIKSSON"
    assert repository.count() == 1
    assert repository.get_by_sha256(source.image_sha256.upper()) == first


def test_failure_is_stored_with_its_reason(repository):
    error = UnreadableImage("the JPEG stream ends after 1024 bytes")
    stored, created = repository.save(None, source_for("broken"), error)

    assert created
    assert stored.status == "failed"
    assert stored.failure == {"code": "unreadable_image", "message": "the JPEG stream ends after 1024 bytes"}
    assert stored.to_api()["error"] == stored.failure
    assert stored.record["mrz"] is None
    assert all(stored.record[name] is None for name in FIELD_NAMES)
    assert repository.get(stored.id).failure == stored.failure


def test_record_without_mrz_and_without_error_is_a_no_mrz_failure(repository):
    stored, _ = repository.save(Record(engine="local"), source_for("blank"))
    assert stored.status == "failed"
    assert stored.failure["code"] == NoMrzFound.code


def test_save_needs_a_record_or_an_error(repository):
    with pytest.raises(ValueError):
        repository.save(None, source_for("nothing"))
    assert repository.count() == 0


def test_success_replaces_an_earlier_failure_but_never_the_reverse(repository):
    source = source_for("retry-after-fix")
    failed, _ = repository.save(None, source, NoMrzFound("nothing found"))

    fixed, created = repository.save(full_record(), source)
    assert created is False
    assert (fixed.id, fixed.created_at) == (failed.id, failed.created_at)
    assert fixed.status == "extracted" and fixed.failure is None
    assert fixed.record["surname"] == "ERIKSSON"
    assert fixed.updated_at >= failed.updated_at

    kept, created = repository.save(None, source, NoMrzFound("a worse reader"))
    assert created is False
    assert kept == fixed and kept.status == "extracted"
    assert repository.count() == 1


def test_a_date_the_column_cannot_hold_is_flagged_not_lost(repository):
    stored, _ = repository.save(full_record(date_of_birth="1974-02-30"), source_for("bad-date"))
    assert stored.record["date_of_birth"] is None
    assert stored.status == "needs_review"
    flagged = [w for w in stored.record["warnings"] if w["code"] == "unstorable_date"]
    assert flagged and flagged[0]["field"] == "date_of_birth" and "1974-02-30" in flagged[0]["message"]


def test_get_and_delete_with_ids_that_are_not_uuids(repository):
    assert repository.get("not-a-uuid") is None
    assert repository.get("") is None
    assert repository.get(uuid.uuid4()) is None
    assert repository.delete("1; DELETE FROM extractions") is None


def test_delete_returns_the_row_it_removed(repository):
    keep, _ = repository.save(full_record(), source_for("keep"))
    gone, _ = repository.save(full_record(surname="GONE"), source_for("gone"))

    deleted = repository.delete(str(gone.id))

    assert deleted == gone
    assert deleted.source.key == "incoming/gone.jpg"
    assert repository.get(gone.id) is None
    assert repository.delete(gone.id) is None
    assert repository.get(keep.id) == keep
    assert repository.count() == 1


# --- search -----------------------------------------------------------------------------
def test_search_filters(repository):
    eriksson, _ = repository.save(full_record(), source_for("a"))
    erika, _ = repository.save(full_record(surname="ERIKA", document_number="X1", nationality="D"), source_for("b"))
    review = full_record(surname="MEIER", document_number="X2", nationality="D")
    review.mrz.valid = False
    meier, _ = repository.save(review, source_for("c"))
    failed, _ = repository.save(None, source_for("d"), NoMrzFound())

    def ids(**filters):
        rows, cursor = repository.search(**filters)
        assert cursor is None
        return [row.id for row in rows]

    assert ids() == [failed.id, meier.id, erika.id, eriksson.id]
    assert ids(surname="eri") == [erika.id, eriksson.id]
    assert ids(surname="  Eriks ") == [eriksson.id]
    assert ids(document_number="l898902c3") == [eriksson.id]
    assert ids(nationality="d") == [meier.id, erika.id]
    assert ids(nationality="D", surname="MEI") == [meier.id]
    assert ids(status="needs_review") == [meier.id]
    assert ids(status="failed") == [failed.id]
    assert ids(surname="ZZZ") == []
    with pytest.raises(ValueError):
        repository.search(status="done")


def test_search_values_with_sql_metacharacters_are_plain_text(repository):
    obrien, _ = repository.save(full_record(surname="O'BRIEN", document_number="A'1"), source_for("o"))
    under, _ = repository.save(full_record(surname="AB_C"), source_for("u"))
    other, _ = repository.save(full_record(surname="ABXC"), source_for("x"))

    def ids(**filters):
        return [row.id for row in repository.search(**filters)[0]]

    assert ids(surname="o'b") == [obrien.id]
    assert ids(document_number="A'1") == [obrien.id]
    assert ids(surname="ab_") == [under.id]  # "_" is a character here, not LIKE's wildcard
    assert ids(surname="%") == []
    assert ids(surname="\\") == []
    assert ids(surname="'; DROP TABLE extractions; --") == []
    assert ids(document_number="' OR '1'='1") == []
    assert ids(nationality="UTO' OR 1=1 --") == []
    assert sorted(ids()) == sorted([obrien.id, under.id, other.id])


def _insert_rows(pg_connect, count: int, created_at_choices: int = 3) -> None:
    """Many rows quickly, with deliberately shared created_at values so ties on it are exercised."""
    with pg_connect().cursor() as cur:
        cur.execute(
            "INSERT INTO extractions (status, surname, nationality, image_sha256, created_at) "
            "SELECT CASE WHEN n %% 4 = 0 THEN 'needs_review' ELSE 'extracted' END, 'ROW' || n, 'UTO', "
            "encode(sha256(n::text::bytea), 'hex'), "
            "timestamptz '2026-01-01 00:00:00+00' + (n %% %s) * interval '1 second' "
            "FROM generate_series(1, %s) AS n",
            (created_at_choices, count),
        )


def _walk(repository, **filters):
    pages, cursor = [], None
    while True:
        rows, cursor = repository.search(cursor=cursor, **filters)
        pages.append(rows)
        if cursor is None:
            return pages
        assert len(pages) < 1000


def test_pagination_visits_every_row_once_in_order(repository, pg_connect):
    _insert_rows(pg_connect, 120)

    pages = _walk(repository, limit=7)

    rows = [row for page in pages for row in page]
    assert [len(page) for page in pages] == [7] * 17 + [1]
    assert len({row.id for row in rows}) == 120 == repository.count()
    keys = [(row.created_at, row.id) for row in rows]
    assert keys == sorted(keys, reverse=True)

    review_rows = [row for page in _walk(repository, limit=8, status="needs_review") for row in page]
    assert len({row.id for row in review_rows}) == len(review_rows) == 30
    assert all(row.status == "needs_review" for row in review_rows)


def test_limit_is_clamped(repository, pg_connect):
    _insert_rows(pg_connect, 205)
    rows, cursor = repository.search(limit=100000)
    assert len(rows) == 200 and cursor is not None
    rest, cursor = repository.search(limit=100000, cursor=cursor)
    assert len(rest) == 5 and cursor is None
    assert len(repository.search(limit=0)[0]) == 1
    assert len(repository.search(limit=-3)[0]) == 1


@pytest.mark.parametrize(
    "cursor",
    ["garbage!", "bm90IGpzb24", "WzEsMl0", "WyJ5ZXN0ZXJkYXkiLCJub3QtYS11dWlkIl0",
     "WyIyMDI2LTAxLTAxVDAwOjAwOjAwIiwiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwIl0"],
    ids=["not-base64", "not-json", "numbers", "not-a-date", "naive-timestamp"],
)
def test_malformed_cursor_is_a_value_error(repository, cursor):
    with pytest.raises(ValueError):
        repository.search(cursor=cursor)


def test_cursor_round_trips():
    created_at = datetime.fromisoformat("2026-11-25T04:01:12.123456+00:00")
    row_id = uuid.uuid4()
    assert decode_cursor(encode_cursor(created_at, row_id)) == (created_at, row_id)


# --- connection handling ----------------------------------------------------------------
def _backends(pg_connect, application_name: str) -> list[int]:
    with pg_connect().cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", (application_name,))
        return [row[0] for row in cur.fetchall()]


def test_one_connection_is_reused_and_replaced_after_the_server_drops_it(postgres_dsn, repository, pg_connect):
    name = f"test-{uuid.uuid4().hex[:8]}"
    repo = Repository.from_dsn(postgres_dsn, application_name=name)
    try:
        repo.save(full_record(), source_for("before"))
        repo.search()
        assert repo.ping()
        [first_pid] = _backends(pg_connect, name)

        with pg_connect().cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", (first_pid,))
            assert cur.fetchone()[0] is True

        stored, created = repo.save(full_record(surname="AFTER"), source_for("after"))
        assert created and repository.get(stored.id) == stored  # committed, seen from another connection
        [second_pid] = _backends(pg_connect, name)
        assert second_pid != first_pid
        assert repo.count() == 2
    finally:
        repo.close()


def test_a_statement_the_server_cancels_is_unavailable_without_dropping_the_connection(postgres_dsn, repository,
                                                                                       pg_connect):
    name = f"test-{uuid.uuid4().hex[:8]}"
    repo = Repository(lambda: psycopg2.connect(postgres_dsn, application_name=name,
                                               options="-c statement_timeout=200"))
    try:
        assert repo.count() == 0
        [pid] = _backends(pg_connect, name)
        blocker = psycopg2.connect(postgres_dsn)
        try:
            with blocker.cursor() as cur:
                cur.execute("LOCK TABLE extractions IN ACCESS EXCLUSIVE MODE")
            with pytest.raises(DatabaseUnavailable):
                repo.count()
        finally:
            blocker.close()
        assert repo.count() == 0
        assert _backends(pg_connect, name) == [pid]
    finally:
        repo.close()


def test_stopped_server_gives_database_unavailable_and_keeps_its_data(tmp_path):
    handle = start_postgres(tmp_path / "data")
    again = start_postgres(tmp_path / "data")
    assert again.dsn == handle.dsn
    conn = psycopg2.connect(handle.dsn)
    migrate.apply(conn)
    conn.close()
    repo = Repository.from_dsn(handle.dsn)
    saved, _ = repo.save(full_record(), source_for("durable"))

    handle.stop()

    with pytest.raises(DatabaseUnavailable) as raised:
        repo.count()
    assert raised.value.retryable is True
    assert repo.ping() is False
    with pytest.raises(DatabaseUnavailable):
        Repository.from_dsn(handle.dsn).get(saved.id)

    restarted = start_postgres(tmp_path / "data")
    try:
        assert repo.get(saved.id) == saved
    finally:
        repo.close()
        restarted.stop()


def test_dsn_names_the_unix_socket_of_the_server(postgres_server):
    parts = parse_dsn(postgres_server.dsn)
    assert parts["host"].startswith("/") and parts["user"] == "postgres"
