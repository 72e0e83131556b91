"""`keyworker compliance`: how well an organisation meets its standards, per clause and per key worker, as of a date.

The figures are standards.compliance's, the same as the pages', the evidence pack's and the API's."""

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyworker.core import clock
from keyworker.core.spreadsheets import csv_writer
from keyworker.organisations.commands import organisation_for_command
from keyworker.organisations.models import Organisation, Setting
from keyworker.standards.compliance import DEFINITION, compliance_figures
from keyworker.standards.models import Obligation

COUNT_KEYS = ("due", "met_on_time", "met_late", "missed", "waived", "still_open", "percent", "percent_exact")
STANDARD_KEYS = ("clause", "title", *COUNT_KEYS)
KEY_WORKER_KEYS = ("name", *COUNT_KEYS)


def compliance(organisation: Organisation, settings: list[Setting], as_of: dt.date, start: dt.date | None = None,
               end: dt.date | None = None) -> dict[str, Any]:
    """The organisation's figures, as the command prints them."""
    figures = compliance_figures(Obligation.objects.filter(organisation=organisation), settings, as_of, start, end)
    return {
        "organisation": organisation.slug,
        "settings": [s.name for s in settings],
        "as_of": as_of.isoformat(),
        "from": figures["from_date"].isoformat() if figures["from_date"] else None,
        "to": figures["to_date"].isoformat() if figures["to_date"] else None,
        "definition": DEFINITION,
        "standards": [{k: r[k] for k in STANDARD_KEYS} for r in figures["standards"]],
        "key_workers": [{k: r[k] for k in KEY_WORKER_KEYS} for r in figures["key_workers"]],
    }


def _pct(value: int | None) -> str:
    return "" if value is None else f"{value}%"


def _exact(value: float | None) -> str:
    return "" if value is None else repr(value)


def _date(option: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{option} must be a date written YYYY-MM-DD, not “{value}”.") from exc


class Command(BaseCommand):
    help = (
        "Print compliance per clause and per key worker: due, met on time, met late, missed, waived, still open and "
        "the share met = (met on time + met late) ÷ (due − waived), for obligations due from the start of the school "
        "year (or --from) up to the date (or --to, counting only what is due by --as-of)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", help="the organisation's short name (slug); not needed when "
                                                     "the installation has only one")
        parser.add_argument("--setting", help="only this setting (its name or number)")
        parser.add_argument("--as-of", dest="as_of", help="the date, YYYY-MM-DD (default today)")
        parser.add_argument("--from", dest="start", help="the first day of the period, YYYY-MM-DD (default: the "
                                                         "start of the school year)")
        parser.add_argument("--to", dest="end", help="the last day of the period, YYYY-MM-DD (default: the date)")
        parser.add_argument("--format", dest="fmt", choices=["text", "json", "csv"], default="text")

    def handle(self, *args: Any, organisation: str | None, setting: str | None, as_of: str | None, fmt: str,
               start: str | None = None, end: str | None = None, **options: Any) -> None:
        org = organisation_for_command(organisation)
        settings = list(Setting.objects.filter(organisation=org).order_by("id"))
        if setting is not None:
            found = [s for s in settings if s.name.lower() == setting.strip().lower() or str(s.pk) == setting.strip()]
            if not found:
                names = ", ".join(s.name for s in settings) or "none yet"
                raise CommandError(f"{org} has no setting “{setting}”. Its settings: {names}.")
            settings = found[:1]
        day = _date("--as-of", as_of) if as_of else clock.today(settings[0].time_zone if settings else "Europe/London")
        first = _date("--from", start) if start else None
        last = _date("--to", end) if end else None
        if first and last and first > last:
            raise CommandError(f"--from ({first}) is after --to ({last}).")
        report = compliance(org, settings, day, first, last)
        if fmt == "json":
            self.stdout.write(json.dumps(report, indent=2))
        elif fmt == "csv":
            self._csv(report)
        else:
            self._text(report, org)

    def _csv(self, report: dict[str, Any]) -> None:
        writer = csv_writer(self.stdout, lineterminator="\n")
        writer.writerow(["section", "clause", "title", "name", *COUNT_KEYS])
        for r in report["standards"]:
            writer.writerow(["standard", r["clause"], r["title"], "", *(r[k] for k in COUNT_KEYS[:-2]),
                             "" if r["percent"] is None else r["percent"], _exact(r["percent_exact"])])
        for r in report["key_workers"]:
            writer.writerow(["key_worker", "", "", r["name"], *(r[k] for k in COUNT_KEYS[:-2]),
                             "" if r["percent"] is None else r["percent"], _exact(r["percent_exact"])])

    def _text(self, report: dict[str, Any], org: Organisation) -> None:
        out = self.stdout
        out.write(f"Compliance of {org.name} ({', '.join(report['settings']) or 'no settings'}), "
                  f"obligations due {report['from'] or '—'} to {report['to'] or report['as_of']}, as of {report['as_of']}")
        out.write(DEFINITION)
        out.write("")
        head = (f"{'Due':>5} {'On time':>8} {'Late':>5} {'Missed':>7} {'Waived':>7} {'Open':>5} {'Share':>6}")

        def counts(r: dict[str, Any]) -> str:
            return (f"{r['due']:>5} {r['met_on_time']:>8} {r['met_late']:>5} {r['missed']:>7} {r['waived']:>7} "
                    f"{r['still_open']:>5} {_pct(r['percent']) or '—':>6}")

        out.write("Per clause")
        if not report["standards"]:
            out.write("  Nothing was due.")
        else:
            out.write(f"  {'Clause':<10} {'Title':<40} {head}")
            for r in report["standards"]:
                out.write(f"  {r['clause']:<10} {r['title'][:40]:<40} {counts(r)}")
        out.write("")
        out.write("Per key worker")
        if not report["key_workers"]:
            out.write("  Nothing was due.")
        else:
            out.write(f"  {'Name':<40} {head}")
            for r in report["key_workers"]:
                out.write(f"  {r['name'][:40]:<40} {counts(r)}")
