"""`keyworker export ctf --child ID [--out FILE]`: a leaving pupil's common transfer file, as the child's page gives it."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyworker.imports.ctf_commands import command_actor
from keyworker.imports.ctf_export import ctf_export
from keyworker.organisations.commands import organisation_for_command
from keyworker.people.models import Child


class Command(BaseCommand):
    help = "Export a child's common transfer file (CTF 19 XML): their transferable data, never safeguarding records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["ctf"], help="ctf: a child's common transfer file")
        parser.add_argument("--child", type=int, required=True, help="the child's number (as in their page's address)")
        parser.add_argument("--organisation", help="the organisation's short name (slug); not needed when "
                                                     "the installation has only one")
        parser.add_argument("--out", help="the file to write (default: CTF_<UPN>_<date>.xml here; - for the screen)")
        parser.add_argument("--by", metavar="EMAIL", help="the staff member the export is recorded as "
                                                          "(default: the first leader or office member)")

    def handle(self, *args: Any, kind: str, child: int, organisation: str | None, out: str | None, by: str | None,
               **options: Any) -> None:
        org = organisation_for_command(organisation)
        found = Child.objects.filter(organisation=org, pk=child).select_related("setting", "family").first()
        if found is None:
            raise CommandError(f"{org} has no child number {child}.")
        actor = command_actor(org, found.setting, by)
        name, data = ctf_export(actor=actor, child=found)
        if out == "-":
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        path = Path(out or name)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
        self.stdout.write(self.style.SUCCESS(f"Wrote the common transfer file of {found} to {path}."))
