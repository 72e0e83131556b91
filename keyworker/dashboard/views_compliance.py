"""Compliance pages: key workers × clauses in a setting this half term (leaders see everyone, a key worker their own
row), and each clause over the year (leaders). Every figure is standards.compliance.Figures."""

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html

from keyworker.caseload.selectors import access_setting, manageable_settings
from keyworker.core.exports import download_links, table_download, wanted
from keyworker.core.replica import replica_reads
from keyworker.core.templatetags.icons import icon
from keyworker.standards.compliance import DEFINITION, Figures
from keyworker.standards.policies import require_setting_figures
from keyworker.standards.selectors import (
    ALL_STAFF,
    ClauseSeries,
    Share,
    compliance_drilldown,
    org_compliance,
    team_compliance,
)

from .exports import FIGURE_COLUMNS, org_compliance_rows, team_compliance_rows
from .views_week import member, parse_as_of


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError as exc:
        raise Http404("No such record") from exc


@login_required
def team_compliance_view(request: HttpRequest) -> HttpResponse:
    """Leaders: every key worker of the setting. A key worker (who leads no setting): their own row, in their settings.
    Another organisation's setting, or another key worker's cell for a key worker, does not exist (404)."""
    actor = member(request)
    settings = manageable_settings(actor)
    only_staff = None
    if not settings:
        if not (actor.is_key_worker and actor.staff):
            raise PermissionDenied("Only leaders and key workers see compliance.")
        settings = list(actor.settings())
        only_staff = actor.staff
    setting = access_setting(actor, request.GET.get("setting")) if request.GET.get("setting") else settings[0]
    if only_staff is None:
        require_setting_figures(actor, setting.pk)
    elif setting not in settings:
        raise Http404("No such setting")
    as_of, as_of_error = parse_as_of(request)
    heatmap = team_compliance(actor, setting, as_of, only_staff=only_staff)
    if fmt := wanted(request):
        return table_download(request, fmt, actor=actor, name="compliance", title=f"Compliance {setting.name}",
                              columns=["Key worker", "Clause", "Standard", *FIGURE_COLUMNS],
                              rows=team_compliance_rows(heatmap), as_of=as_of)
    drill = None
    if request.GET.get("standard") and heatmap.half_term is not None:
        drill = _drill(request, actor, heatmap, only_staff)
    return render(request, "dashboard/team_compliance.html", {
        "heatmap": heatmap, "settings": settings, "setting": setting, "as_of": as_of, "as_of_error": as_of_error,
        "drill": drill, "definition": DEFINITION, "own_only": only_staff is not None, "downloads": download_links(request),
        **_grid_page(request, heatmap, setting, as_of),
    })


def _drill(request: HttpRequest, actor, heatmap, only_staff) -> dict:
    standard_id = _int(request.GET.get("standard"))
    standard = next((s for s in heatmap.standards if s.pk == standard_id), None)
    if standard is None:
        raise Http404("No such clause")
    raw_staff = request.GET.get("staff", "")
    earlier = request.GET.get("earlier") == "1"
    staff_id: int | str | None
    if raw_staff == ALL_STAFF:
        staff_id = ALL_STAFF
    elif raw_staff in ("", "none"):
        staff_id = None
    else:
        staff_id = _int(raw_staff)
    if only_staff is not None and staff_id not in (ALL_STAFF, only_staff.pk):
        raise Http404("No such key worker")
    row = next((r for r in heatmap.rows if (r.staff.pk if r.staff else None) == staff_id), None)
    if staff_id == ALL_STAFF:
        figures = next(f for s, f in heatmap.clause_totals if s.pk == standard_id)
    else:
        figures = next((f for s, f in row.cells if s.pk == standard_id), Figures()) if row else Figures()
    return {
        "staff": row.staff if row else None, "all": staff_id == ALL_STAFF, "standard": standard,
        "staff_param": raw_staff or "none", "earlier": earlier, "figures": None if earlier else figures,
        "obligations": compliance_drilldown(actor, heatmap.setting, heatmap.half_term, heatmap.as_of,
                                            staff_id=staff_id, standard_id=standard_id, earlier=earlier,
                                            only_staff=only_staff),
    }


GRID_PAGE = 40  # key workers per page of the heatmap


def _grid_page(request: HttpRequest, heatmap, setting, as_of) -> dict:
    """One page of the heatmap's rows: those furthest behind first (or by name), 40 key workers at a time."""
    order = "name" if request.GET.get("order") == "name" else "behind"
    rows = list(heatmap.rows)
    if order == "behind":
        rows.sort(key=lambda r: (r.total.share.percent if r.total.counted else 101, str(r.staff) if r.staff else ""))
    page = Paginator(rows, GRID_PAGE).get_page(request.GET.get("page"))
    base = f"setting={setting.pk}&as_of={as_of:%Y-%m-%d}"
    return {"grid": _grid(page.object_list, setting, as_of), "grid_page": page, "grid_order": order,
            "clause_cells": _clause_cells(heatmap, setting, as_of),
            "grid_query": f"{base}&order={order}", "by_name": f"{base}&order=name", "by_behind": f"{base}&order=behind"}


