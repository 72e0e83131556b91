"""`keyworker compliance`: how well an organisation meets its standards, per standard and per key worker, as of a date."""

import csv
import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Q

from keyworker.core import clock
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Organisation, Setting
from keyworker.standards.models import Obligation, ObligationState

S = ObligationState


def year_start(setting: Setting, as_of: dt.date) -> dt.date:
    """First day of the school year holding as_of: from the term calendar, else 1 September."""
    start = TermCalendar.for_setting(setting).school_year_start(as_of)
    if start is not None:
        return start
    return dt.date(as_of.year if as_of.month >= 9 else as_of.year - 1, 9, 1)


def percent(met: int, due: int, waived: int) -> float | None:
    """Met as a share of what was due, leaving out what was waived; None when nothing counts."""
    counted = due - waived
    return round(100 * met / counted, 1) if counted > 0 else None


def compliance(organisation: Organisation, settings: list[Setting], as_of: dt.date) -> dict[str, Any]:
    """The figures, with SQL aggregates: two grouped queries whatever the number of obligations."""
    window = Q()
    starts = {}
    for s in settings:
        starts[s.pk] = year_start(s, as_of)
        window |= Q(setting_id=s.pk, due_on__gte=starts[s.pk])
    qs = Obligation.objects.filter(window, organisation=organisation, due_on__lte=as_of) if settings else Obligation.objects.none()
    counts = {
        "due": Count("id"),
        "met": Count("id", filter=Q(state=S.MET)),
        "overdue": Count("id", filter=Q(state=S.OVERDUE)),
        "escalated": Count("id", filter=Q(state=S.ESCALATED)),
        "waived": Count("id", filter=Q(state=S.WAIVED)),
    }
    standards = [
        {"clause": r["standard__clause"], "title": r["standard__title"], "due": r["due"], "met": r["met"],
         "overdue": r["overdue"], "escalated": r["escalated"], "waived": r["waived"],
         "percent_met": percent(r["met"], r["due"], r["waived"])}
        for r in qs.values("standard_id", "standard__clause", "standard__title").annotate(**counts)
        .order_by("standard__clause", "standard_id")
    ]
    key_workers = [
        {"name": r["responsible_staff__user__full_name"] or "No key worker", "due": r["due"], "met": r["met"],
         "percent_met": percent(r["met"], r["due"], r["waived"])}
        for r in qs.values("responsible_staff_id", "responsible_staff__user__full_name")
        .annotate(due=counts["due"], met=counts["met"], waived=counts["waived"])
        .order_by("responsible_staff__user__full_name", "responsible_staff_id")
    ]
    # Databases disagree on where NULL sorts: "No key worker" goes last everywhere.
    key_workers.sort(key=lambda r: r["name"] == "No key worker")
    return {
        "organisation": organisation.slug,
        "settings": [s.name for s in settings],
        "as_of": as_of.isoformat(),
        "from": min(starts.values()).isoformat() if starts else None,
        "standards": standards,
        "key_workers": key_workers,
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
        writer = csv.writer(self.stdout, lineterminator="\n")
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
