"""Backing up and restoring the whole database (SQLite's online backup API; PostgreSQL's pg_dump and pg_restore),
and, if asked, the uploaded files beside it as a tar archive read and written through Django's storage API."""

import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db.backends.base.base import BaseDatabaseWrapper

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that could not be done, with a message for the operator."""


def media_archive_path(path: Path) -> Path:
    """The uploaded files' archive is written beside the database's backup: backup.dump -> backup.dump.media.tar."""
    return path.with_name(path.name + ".media.tar")


def _atomic_target(path: Path) -> Path:
    """A temporary file beside `path`: a backup that fails half-way never leaves a file that looks whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    return Path(tmp)


# SQLite


def sqlite_backup(connection: BaseDatabaseWrapper, path: Path) -> None:
    """A consistent copy while pages and workers go on writing (the online backup API copies page by page)."""
    connection.ensure_connection()
    tmp = _atomic_target(path)
    try:
        target = sqlite3.connect(tmp)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def sqlite_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path} is not an SQLite backup.")
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    except sqlite3.Error as exc:
        raise BackupError(f"The restore failed: {exc}") from exc
    finally:
        source.close()


# PostgreSQL


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found on PATH. Install PostgreSQL's client tools, of the server's major version or newer "
            "(Debian and Ubuntu: apt-get install postgresql-client)."
        )
    return found


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The connection settings as libpq's environment variables: no password on a command line."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT"),
                     ("sslkey", "PGSSLKEY"), ("service", "PGSERVICE"), ("passfile", "PGPASSFILE")):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{what} failed ({Path(command[0]).name} exit {done.returncode}): {done.stderr.strip()[-2000:]}")


def postgres_backup(settings_dict: dict[str, Any], path: Path) -> None:
    """pg_dump's custom format (compressed; pg_restore can clean, reorder and pick from it)."""
    pg_dump = _pg_tool("pg_dump")
    tmp = _atomic_target(path)
    try:
        _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={tmp}", settings_dict["NAME"]],
             _pg_env(settings_dict), "pg_dump")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def postgres_restore(settings_dict: dict[str, Any], path: Path) -> None:
    """Drops what the backup holds and loads it again, in one transaction: a failed restore changes nothing."""
    with path.open("rb") as fh:
        if fh.read(len(PG_CUSTOM_HEADER)) != PG_CUSTOM_HEADER:
            raise BackupError(f"{path} is not a PostgreSQL backup (pg_dump's custom format).")
    pg_restore = _pg_tool("pg_restore")
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={settings_dict['NAME']}", str(path)],
         _pg_env(settings_dict), "pg_restore")


# Either


def database_backup(connection: BaseDatabaseWrapper, path: Path) -> None:
    if connection.vendor == "sqlite":
        if connection.settings_dict["NAME"] in ("", ":memory:"):
            raise BackupError("An in-memory SQLite database cannot be backed up to be used again.")
        sqlite_backup(connection, path)
    elif connection.vendor == "postgresql":
        postgres_backup(connection.settings_dict, path)
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported (SQLite and PostgreSQL are).")


def database_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    if connection.vendor == "sqlite":
        sqlite_restore(connection, path)
    elif connection.vendor == "postgresql":
        connection.close()  # pg_restore drops the tables: this process holds no lock on them
        postgres_restore(connection.settings_dict, path)
    else:
        raise BackupError(f"Restoring {connection.vendor} databases is not supported (SQLite and PostgreSQL are).")
    connection.close()


def database_tables(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


# Uploaded files


def _walk(storage: Storage, folder: str = "") -> list[str]:
    folders, files = storage.listdir(folder)
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names += _walk(storage, f"{folder}/{sub}" if folder else sub)
    return names


def media_backup(path: Path, storage: Storage = default_storage) -> int:
    """Every uploaded file into one tar archive, read through the storage API (local folder or object storage)."""
    tmp = _atomic_target(path)
    count = 0
    try:
        try:
            names = sorted(_walk(storage))
        except FileNotFoundError:
            names = []  # nothing was ever uploaded
        with tarfile.open(tmp, "w") as tar:
            for name in names:
                with storage.open(name, "rb") as fh:
                    data = fh.read()
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, ContentFile(data))
                count += 1
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def media_restore(path: Path, storage: Storage = default_storage) -> int:
    """Puts each file of the archive back under its own name (replacing a file of that name)."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist (written by `keyworker backup --media`).")
    count = 0
    with tarfile.open(path, "r") as tar:
        for member in tar.getmembers():
            name = member.name
            # Only plain files with plain relative names: an archive cannot write outside the storage.
            if not member.isfile() or name.startswith("/") or ".." in Path(name).parts:
                raise BackupError(f"{path} holds an entry that is not an uploaded file: {name!r}")
            extracted = tar.extractfile(member)
            assert extracted is not None
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, ContentFile(extracted.read()))
            if saved != name:
                raise BackupError(f"The storage saved {name} as {saved}.")
            count += 1
    return count