@dataclass(frozen=True)
class Cell:
    tone: str
    href: str       # empty when nothing is due
    percent: int | None
    met: int
    due: int
    icon: str
    word: str
    label: str      # for screen readers: whose and which standard

    # A heatmap has a cell per key worker and clause (a thousand in a large school): each is written here once, as the
    # template wrote it, rather than by the template's per-variable lookups.
    @cached_property
    def html(self) -> str:
        pct = f"{self.percent}%" if self.due else "–"
        if not self.href:
            return format_html('<td class="heat--{}"><span class="cell">–<br>{}</span></td>', self.tone, self.word)
        return format_html(
            '<td class="heat--{}"><a href="{}"><span class="pct">{}</span><br>{} / {}<br>{} {}'
            '<span class="visually-hidden">: {}</span></a></td>',
            self.tone, self.href, pct, self.met, self.due, icon(self.icon), self.word, self.label,
        )

    @cached_property
    def total_html(self) -> str:
        """The cell as a row's total (no link)."""
        pct = f"{self.percent}%" if self.due else "–"
        return format_html('<td class="total heat--{}"><span class="cell"><span class="pct">{}</span><br>{} / {}<br>{} {}'
                           '</span></td>', self.tone, pct, self.met, self.due, icon(self.icon), self.word)


def _grid(rows, setting, as_of) -> list[tuple[str, list[Cell], Cell]]:
    """The heatmap's cells with their words and links worked out once: a 1,500-child setting has a thousand cells,
    and the template then only prints them."""
    base = f"?setting={setting.pk}&as_of={as_of:%Y-%m-%d}"
    out = []
    for row in rows:
        name = str(row.staff) if row.staff else "No key worker"
        key = row.staff.pk if row.staff else "none"
        cells = []
        for standard, figures in row.cells:
            share = figures.share
            level = share.level
            href = f"{base}&staff={key}&standard={standard.pk}#drill-h" if figures.due else ""
            cells.append(Cell(level["tone"], href, share.percent, share.met, share.due, level["icon"], level["word"],
                              f"{name if row.staff else name.lower()}, {standard.clause}"))
        share = row.total.share
        level = share.level
        total = Cell(level["tone"], "", share.percent, share.met, share.due, level["icon"], level["word"], name)
        out.append((name, cells, total))
    return out


def _clause_cells(heatmap, setting, as_of) -> list[Cell]:
    """The setting's figure per clause (every row added up), each linking to the obligations behind it."""
    base = f"?setting={setting.pk}&as_of={as_of:%Y-%m-%d}"
    out = []
    for standard, figures in getattr(heatmap, "clause_totals", []):
        share = figures.share
        level = share.level
        href = f"{base}&staff={ALL_STAFF}&standard={standard.pk}#drill-h" if figures.due else ""
        out.append(Cell(level["tone"], href, share.percent, share.met, share.due, level["icon"], level["word"],
                        f"all key workers, {standard.clause}"))
    return out


@dataclass
class Bar:
    label: str
    share: Share
    x: int
    y: int
    height: int
    text_y: int
    figures: Figures


@dataclass
class Chart:
    series: ClauseSeries
    width: int
    bars: list[Bar]
    summary: str


CHART_TOP, CHART_HEIGHT, BAR_WIDTH, BAR_GAP, AXIS_LEFT = 20, 120, 56, 24, 44


def chart_for(series: ClauseSeries, labels: list[str]) -> Chart:
    """Bar geometry for one clause, drawn as SVG by the template (no script)."""
    bars = []
    for i, (label, figures) in enumerate(zip(labels, series.shares, strict=True)):
        share = figures.share
        height = round(CHART_HEIGHT * (share.percent or 0) / 100)
        y = CHART_TOP + CHART_HEIGHT - height
        bars.append(Bar(label, share, AXIS_LEFT + BAR_GAP + i * (BAR_WIDTH + BAR_GAP), y, height, max(y - 4, 12),
                        figures))
    parts = [f"{b.label}: {b.share.percent}% met ({b.share.met} of {b.share.due})" if b.share.due else f"{b.label}: nothing due"
             for b in bars]
    width = AXIS_LEFT + BAR_GAP + len(bars) * (BAR_WIDTH + BAR_GAP)
    return Chart(series, max(width, 200), bars, "; ".join(parts))


@login_required
def org_compliance_view(request: HttpRequest) -> HttpResponse:
    actor = member(request)
    settings = manageable_settings(actor)
    if not settings:
        raise PermissionDenied("Only leaders see compliance.")
    as_of, as_of_error = parse_as_of(request)
    with replica_reads():  # the year's report by half term: it may read a moment behind the primary
        data = org_compliance(actor, settings, as_of)
    if fmt := wanted(request):
        return table_download(request, fmt, actor=actor, name="compliance-by-half-term", title="Compliance by half term",
                              columns=["Clause", "Standard", "Half term", "Starts on", *FIGURE_COLUMNS],
                              rows=org_compliance_rows(data), as_of=as_of)
    labels = [c.name for c in data.half_terms]
    return render(request, "dashboard/org_compliance.html", {
        "data": data, "definition": DEFINITION, "charts": [chart_for(s, labels) for s in data.series], "as_of": as_of, "as_of_error": as_of_error,
        "settings": settings, "downloads": download_links(request), "chart": {"top": CHART_TOP, "height": CHART_HEIGHT, "bottom": CHART_TOP + CHART_HEIGHT,
                                        "left": AXIS_LEFT, "mid": CHART_TOP + CHART_HEIGHT // 2, "bar": BAR_WIDTH},
    })
