"""The escalated obligations a person may see, by clause: where a leader's daily summary of escalations leads."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from keyworker.core import clock
from keyworker.core.exports import download_links, table_download, wanted
from keyworker.standards.models import Standard
from keyworker.standards.selectors import obligations_visible_to, state_display

from .exports import OBLIGATION_COLUMNS, obligation_rows
from .views_week import member

PAGE = 100  # obligations per page


@login_required
def escalated_view(request: HttpRequest) -> HttpResponse:
    """?on=YYYY-MM-DD: escalated that day (the summary's day); ?standard=<id>: one clause. Outside scope: 404."""
    actor = member(request)
    qs = obligations_visible_to(actor).filter(escalated_at__isnull=False)
    on, error = None, ""
    raw_on = request.GET.get("on", "").strip()[:20]
    if raw_on:
        try:
            on = dt.date.fromisoformat(raw_on)
        except ValueError:
            error = f"“{raw_on}” is not a date written 2026-11-18, so this lists every escalated obligation."
    if on is not None:
        qs = qs.filter(escalated_at__gte=clock.start_of_day(on), escalated_at__lt=clock.start_of_day(on + dt.timedelta(days=1)))
    standard = None
    if request.GET.get("standard"):
        try:
            standard_id = int(request.GET["standard"])
        except ValueError as exc:
            raise Http404("No such standard") from exc
        standard = Standard.objects.filter(organisation_id=actor.organisation_id, pk=standard_id).first()
        if standard is None:
            raise Http404("No such standard")
        qs = qs.filter(standard_id=standard_id)
    qs = qs.select_related("standard", "family", "child", "setting", "responsible_staff__user").order_by(
        "standard__clause", "standard_id", "family__name", "due_on", "id")
    if fmt := wanted(request):
        return table_download(request, fmt, actor=actor, name="escalated", title="Escalated obligations",
                              columns=OBLIGATION_COLUMNS, rows=obligation_rows(qs), as_of=clock.today())
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    for o in page.object_list:
        o.display = state_display(o.state)
    query = "&".join(f"{k}={v}" for k, v in (("on", on.isoformat() if on else ""), ("standard", standard.pk if standard else "")) if v)
    return render(request, "dashboard/escalated.html", {
        "page_obj": page, "on": on, "standard": standard, "error": error, "query_string": query,
        "downloads": download_links(request),
    })
