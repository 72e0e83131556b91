"""`keyworker compliance`: how well an organisation meets its standards, per standard and per key worker, as of a date."""

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyworker.core import clock
from keyworker.core.spreadsheets import csv_writer
from keyworker.organisations.models import Organisation, Setting
from keyworker.standards.compliance import compliance_figures
from keyworker.standards.models import Obligation

STANDARD_KEYS = ("clause", "title", "due", "met", "overdue", "escalated", "waived", "percent_met")
KEY_WORKER_KEYS = ("name", "due", "met", "percent_met")


def compliance(organisation: Organisation, settings: list[Setting], as_of: dt.date) -> dict[str, Any]:
    """The organisation's figures, as the command prints them."""
    figures = compliance_figures(Obligation.objects.filter(organisation=organisation), settings, as_of)
    return {
        "organisation": organisation.slug,
        "settings": [s.name for s in settings],
        "as_of": as_of.isoformat(),
        "from": figures["from_date"].isoformat() if figures["from_date"] else None,
        "standards": [{k: r[k] for k in STANDARD_KEYS} for r in figures["standards"]],
        "key_workers": [{k: r[k] for k in KEY_WORKER_KEYS} for r in figures["key_workers"]],
    }


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


class Command(BaseCommand):
    help = (
        "Print compliance per standard (due, met, overdue, escalated, waived, % met) and per key worker (due, met, "
        "% met) for obligations due from the start of the school year up to the date. % met leaves out waived ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="the organisation's slug")
        parser.add_argument("--setting", help="only this setting (its name or number)")
        parser.add_argument("--as-of", dest="as_of", help="the date, YYYY-MM-DD (default today)")
        parser.add_argument("--format", dest="fmt", choices=["text", "json", "csv"], default="text")

    def handle(self, *args: Any, organisation: str, setting: str | None, as_of: str | None, fmt: str, **options: Any) -> None:
        org = Organisation.objects.filter(slug=organisation).first()
        if org is None:
            raise CommandError(f"No organisation with the slug “{organisation}”.")
        settings = list(Setting.objects.filter(organisation=org).order_by("id"))
        if setting is not None:
            found = [s for s in settings if s.name.lower() == setting.strip().lower() or str(s.pk) == setting.strip()]
            if not found:
                names = ", ".join(s.name for s in settings) or "none yet"
                raise CommandError(f"{org} has no setting “{setting}”. Its settings: {names}.")
            settings = found[:1]
        if as_of:
            try:
                day = dt.date.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError(f"--as-of must be a date written YYYY-MM-DD, not “{as_of}”.") from exc
        else:
            day = clock.today(settings[0].time_zone if settings else "Europe/London")
        report = compliance(org, settings, day)
        if fmt == "json":
            self.stdout.write(json.dumps(report, indent=2))
        elif fmt == "csv":
            self._csv(report)
        else:
            self._text(report, org)

    def _csv(self, report: dict[str, Any]) -> None:
        writer = csv_writer(self.stdout, lineterminator="\n")
        writer.writerow(["section", "clause", "title", "name", "due", "met", "overdue", "escalated", "waived", "percent_met"])
        for r in report["standards"]:
            writer.writerow(["standard", r["clause"], r["title"], "", r["due"], r["met"], r["overdue"], r["escalated"],
                             r["waived"], _pct(r["percent_met"])])
        for r in report["key_workers"]:
            writer.writerow(["key_worker", "", "", r["name"], r["due"], r["met"], "", "", "", _pct(r["percent_met"])])

    def _text(self, report: dict[str, Any], org: Organisation) -> None:
        out = self.stdout
        out.write(f"Compliance of {org.name} ({', '.join(report['settings']) or 'no settings'}), "
                  f"obligations due {report['from'] or '—'} to {report['as_of']}")
        out.write("")
        out.write("Per standard")
        if not report["standards"]:
            out.write("  Nothing was due.")
        else:
            out.write(f"  {'Clause':<10} {'Title':<40} {'Due':>5} {'Met':>5} {'Overdue':>8} {'Escalated':>10} {'Waived':>7} {'% met':>6}")
            for r in report["standards"]:
                out.write(f"  {r['clause']:<10} {r['title'][:40]:<40} {r['due']:>5} {r['met']:>5} {r['overdue']:>8} "
                          f"{r['escalated']:>10} {r['waived']:>7} {_pct(r['percent_met']) or '—':>6}")
        out.write("")
        out.write("Per key worker")
        if not report["key_workers"]:
            out.write("  Nothing was due.")
        else:
            out.write(f"  {'Name':<40} {'Due':>5} {'Met':>5} {'% met':>6}")
            for r in report["key_workers"]:
                out.write(f"  {r['name'][:40]:<40} {r['due']:>5} {r['met']:>5} {_pct(r['percent_met']) or '—':>6}")
