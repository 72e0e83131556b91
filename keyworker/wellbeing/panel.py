"""My week: "Wellbeing follow-ups", the open concerns about the key worker's families with a follow-up due this week
or overdue, and new concerns with no follow-up yet (SCH-9: each is followed up within 5 days). Two queries."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from keyworker.accounts.access import Actor
from keyworker.caseload.selectors import caseload_family_ids
from keyworker.core.extensions import WeekPanel, register_week_panel

from .models import ConcernStatus, WellbeingConcern

PANEL = "wellbeing"
# SCH-9 and CC-M2 ask for a follow-up within this many days of a concern.
FIRST_FOLLOW_UP_DAYS = 5


@dataclass
class Row:
    concern: WellbeingConcern
    due_on: dt.date
    overdue: bool
    first: bool  # no follow-up yet: the first one is owed


@dataclass
class FollowUpPanel:
    rows: list[Row]
    week_end: dt.date


def rows_for(concerns: list[WellbeingConcern], as_of: dt.date) -> list[Row]:
    rows = []
    for c in concerns:
        first = c.last_follow_up_on is None
        due = c.noticed_on + dt.timedelta(days=FIRST_FOLLOW_UP_DAYS) if first else c.follow_up_due_on
        if c.follow_up_due_on is not None and first:
            due = min(due, c.follow_up_due_on)
        rows.append(Row(c, due, due < as_of, first))
    rows.sort(key=lambda r: (r.due_on, r.concern.pk))
    return rows


def due_filter(week_end: dt.date) -> Q:
    return Q(last_follow_up_on__isnull=True) | Q(follow_up_due_on__lte=week_end)


def is_due(c: WellbeingConcern, week_end: dt.date) -> bool:
    """The same test as `due_filter`, on a loaded concern."""
    return c.last_follow_up_on is None or (c.follow_up_due_on is not None and c.follow_up_due_on <= week_end)


def build(actor: Actor, as_of: dt.date) -> FollowUpPanel | None:
    if not actor.is_member or actor.staff is None:
        return None
    week_end = as_of + dt.timedelta(days=6 - as_of.weekday())
    mine = caseload_family_ids(actor)  # read once for every panel of My week
    if not mine:
        return None
    concerns = list(
        WellbeingConcern.objects.filter(organisation_id=actor.organisation_id, status=ConcernStatus.OPEN,
                                        family_id__in=mine)
        .filter(due_filter(week_end)).select_related("family", "raised_by__user").order_by("noticed_on", "id")
    )
    if not concerns:
        return None
    return FollowUpPanel(rows=rows_for(concerns, as_of), week_end=week_end)


def register() -> None:
    register_week_panel(WeekPanel(PANEL, 40, "wellbeing/_week_panel.html", build))
