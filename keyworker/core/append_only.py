"""Append-only tables: database triggers refuse UPDATE and DELETE of audit and access-log rows.

The triggers live in the database, so they hold for the ORM, raw SQL and the admin alike. Migrations install
them with `protect(...)`; only an operator who owns the tables can lift them (`lifted`), for example to remove
the demo. On SQLite a table rebuilt by a later migration loses its triggers: `installed()` is tested.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection
from django.db import migrations

MESSAGE = "append-only: audit and access-log rows cannot be changed or deleted"

def _trigger(table: str, operation: str) -> str:
    return f"{table}_no_{operation.lower()}"


def _create_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        function = f"{table}_append_only"
        return [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '{MESSAGE} (%)', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END $$""",
            *[
                f"""CREATE TRIGGER {_trigger(table, op)} BEFORE {op} ON {table}
                    FOR EACH ROW EXECUTE FUNCTION {function}()"""
                for op in ("UPDATE", "DELETE")
            ],
        ]
    if vendor == "sqlite":
        return [
            f"""CREATE TRIGGER IF NOT EXISTS {_trigger(table, op)} BEFORE {op} ON {table}
                BEGIN SELECT RAISE(ABORT, '{MESSAGE} ({table})'); END"""
            for op in ("UPDATE", "DELETE")
        ]
    return []  # other databases: no protection offered


def _drop_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {_trigger(table, op)} ON {table}" for op in ("UPDATE", "DELETE")]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {_trigger(table, op)}" for op in ("UPDATE", "DELETE")]
    return []


def install(tables: Iterable[str], connection: Any = None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        for table in tables:
            for sql in _drop_sql(connection.vendor, table) + _create_sql(connection.vendor, table):
                cursor.execute(sql)


def remove(tables: Iterable[str], connection: Any = None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        for table in tables:
            for sql in _drop_sql(connection.vendor, table):
                cursor.execute(sql)


def installed(table: str, connection: Any = None) -> set[str]:
    """The protected operations ("UPDATE", "DELETE") that have a trigger on this table."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table])
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        else:
            return set()
        names = {row[0] for row in cursor.fetchall()}
    return {op for op in ("UPDATE", "DELETE") if _trigger(table, op) in names}


def protected_tables(connection: Any = None) -> list[str]:
    """Every table of this database that has the append-only triggers."""
    connection = connection or default_connection
    suffix = "_no_delete"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal")
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        else:
            return []
        rows = [(table.strip('"'), name) for table, name in cursor.fetchall()]
    return sorted({table for table, name in rows if name == table + suffix})


@contextmanager
def lifted(tables: Iterable[str] | None = None, connection: Any = None) -> Iterator[None]:
    """Operator maintenance only (removing the demo, a test database's flush): the triggers come back after."""
    tables = list(protected_tables(connection) if tables is None else tables)
    remove(tables, connection)
    try:
        yield
    finally:
        install(tables, connection)


def protect(*tables: str) -> migrations.RunPython:
    """A migration operation installing the triggers on these tables (for whichever database runs it)."""
    def forwards(apps: Any, schema_editor: Any) -> None:
        install(tables, schema_editor.connection)

    def backwards(apps: Any, schema_editor: Any) -> None:
        remove(tables, schema_editor.connection)

    return migrations.RunPython(forwards, backwards, elidable=False)
