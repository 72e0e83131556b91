"""`keyworker restore FILE [--yes] [--media]`: the database (and the uploaded files) as they were at the backup."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from keyworker.core.backup import (
    BackupError,
    database_restore,
    database_tables,
    media_archive_path,
    media_restore,
)


class Command(BaseCommand):
    help = (
        "Restore the database from a backup made by `keyworker backup`, replacing what is there (stop the web and "
        "the workers first). A database that already has tables is replaced only with --yes. --media also puts "
        "back the uploaded files from FILE.media.tar."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the backup to restore")
        parser.add_argument("--yes", action="store_true", help="replace a database that is not empty")
        parser.add_argument("--media", action="store_true", help="also restore the uploaded files from FILE.media.tar")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="the database alias (default: default)")

    def handle(self, *args: Any, file: str, yes: bool, media: bool, database: str, **options: Any) -> None:
        path = Path(file).expanduser().resolve()
        connection = connections[database]
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        archive = media_archive_path(path)
        if media and not archive.is_file():
            raise CommandError(f"{archive} does not exist (written by `keyworker backup --media`).")
        try:
            tables = database_tables(connection)
            if tables and not yes:
                raise CommandError(
                    f"The database is not empty ({len(tables)} table{'s' if len(tables) != 1 else ''}): restoring replaces everything in it with the "
                    "backup. Stop the web and the workers, then run again with --yes."
                )
            database_restore(connection, path)
            self.stdout.write(f"Database ({connection.vendor}) restored from {path}.")
            if media:
                count = media_restore(archive)
                self.stdout.write(f"{count:,} uploaded file(s) restored from {archive}.")
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
