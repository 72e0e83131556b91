"""A throwaway database for a benchmark: a temporary SQLite file, or a new PostgreSQL database dropped afterwards."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def postgres_url(base: str, name: str) -> str:
    return f"{base.rstrip('/')}/{name}"


def postgres_admin(base: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url(base, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def throwaway_database(*, name: str, postgres: bool, server: str = DEFAULT_SERVER, keep: bool = False) -> Iterator[str]:
    """Point Django at a new database (before it starts: the settings read DATABASE_URL once); yield where it is."""
    tmpdir = None
    db_name = None
    if postgres:
        db_name = f"keyworker_{name}_{os.getpid()}"
        postgres_admin(server, f'CREATE DATABASE "{db_name}"')
        os.environ["DATABASE_URL"] = postgres_url(server, db_name)
        where = f"PostgreSQL database {db_name}"
    else:
        tmpdir = tempfile.mkdtemp(prefix=f"keyworker-{name}-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmpdir}/bench.sqlite3"
        where = f"SQLite file {tmpdir}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("KEYWORKER_ALLOWED_HOSTS", "testserver,localhost")
    try:
        yield where
    finally:
        from django.db import connections

        connections.close_all()
        if keep:
            print(f"Kept {where}")
        elif db_name:
            postgres_admin(server, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        elif tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
