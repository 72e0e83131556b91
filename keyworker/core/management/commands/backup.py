"""`keyworker backup FILE [--media]`: the whole database into one file (and the uploaded files beside it)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from keyworker.core.backup import BackupError, database_backup, media_archive_path, media_backup


class Command(BaseCommand):
    help = (
        "Back up the whole database to FILE while the site runs: SQLite through its online backup API, PostgreSQL "
        "with pg_dump (custom format). --media also writes every uploaded file to FILE.media.tar."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="where to write the backup (replaced if it exists)")
        parser.add_argument("--media", action="store_true", help="also write the uploaded files to FILE.media.tar")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the database alias (default: default)")

    def handle(self, *args: Any, file: str, media: bool, database: str, **options: Any) -> None:
        path = Path(file).expanduser().resolve()
        connection = connections[database]
        try:
            database_backup(connection, path)
            self.stdout.write(f"Database ({connection.vendor}) backed up to {path} ({path.stat().st_size:,} bytes).")
            if media:
                archive = media_archive_path(path)
                count = media_backup(archive)
                self.stdout.write(f"{count:,} uploaded file(s) written to {archive}.")
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
