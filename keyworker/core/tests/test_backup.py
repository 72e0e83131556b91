"""`keyworker backup` / `keyworker restore`: a round trip gives back the same content, on SQLite and PostgreSQL."""

import hashlib
import os
import secrets
import shutil
import sqlite3

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from keyworker.core import backup

# The server the PostgreSQL suite uses, else the local one; the test is skipped when none answers.
_URL = os.environ.get("DATABASE_URL", "")
PG_URL = _URL if _URL.startswith("postgres") else "postgres://postgres@127.0.0.1:5432/postgres"


def _content(cursor, tables: list[str], checksummed: list[str], quote) -> dict:
    """Row counts of every table and a checksum of the rows of a few (in primary key order)."""
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from introspection
        counts[table] = cursor.fetchone()[0]
    sums = {}
    for table in checksummed:
        cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY 1")  # noqa: S608
        sums[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return {"counts": counts, "checksums": sums}


def _django_content() -> dict:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        checksummed = ["people_child", "people_family", "accounts_user", "caseload_keyworkerassignment"]
        return _content(cursor, tables, [t for t in checksummed if t in tables], connection.ops.quote_name)


@pytest.mark.django_db(transaction=True)
def test_a_round_trip_on_sqlite_gives_back_the_same_content(world, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip (PostgreSQL has its own test below)")
    before = _django_content()
    assert before["counts"]["people_child"] > 0
    file = tmp_path / "keyworker.sqlite3.bak"
    call_command("backup", str(file))
    assert file.read_bytes().startswith(backup.SQLITE_HEADER)

    from keyworker.people.models import Child

    Child.objects.all().delete()  # something changes after the backup
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(file))
    assert _django_content() != before  # refused: nothing restored

    call_command("restore", str(file), "--yes")
    assert _django_content() == before


@pytest.mark.django_db(transaction=True)
def test_restore_into_an_empty_sqlite_database_needs_no_yes(tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    source = tmp_path / "source.sqlite3"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE t (id integer primary key, name text)")
        db.executemany("INSERT INTO t (name) VALUES (?)", [("a",), ("b",)])
    empty = {**connection.settings_dict, "NAME": str(tmp_path / "empty.sqlite3")}
    from django.db.utils import ConnectionHandler

    handler = ConnectionHandler({"default": empty})
    target = handler["default"]
    try:
        assert backup.database_tables(target) == []
        backup.database_restore(target, source)
        assert backup.database_tables(target) == ["t"]
    finally:
        target.close()


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"hello")
    with pytest.raises(backup.BackupError, match="not an SQLite backup"):
        backup.sqlite_restore(connection, junk)
    with pytest.raises(backup.BackupError, match="not a PostgreSQL backup"):
        backup.postgres_restore({"NAME": "x"}, junk)


def test_a_missing_pg_dump_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="pg_dump was not found on PATH. Install PostgreSQL's client tools"):
        backup.postgres_backup({"NAME": "keyworker"}, tmp_path / "x.dump")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_the_command_says_what_is_wrong_without_a_stack_trace(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "nowhere.dump"), "--yes")


def test_uploaded_files_go_to_a_tar_beside_and_come_back(tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path / "media")
    storage.save("journals/1/a.jpg", ContentFile(b"photo a"))
    storage.save("imports/b.csv", ContentFile(b"name\nAda\n"))
    archive = backup.media_archive_path(tmp_path / "nightly.dump")
    assert archive.name == "nightly.dump.media.tar"
    assert backup.media_backup(archive, storage) == 2

    storage.delete("journals/1/a.jpg")  # one lost, one changed after the backup
    storage.delete("imports/b.csv")
    storage.save("imports/b.csv", ContentFile(b"changed"))
    assert backup.media_restore(archive, storage) == 2
    assert storage.open("journals/1/a.jpg").read() == b"photo a"
    assert storage.open("imports/b.csv").read() == b"name\nAda\n"


def test_an_archive_cannot_write_outside_the_storage(tmp_path):
    import io
    import tarfile

    from django.core.files.storage import FileSystemStorage

    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(backup.BackupError, match="not an uploaded file"):
        backup.media_restore(archive, FileSystemStorage(location=tmp_path / "media"))
    assert not (tmp_path / "outside.txt").exists()


# PostgreSQL: a throwaway database made through the `postgres` database and dropped after.


@pytest.fixture
def throwaway_pg():
    psycopg = pytest.importorskip("psycopg")
    import dj_database_url

    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump / pg_restore not installed")
    admin = dj_database_url.parse(PG_URL)
    conninfo = {"host": admin["HOST"] or None, "port": admin["PORT"] or None, "user": admin["USER"] or None,
                "password": admin["PASSWORD"] or None, "dbname": admin["NAME"] or "postgres"}
    try:
        server = psycopg.connect(**conninfo, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip(f"no PostgreSQL at {PG_URL}")
    name = f"kw_backup_test_{secrets.token_hex(4)}"
    server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**admin, "NAME": name}, (lambda: psycopg.connect(**{**conninfo, "dbname": name}, autocommit=True))
    finally:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


def _pg_content(db) -> dict:
    cur = db.cursor()
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    tables = [r[0] for r in cur.fetchall()]
    return _content(cur, tables, ["family", "child"], lambda n: f'"{n}"')


def test_a_round_trip_on_postgresql_gives_back_the_same_content(throwaway_pg, tmp_path):
    settings_dict, connect = throwaway_pg
    with connect() as db:
        db.execute("CREATE TABLE family (id bigserial PRIMARY KEY, name text NOT NULL)")
        db.execute("CREATE TABLE child (id bigserial PRIMARY KEY, family_id bigint REFERENCES family(id), "
                   "name text, born date, notes jsonb)")
        db.execute("CREATE TABLE audit (id bigserial PRIMARY KEY, what text)")
        # An append-only table, as the audit log is: rows may be added, never changed or removed.
        db.execute("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "RAISE EXCEPTION 'append only'; END $$")
        db.execute("CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION refuse()")
        db.execute("INSERT INTO family (name) SELECT 'Family ' || g FROM generate_series(1, 50) g")
        db.execute("INSERT INTO child (family_id, name, born, notes) SELECT 1 + g % 50, 'Child ' || g, "
                   "date '2020-01-01' + g, jsonb_build_object('n', g, 'name', 'Zoë') FROM generate_series(1, 200) g")
        db.execute("INSERT INTO audit (what) SELECT 'event ' || g FROM generate_series(1, 30) g")
        before = _pg_content(db)
    file = tmp_path / "keyworker.dump"
    backup.postgres_backup(settings_dict, file)
    assert file.read_bytes().startswith(backup.PG_CUSTOM_HEADER)

    with connect() as db:  # changes after the backup, which the restore undoes
        db.execute("DELETE FROM child WHERE id > 100")
        db.execute("UPDATE family SET name = 'changed'")
        db.execute("INSERT INTO audit (what) VALUES ('after the backup')")
        db.execute("CREATE TABLE extra (id int)")
        assert _pg_content(db) != before

    backup.postgres_restore(settings_dict, file)
    with connect() as db:
        after = _pg_content(db)
    after["counts"].pop("extra")  # not in the backup, so left as it was
    assert after == before
    assert before["counts"] == {"audit": 30, "child": 200, "family": 50}
