"""Leaders' compliance pages: key workers × standards in a setting this half term, and clauses over the year."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from keyworker.accounts import capabilities as caps
from keyworker.caseload.selectors import access_setting, manageable_settings
from keyworker.standards.selectors import (
    ClauseSeries,
    Share,
    compliance_drilldown,
    org_compliance,
    team_compliance,
)

from .views_week import member, parse_as_of


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError as exc:
        raise Http404("No such record") from exc


@login_required
def team_compliance_view(request: HttpRequest) -> HttpResponse:
    actor = member(request)
    settings = manageable_settings(actor)
    if not settings:
        raise PermissionDenied("Only leaders see compliance.")
    setting = access_setting(actor, request.GET.get("setting")) if request.GET.get("setting") else settings[0]
    actor.require(caps.MANAGE_ALLOCATIONS, setting.pk)
    as_of, as_of_error = parse_as_of(request)
    heatmap = team_compliance(actor, setting, as_of)
    drill = None
    if request.GET.get("standard") and heatmap.half_term is not None:
        standard_id = _int(request.GET.get("standard"))
        raw_staff = request.GET.get("staff", "")
        staff_id = None if raw_staff in ("", "none") else _int(raw_staff)
        row = next((r for r in heatmap.rows if (r.staff.pk if r.staff else None) == staff_id), None)
        standard = next((s for s in heatmap.standards if s.pk == standard_id), None)
        drill = {
            "staff": row.staff if row else None, "standard": standard, "staff_param": raw_staff or "none",
            "obligations": compliance_drilldown(actor, setting, heatmap.half_term, as_of, staff_id=staff_id, standard_id=standard_id),
        }
    return render(request, "dashboard/team_compliance.html", {
        "heatmap": heatmap, "settings": settings, "setting": setting, "as_of": as_of, "as_of_error": as_of_error,
        "drill": drill, **_grid_page(request, heatmap, setting, as_of),
    })


GRID_PAGE = 40  # key workers per page of the heatmap


def _grid_page(request: HttpRequest, heatmap, setting, as_of) -> dict:
    """One page of the heatmap's rows: those furthest behind first (or by name), 40 key workers at a time."""
    order = "name" if request.GET.get("order") == "name" else "behind"
    rows = list(heatmap.rows)
    if order == "behind":
        rows.sort(key=lambda r: (r.total.percent if r.total.due else 101, str(r.staff) if r.staff else ""))
    page = Paginator(rows, GRID_PAGE).get_page(request.GET.get("page"))
    base = f"setting={setting.pk}&as_of={as_of:%Y-%m-%d}"
    return {"grid": _grid(page.object_list, setting, as_of), "grid_page": page, "grid_order": order,
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


def _grid(rows, setting, as_of) -> list[tuple[str, list[Cell], Cell]]:
    """The heatmap's cells with their words and links worked out once: a 1,500-child setting has a thousand cells,
    and the template then only prints them."""
    base = f"?setting={setting.pk}&as_of={as_of:%Y-%m-%d}"
    out = []
    for row in rows:
        name = str(row.staff) if row.staff else "No key worker"
        key = row.staff.pk if row.staff else "none"
        cells = []
        for standard, share in row.cells:
            level = share.level
            href = f"{base}&staff={key}&standard={standard.pk}#drill-h" if share.due else ""
            cells.append(Cell(level["tone"], href, share.percent, share.met, share.due, level["icon"], level["word"],
                              f"{name if row.staff else name.lower()}, {standard.clause}"))
        level = row.total.level
        total = Cell(level["tone"], "", row.total.percent, row.total.met, row.total.due, level["icon"], level["word"], name)
        out.append((name, cells, total))
    return out


@dataclass
class Bar:
    label: str
    share: Share
    x: int
    y: int
    height: int
    text_y: int


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
    for i, (label, share) in enumerate(zip(labels, series.shares, strict=True)):
        height = round(CHART_HEIGHT * (share.percent or 0) / 100)
        y = CHART_TOP + CHART_HEIGHT - height
        bars.append(Bar(label, share, AXIS_LEFT + BAR_GAP + i * (BAR_WIDTH + BAR_GAP), y, height, max(y - 4, 12)))
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
    data = org_compliance(actor, settings, as_of)
    labels = [c.name for c in data.half_terms]
    return render(request, "dashboard/org_compliance.html", {
        "data": data, "charts": [chart_for(s, labels) for s in data.series], "as_of": as_of, "as_of_error": as_of_error,
        "settings": settings, "chart": {"top": CHART_TOP, "height": CHART_HEIGHT, "bottom": CHART_TOP + CHART_HEIGHT,
                                        "left": AXIS_LEFT, "mid": CHART_TOP + CHART_HEIGHT // 2, "bar": BAR_WIDTH},
    })
