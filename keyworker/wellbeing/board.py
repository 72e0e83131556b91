"""The leaders' wellbeing board: open concerns by age, the wellbeing indicators picture, follow-ups due, referrals
waiting and concerns closed this half term, for the settings the leader chooses. Four queries whatever the numbers."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import QuerySet

from keyworker.core.dates import on_screen
from keyworker.organisations.models import HalfTerm

from .models import (
    ConcernStatus,
    FollowUpKind,
    Indicator,
    ReferralResponse,
    WellbeingConcern,
    WellbeingFollowUp,
)
from .panel import Row, is_due, rows_for
from .selectors import with_details

AGE_BANDS = ((5, "Up to 5 days"), (14, "6 to 14 days"), (30, "15 to 30 days"), (None, "More than 30 days"))
HOLIDAY_WINDOW_DAYS = 42


@dataclass
class AgeBand:
    label: str
    count: int


@dataclass
class IndicatorCount:
    code: str
    label: str
    count: int
    percent: int  # of the largest count, for the bar


@dataclass
class OpenConcern:
    concern: WellbeingConcern
    age: int


@dataclass
class Board:
    open: list[OpenConcern]
    bands: list[AgeBand]
    indicators: list[IndicatorCount]
    due: list[Row]
    referrals: list[WellbeingFollowUp]
    closed: list[WellbeingConcern]
    closed_since: dt.date
    closed_label: str
    as_of: dt.date


def _half_term(setting_ids: list[int], as_of: dt.date) -> tuple[dt.date, str]:
    """The start of the current half term (the earliest among the settings), else the last six weeks."""
    current = HalfTerm.objects.filter(setting_id__in=setting_ids, starts_on__lte=as_of, ends_on__gte=as_of).order_by("starts_on").first()
    if current is None:
        return as_of - dt.timedelta(days=HOLIDAY_WINDOW_DAYS), "the last six weeks"
    return current.starts_on, f"this half term ({current.name}, since {on_screen(current.starts_on)})"


def board_for(concerns: QuerySet[WellbeingConcern], setting_ids: list[int], as_of: dt.date, indicator: str = "") -> Board:
    if indicator:
        concerns = concerns.filter(indicators__icontains=indicator)
    open_qs = concerns.filter(status=ConcernStatus.OPEN)
    open_rows = list(with_details(open_qs).order_by("noticed_on", "id"))
    aged = [OpenConcern(c, (as_of - c.noticed_on).days) for c in open_rows]
    bands = []
    low = -1
    for high, label in AGE_BANDS:
        bands.append(AgeBand(label, sum(1 for o in aged if o.age > low and (high is None or o.age <= high))))
        low = high if high is not None else low
    counts = Counter(i for c in open_rows for i in c.indicators)
    top = max(counts.values(), default=0)
    indicators = [IndicatorCount(code, label, counts.get(code, 0), round(100 * counts.get(code, 0) / top) if top else 0)
                  for code, label in Indicator.choices]
    week_end = as_of + dt.timedelta(days=6 - as_of.weekday())
    due = rows_for([c for c in open_rows if is_due(c, week_end)], as_of)
    referrals = list(
        WellbeingFollowUp.objects.filter(concern__in=open_qs.values("id"), kind=FollowUpKind.REFERRAL,
                                         response=ReferralResponse.WAITING)
        .select_related("agency", "concern__family").order_by("follow_up_on", "happened_on", "id")
    )
    since, label = _half_term(setting_ids, as_of)
    closed = list(with_details(concerns.filter(status=ConcernStatus.CLOSED, closed_at__date__gte=since)).order_by("-closed_at", "-id"))
    return Board(open=aged, bands=bands, indicators=indicators, due=due, referrals=referrals, closed=closed,
                 closed_since=since, closed_label=label, as_of=as_of)
