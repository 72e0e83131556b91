"""The evidence pack for inspectors: per-clause compliance of a setting over a period, as a page and as a PDF."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.caseload.selectors import access_setting, manageable_settings
from keyworker.core import clock
from keyworker.core.export_jobs import export_request
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Setting
from keyworker.standards.evidence_pack import MAX_DAYS, default_period, evidence_pack, short_date
from keyworker.standards.policies import require_setting_figures

from .export_kinds import EVIDENCE_PACK
from .views_week import member

DATE_HINT = "Write dates as 2026-11-02 or 2/11/2026."


@dataclass
class PackRequest:
    actor: Actor
    settings: list[Setting]
    setting: Setting
    calendar: TermCalendar
    start: dt.date
    end: dt.date
    raw: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)


def _date(raw: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date, no time of day
        except ValueError:
            continue
    return None


def _pack_request(request: HttpRequest) -> PackRequest:
    """Who asks, for which setting and period; wrong dates become messages next to their fields, never a crash."""
    actor = member(request)
    settings = manageable_settings(actor)
    if not settings:
        raise PermissionDenied("Only leaders see the evidence pack.")
    raw_setting = request.GET.get("setting", "")
    setting = access_setting(actor, raw_setting) if raw_setting else settings[0]
    require_setting_figures(actor, setting.pk)
    cal = TermCalendar.for_setting(setting)
    start, end = default_period(cal, clock.today(setting.time_zone))
    raw = {"from": request.GET.get("from", "").strip()[:20], "to": request.GET.get("to", "").strip()[:20]}
    req = PackRequest(actor, settings, setting, cal, start, end, raw)
    for name, label in (("from", "start"), ("to", "end")):
        if not raw[name]:
            continue
        day = _date(raw[name])
        if day is None:
            req.errors[name] = f"“{raw[name]}” is not a date we understand for the {label} of the period. {DATE_HINT}"
        elif name == "from":
            req.start = day
        else:
            req.end = day
    if not req.errors and req.start > req.end:
        req.errors["from"] = (f"The period starts ({short_date(req.start)}) after it ends ({short_date(req.end)}): "
                              "choose a start on or before the end.")
    elif not req.errors and (req.end - req.start).days > MAX_DAYS:
        req.errors["to"] = "Choose a period of at most two school years."
    return req


def _page(request: HttpRequest, req: PackRequest, pack=None, status: int = 200) -> HttpResponse:
    return render(request, "dashboard/evidence_pack.html", {
        "req": req, "pack": pack, "setting": req.setting, "settings": req.settings, "errors": req.errors,
        "from_value": req.raw["from"] if "from" in req.errors else req.start.isoformat(),
        "to_value": req.raw["to"] if "to" in req.errors else req.end.isoformat(),
        "query": f"setting={req.setting.pk}&from={req.start.isoformat()}&to={req.end.isoformat()}",
    }, status=status)


@login_required
def evidence_pack_view(request: HttpRequest) -> HttpResponse:
    req = _pack_request(request)
    if req.errors:
        return _page(request, req, status=400)
    return _page(request, req, evidence_pack(req.actor, req.setting, req.start, req.end, req.calendar))


@login_required
def evidence_pack_pdf_view(request: HttpRequest) -> HttpResponse:
    """The PDF is prepared by the worker (it takes seconds on a large school): asked for with POST, it has a page of
    its own that shows its progress, then the download. GET (an old link) shows the pack's page."""
    req = _pack_request(request)
    if req.errors:
        return _page(request, req, status=400)
    query = f"setting={req.setting.pk}&from={req.start.isoformat()}&to={req.end.isoformat()}"
    if request.method != "POST":
        return redirect(f"{reverse('week:evidence_pack')}?{query}")
    where = req.setting.name
    job = export_request(actor=req.actor, kind=EVIDENCE_PACK, now=clock.now(),
                         params={"setting": req.setting.pk, "from": req.start.isoformat(), "to": req.end.isoformat()},
                         title=f"Evidence pack PDF: {where}, {short_date(req.start)} to {short_date(req.end)}")
    return redirect("exports:export", job.pk)
