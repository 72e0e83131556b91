"""Attendance week by week over the school year, against the thresholds: one aggregate query, drawn as bars."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models.functions import TruncWeek

from .models import AttendanceMark
from .selectors import Rates, _counts

WIDTH, HEIGHT, TOP, LEFT = 640, 200, 10, 40  # the SVG's size; bars fill the plot area below TOP and right of LEFT
FLOOR = 0  # the axis runs from 0 to 100%: a week of severe absence still shows as a (short, red) bar


@dataclass(frozen=True)
class Week:
    starts_on: dt.date
    rates: Rates
    x: int = 0
    y: int = 0
    height: int = 0
    tone: str = "ok"


@dataclass(frozen=True)
class Trend:
    weeks: list[Week]
    bar_width: int
    persistent_y: int
    severe_y: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP

    def y_for(self, pct: float) -> int:
        return _y(pct)


def _y(pct: float | Decimal) -> int:
    pct = max(FLOOR, min(100, float(pct)))
    return round(TOP + (HEIGHT - TOP) * (100 - pct) / (100 - FLOOR))


def weekly_rates(organisation_id: int, start: dt.date, end: dt.date, **filters) -> list[tuple[dt.date, Rates]]:
    """Counts per week (Monday) over [start, end] for a class (group_id=) or a child (child_id=), in one query."""
    qs = AttendanceMark.objects.filter(organisation_id=organisation_id, date__gte=start, date__lte=end)
    if "group_id" in filters:
        qs = qs.filter(child__group_id=filters.pop("group_id"))
    qs = qs.filter(**filters)
    rows = qs.annotate(week=TruncWeek("date")).values("week").annotate(**_counts()).order_by("week")
    out = []
    for r in rows:
        week = r["week"].date() if isinstance(r["week"], dt.datetime) else r["week"]
        out.append((week, Rates(r["present"], r["authorised"], r["unauthorised"], r["not_possible"])))
    return out


def trend(organisation_id: int, start: dt.date, end: dt.date, persistent: Decimal, severe: Decimal, **filters) -> Trend:
    rows = [(w, r) for w, r in weekly_rates(organisation_id, start, end, **filters) if r.possible]
    n = max(len(rows), 1)
    slot = (WIDTH - LEFT) / n
    bar = max(2, int(slot * 0.7))
    weeks = []
    for i, (week, rates) in enumerate(rows):
        pct = rates.exact_attendance()
        y = _y(pct)
        tone = "bad" if pct <= severe else "warn" if pct <= persistent else "ok"
        weeks.append(Week(week, rates, x=round(LEFT + i * slot + (slot - bar) / 2), y=y, height=HEIGHT - y, tone=tone))
    return Trend(weeks, bar, _y(persistent), _y(severe))
