"""Attendance week by week over the school year, against the thresholds: one aggregate query, drawn as bars."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models.functions import TruncWeek

from .models import AttendanceMark
from .selectors import Rates, _counts

WIDTH, HEIGHT, TOP, LEFT = 640, 200, 10, 62  # the SVG's size; bars fill the plot area below TOP and right of LEFT
BOTTOM = 44  # below the plot: the week commencing dates and the axis's name
FLOOR = 0  # the axis runs from 0 to 100%: a week of severe absence still shows as a (short, red) bar
LABEL_GAP = 52  # the least room between two week labels: more weeks than fit are labelled every second, third… week
Y_TICKS = (0, 25, 50, 75, 100)


@dataclass(frozen=True)
class Week:
    starts_on: dt.date
    rates: Rates
    x: int = 0
    y: int = 0
    height: int = 0
    tone: str = "ok"
    labelled: bool = False  # its date is written under the axis


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

    bottom: int = BOTTOM

    def y_for(self, pct: float) -> int:
        return _y(pct)

    @property
    def total_height(self) -> int:
        return self.height + self.bottom

    @property
    def plot_middle(self) -> int:
        return round((self.top + self.height) / 2)

    @property
    def x_title(self) -> int:
        return round((self.left + self.width) / 2)

    @property
    def y_ticks(self) -> list[tuple[int, int]]:
        """(percent, y) of the gridlines of the y axis."""
        return [(pct, _y(pct)) for pct in Y_TICKS]

    @property
    def labels(self) -> list[tuple[int, dt.date]]:
        """(x of the bar's centre, week commencing) of the weeks written under the axis."""
        return [(w.x + self.bar_width // 2, w.starts_on) for w in self.weeks if w.labelled]

    @property
    def lowest(self) -> "Week | None":
        return min(self.weeks, key=lambda w: (w.rates.exact_attendance(), w.starts_on), default=None)

    @property
    def highest(self) -> "Week | None":
        return max(self.weeks, key=lambda w: (w.rates.exact_attendance(), -w.starts_on.toordinal()), default=None)

    @property
    def at_or_below_persistent(self) -> int:
        return sum(1 for w in self.weeks if w.tone in ("warn", "bad"))

    @property
    def at_or_below_severe(self) -> int:
        return sum(1 for w in self.weeks if w.tone == "bad")


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
    every = max(1, -(-LABEL_GAP // max(int(slot), 1)))  # label every n-th week so that the dates never overlap
    weeks = []
    for i, (week, rates) in enumerate(rows):
        pct = rates.exact_attendance()
        y = _y(pct)
        tone = "bad" if pct <= severe else "warn" if pct <= persistent else "ok"
        weeks.append(Week(week, rates, x=round(LEFT + i * slot + (slot - bar) / 2), y=y, height=HEIGHT - y, tone=tone,
                          labelled=i % every == 0))
    return Trend(weeks, bar, _y(persistent), _y(severe))
