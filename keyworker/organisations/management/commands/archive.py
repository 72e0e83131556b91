"""`keyworker archive export FILE --organisation SLUG` and `keyworker archive import FILE`: a whole organisation in
one archive (JSON per model and its files), loaded into an installation that does not hold it, all or nothing."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, IntegrityError
from django.utils import timezone

from keyworker.core.errors import RuleViolation
from keyworker.organisations.archive import organisation_export, organisation_import
from keyworker.organisations.commands import organisation_for_command


class Command(BaseCommand):
    help = "Export an organisation to one archive, or import an archive into an installation that does not hold it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("file", help="the archive (.zip) to write or read")
        parser.add_argument("--organisation", help="export: the organisation's short name (not needed when there is one)")

    def handle(self, *args: Any, action: str, file: str, organisation: str | None, **options: Any) -> None:
        path = Path(file)
        if action == "export":
            org = organisation_for_command(organisation)
            data = organisation_export(org, now=timezone.now())
            try:
                path.write_bytes(data)
            except OSError as exc:
                raise CommandError(f"Cannot write {file}: {exc.strerror or exc}.") from exc
            self.stdout.write(f"Exported {org.name} ({org.slug}) to {file}: {len(data) // 1024} KB.")
            return
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from exc
        try:
            counts = organisation_import(data)
        except RuleViolation as exc:
            raise CommandError(exc.message) from exc
        except (IntegrityError, DatabaseError) as exc:
            raise CommandError(f"The archive clashes with what this installation holds, so nothing was imported: {exc}") from exc
        self.stdout.write(f"Imported {sum(counts.values())} records of {len(counts)} kinds from {file}.")
