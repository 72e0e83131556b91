"""`keyworker import children|staff FILE`: import an MIS export from the command line, with the same report."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from keyworker.accounts.access import Actor
from keyworker.core.errors import RuleViolation
from keyworker.core.uploads import too_large_message, upload_limits
from keyworker.imports import services
from keyworker.imports.checks import check_table
from keyworker.imports.ctf_commands import command_actor
from keyworker.imports.ctf_services import ctf_import_file
from keyworker.imports.mapping import guess_mapping, mapping_problems, mapping_with_overrides, target_labels
from keyworker.imports.models import ImportKind, ImportStatus
from keyworker.imports.reading import read_table
from keyworker.organisations.commands import organisation_for_command
from keyworker.organisations.models import Setting


class Command(BaseCommand):
    help = (
        "Import children with their families and carers, or staff, from a CSV or XLSX export into one setting. "
        "All or nothing: if any row has an error, nothing is imported and the command exits with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[*ImportKind.values, "ctf"],
                            help="children or staff, or ctf for a common transfer file (XML)")
        parser.add_argument("file", help="the CSV or XLSX file, or the CTF")
        parser.add_argument("--organisation", help="the organisation's short name (slug); not needed when "
                                                     "the installation has only one")
        parser.add_argument("--setting", help="the setting's name (or number); with --mapping, the mapping's setting")
        parser.add_argument(
            "--map", action="append", default=[], dest="pairs", metavar="COLUMN=FIELD",
            help="use COLUMN (its heading) for FIELD, overriding the guess; '=FIELD' leaves the field out. Repeatable.",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report, import nothing")
        parser.add_argument("--mapping", help="the nightly sync: import with the columns saved under this name, update the "
                                              "children on roll, mark those no longer in the file as leaving")
        parser.add_argument("--save-mapping", metavar="NAME", help="save the columns used now under NAME, for --mapping")
        parser.add_argument("--allow-leavers", action="store_true",
                            help="with --mapping: mark leavers even beyond the mapping's share of the roll")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--by", metavar="EMAIL", help="ctf: the staff member the changes are recorded as "
                                                          "(default: the first leader or office member)")

    def handle(self, *args: Any, kind: str, file: str, organisation: str | None, setting: str | None, pairs: list[str],
               dry_run: bool, no_progress: bool, mapping: str | None = None, save_mapping: str | None = None,
               allow_leavers: bool = False, by: str | None = None, **options: Any) -> None:
        org = organisation_for_command(organisation)
        if mapping:
            return self._sync(org, kind, file, mapping, dry_run, allow_leavers)
        if not setting:
            raise CommandError("Give the setting: --setting NAME (or --mapping NAME for the nightly sync).")
        self.save_mapping = save_mapping
        found = Setting.objects.filter(organisation=org, name__iexact=setting.strip()).first()
        if found is None and setting.strip().isdigit():
            found = Setting.objects.filter(organisation=org, pk=int(setting)).first()
        if found is None:
            names = ", ".join(Setting.objects.filter(organisation=org).values_list("name", flat=True)) or "none yet"
            raise CommandError(f"{org} has no setting “{setting}”. Its settings: {names}.")
        path = Path(file)
        limits = upload_limits()
        try:
            # The size first: a file past the limit is refused unread.
            if path.stat().st_size > limits.max_bytes:
                raise CommandError(too_large_message(limits))
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from exc
        self.progress_off = no_progress
        try:
            if kind == "ctf":
                self._ctf(path.name, data, found, command_actor(org, found, by), dry_run)
            elif dry_run:
                self._dry_run(kind, path.name, data, found, pairs)
            else:
                self._import(kind, path.name, data, found, pairs)
        except RuleViolation as exc:
            raise CommandError(exc.message) from exc

    def _bar(self, label: str, total: int) -> tqdm:
        return tqdm(total=total, desc=label, unit="row", disable=self.progress_off, file=self.stderr._out, leave=False)

    def _follow(self, bar: tqdm):
        def update(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()
        return update

    def _mapping(self, kind: str, headers: list[str], base: dict[str, int], pairs: list[str]) -> dict[str, int]:
        mapping = mapping_with_overrides(kind, headers, base, pairs)
        labels = target_labels(kind)
        self.stdout.write("Columns:")
        for key, label in labels.items():
            if key in mapping:
                self.stdout.write(f"  {label:<45} ← {headers[mapping[key]]}")
        problems = mapping_problems(kind, headers, mapping)
        if problems:
            raise CommandError(" ".join(problems) + " Use --map “Column heading=field”.")
        return mapping

    def _sync(self, org, kind: str, file: str, name: str, dry_run: bool, allow_leavers: bool) -> None:
        from django.utils import timezone

        from keyworker.core import clock
        from keyworker.imports.models import SavedMapping
        from keyworker.imports.sync import sync_run, sync_tell_office

        saved = SavedMapping.objects.filter(organisation=org, name__iexact=name.strip()).select_related("setting").first()
        if saved is None:
            names = ", ".join(SavedMapping.objects.filter(organisation=org).values_list("name", flat=True)) or "none yet"
            raise CommandError(f"{org} has no saved mapping “{name}”. Its mappings: {names}. Save one with --save-mapping.")
        if saved.kind != kind:
            raise CommandError(f"The mapping “{saved.name}” is for {saved.get_kind_display().lower()}, not {kind}.")
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from exc
        try:
            table = read_table(path.name, data)
        except RuleViolation as exc:
            raise CommandError(exc.message) from exc
        report = sync_run(saved=saved, table=table, file_name=path.name, as_of=clock.today(saved.setting.time_zone),
                          dry_run=dry_run, allow_leavers=allow_leavers)
        for child, changes in report.updated:
            self.stdout.write(f"  Updated {child}: {'; '.join(changes)}")
        for child in report.leavers:
            self.stdout.write(f"  Leaving: {child}")
        for problem in report.errors:
            self.stdout.write(self.style.ERROR(f"  {problem}"))
        if not dry_run:
            sync_tell_office(saved, report, now=timezone.now())
        if report.stopped or report.errors:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(("Dry run: " if dry_run else "") + report.summary()))

    def _dry_run(self, kind: str, name: str, data: bytes, setting: Setting, pairs: list[str]) -> None:
        table = read_table(name, data)
        mapping = self._mapping(kind, table.headers, guess_mapping(kind, table.headers), pairs)
        with self._bar("Checking", len(table.rows)) as bar:
            check = check_table(kind=kind, table=table, mapping=mapping, setting=setting, on_progress=self._follow(bar))
        report = check.report()
        self._print_report(report)
        if check.has_errors:
            raise CommandError(f"Nothing would be imported: {check.error_rows} row(s) have errors.")
        self.stdout.write(self.style.SUCCESS(f"Dry run, nothing imported. {self._would(kind, report['counts'])}"))

    def _import(self, kind: str, name: str, data: bytes, setting: Setting, pairs: list[str]) -> None:
        # The columns are settled before anything is kept, so a wrong --map leaves no half-made import behind.
        table = read_table(name, data)
        mapping = self._mapping(kind, table.headers, guess_mapping(kind, table.headers), pairs)
        job = services.import_upload(actor=None, setting=setting, kind=kind, name=name, data=data)
        with self._bar("Checking", job.row_count) as bar:
            job = services.import_map(actor=None, job=job, mapping=mapping, on_progress=self._follow(bar))
        if job.status == ImportStatus.FAILED:
            self._print_report(job.report)
            raise CommandError(f"Nothing was imported: {job.report['counts']['error_rows']} row(s) have errors.")
        job = services.import_confirm(actor=None, job=job)
        with self._bar("Importing", job.row_count) as bar:
            job = services.import_run(actor=None, job=job, on_progress=self._follow(bar))
        self._print_report(job.report)
        if job.status != ImportStatus.DONE:
            raise CommandError(job.message or "Nothing was imported.")
        self.stdout.write(self.style.SUCCESS(f"{services.import_summary(job)}."))
        if getattr(self, "save_mapping", None):
            from keyworker.imports.sync import mapping_save

            saved = mapping_save(actor=None, setting=setting, name=self.save_mapping, headers=table.headers, mapping=mapping,
                                 kind=kind)
            self.stdout.write(f"Columns saved as “{saved.name}”: next time, --mapping “{saved.name}”.")

    def _ctf(self, name: str, data: bytes, setting: Setting, actor: Actor, dry_run: bool) -> None:
        plan, outcome = ctf_import_file(actor=actor, setting=setting, name=name, data=data, dry_run=dry_run)
        report = plan.report()
        self.stdout.write(f"CTF {report['version']} ({report['qualifier']}) from {report['source_school'] or 'an unnamed school'}")
        for p in report["pupils"]:
            label = {"create": "new", "update": "changes", "unchanged": "no change", "error": "ERROR"}[p["action"]]
            self.stdout.write(f"  {p['position']}. {p['name']} {p['upn']} ({label})")
            for c in p["changes"]:
                before = c["before"].replace("\n", ", ") or "–"
                self.stdout.write(f"      {c['what']}: {c['field']}: {before} → {c['after'].replace(chr(10), ', ') or '–'}")
            for e in p["errors"]:
                self.stdout.write(self.style.ERROR(f"      Error: {e}"))
            for w in p["warnings"]:
                self.stdout.write(self.style.WARNING(f"      Warning: {w}"))
        if report["not_kept"]:
            self.stdout.write("Not kept: " + ", ".join(f"{n['what']} ({n['pupils']})" for n in report["not_kept"]))
        counts = report["counts"]
        summary = (f"{counts['pupils']} pupil(s): {counts['create']} new, {counts['update']} to update, "
                   f"{counts['unchanged']} unchanged, {counts['error']} with errors.")
        if plan.has_errors:
            raise CommandError(f"Nothing was imported. {summary}")
        if outcome is None:
            self.stdout.write(self.style.SUCCESS(f"Dry run, nothing imported. {summary}"))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Imported as {actor.user}: {outcome.created} new, {outcome.updated} updated, {outcome.unchanged} "
                f"unchanged; {outcome.attendance_years} year(s) of attendance."))

    def _would(self, kind: str, counts: dict[str, int]) -> str:
        if kind == ImportKind.STAFF:
            return f"Would import {counts.get('staff', 0)} staff member(s); {counts.get('warnings', 0)} warning(s)."
        return (f"Would import {counts.get('children', 0)} children in {counts.get('families', 0)} families with "
                f"{counts.get('carers', 0)} carers; {counts.get('warnings', 0)} warning(s).")

    def _print_report(self, report: dict[str, Any]) -> None:
        counts = report.get("counts", {})
        problems = report.get("problems", [])
        if problems:
            self.stdout.write("")
            self.stdout.write("Rows with problems (line 1 is the headings):")
        for p in problems:
            self.stdout.write(f"  Line {p['line']}: {p['name']}{' (skipped)' if p.get('skipped') else ''}")
            for e in p["errors"]:
                self.stdout.write(self.style.ERROR(f"    Error: {e}"))
            for w in p["warnings"]:
                self.stdout.write(self.style.WARNING(f"    Warning: {w}"))
        self.stdout.write("")
        self.stdout.write(
            f"{counts.get('rows', 0)} rows; {counts.get('errors', 0)} error(s) on {counts.get('error_rows', 0)} row(s); "
            f"{counts.get('warnings', 0)} warning(s); {counts.get('skipped', 0)} already here (skipped)."
        )
