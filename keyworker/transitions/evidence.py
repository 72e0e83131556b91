"""What transition plans give the standards engine (SCH-10), each in one query:

- event `transition_first_visit`: each plan's first visit, on its day (the dates are due to the family a policy
  number of days before it: SCH-10a, "N days before each event");
- `transition_dates_shared` (SCH-10a): the visit dates shared with the family;
- event `transition_visit`: each visit, on its day (SCH-10b, "within N school days after each event");
- `transition_write_up_shared` (SCH-10b): the visit's write-up shared with the family, answering that visit.

The family holds the dates from the day they were shared until the first visit. The engine reads a record for an
obligation before an event from a fortnight before its due date (BEFORE_EVENT_EARLIEST): a share made earlier than
that still counts, so the source says it again every week counting back from the first visit, back to the day it was
made. Any fortnight before the visit holds two of those days, so an early share meets the obligation within a week of
its window opening, before it is due soon (a share after the first visit says nothing for it). Days are in the
setting's time zone.
"""

import datetime as dt
import zoneinfo

from django.db.models import Min
from django.urls import reverse

from keyworker.standards.engine import BEFORE_EVENT_EARLIEST
from keyworker.standards.evidence import (
    EventRow,
    EventSource,
    EvidenceAction,
    EvidenceRow,
    EvidenceSource,
    SourceRead,
    register_events,
    register_evidence,
)

from .models import TransitionDatesShare, TransitionPlan, TransitionVisit
from .selectors import DATES_SHARED, WRITE_UP_SHARED

FIRST_VISIT = "transition_first_visit"
# How often an early share is said again, counting back from the first visit: half the engine's reminder window.
HELD_STEP_DAYS = BEFORE_EVENT_EARLIEST // 2
VISIT = "transition_visit"


def plan_ref(plan_id: int) -> str:
    return f"transition-plan:{plan_id}"


def visit_ref(visit_id: int) -> str:
    return f"transition-visit:{visit_id}"


def _window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(start - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC),
            dt.datetime.combine(end + dt.timedelta(days=2), dt.time.min, tzinfo=dt.UTC))


def _day(moment: dt.datetime, time_zone: str) -> dt.date:
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone or "Europe/London")).date()


def first_visits(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None = None) -> SourceRead:
    low, high = _window(start, end)
    qs = TransitionPlan.objects.filter(organisation_id=organisation_id)
    if families is not None:
        qs = qs.filter(family_id__in=families)
    rows = (qs.annotate(first=Min("visits__starts_at")).filter(first__gte=low, first__lt=high)
            .values_list("id", "family_id", "child_id", "first", "setting__time_zone"))
    return SourceRead(rows, _on_days(start, end, plan_ref))


def _on_days(start: dt.date, end: dt.date, ref_of):
    """The events of rows (id, family, child, a moment, its time zone) on a day from start to end."""
    def shape(rows) -> list[EventRow]:
        out = [EventRow(family_id, child_id, _day(at, tz), ref_of(pk)) for pk, family_id, child_id, at, tz in rows]
        return [r for r in out if start <= r.on <= end]
    return shape


def visits(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None = None) -> SourceRead:
    low, high = _window(start, end)
    qs = TransitionVisit.objects.filter(organisation_id=organisation_id, starts_at__gte=low, starts_at__lt=high)
    if families is not None:
        qs = qs.filter(family_id__in=families)
    return SourceRead(qs.values_list("id", "family_id", "child_id", "starts_at", "plan__setting__time_zone"),
                      _on_days(start, end, visit_ref))


def dates_shared(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                 families: set[int] | None = None) -> SourceRead:
    """Each share on its day, and again every week back from the first visit to that day (see above)."""
    qs = TransitionDatesShare.objects.filter(organisation_id=organisation_id, shared_on__lte=end)
    if families is not None:
        qs = qs.filter(family_id__in=families)
    rows = qs.annotate(first=Min("plan__visits__starts_at")).values_list(
        "id", "family_id", "child_id", "shared_on", "first", "plan__setting__time_zone")
    step = dt.timedelta(days=HELD_STEP_DAYS)

    def shape(rows) -> list[EvidenceRow]:
        out = []
        for pk, family_id, child_id, on, first, tz in rows:
            ref = f"transition-dates:{pk}"
            if start <= on <= end:
                out.append(EvidenceRow(family_id, child_id, on, ref))
            if first is None:
                continue
            day = _day(first, tz) - step
            while day > on:
                if start <= day <= end:
                    out.append(EvidenceRow(family_id, child_id, day, ref, recorded_on=on))
                if day < start:
                    break
                day -= step
        return out

    return SourceRead(rows, shape)


def write_ups_shared(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                     families: set[int] | None = None) -> SourceRead:
    qs = TransitionVisit.objects.filter(organisation_id=organisation_id, shared_on__gte=start, shared_on__lte=end)
    if families is not None:
        qs = qs.filter(family_id__in=families)
    return SourceRead(qs.values_list("id", "family_id", "child_id", "shared_on"), lambda rows: [
        EvidenceRow(family_id, child_id, on, visit_ref(pk), about=visit_ref(pk)) for pk, family_id, child_id, on in rows])


def plan_url(obligation) -> str:
    """The child's plan (or a new one for the child): no query, the page finds which."""
    return reverse("transitions:child", args=[obligation.child_id]) if obligation.child_id else ""


def visit_url(obligation) -> str:
    """The visit an event's obligation counts from, on its plan's page."""
    key = obligation.subject_key.partition("@")[2]
    if key.startswith("transition-visit:") and key[17:].isdigit():
        return reverse("transitions:visit", args=[int(key[17:])])
    return plan_url(obligation)


SHARE = EvidenceAction("Share the dates", plan_url,
                       "The visit dates shared with the family from the transition plan, before the first visit.")
WRITE_UP = EvidenceAction("Write up the visit", visit_url,
                          "How the visit went, written on the transition plan and shared with the family.")


def register() -> None:
    register_events(EventSource(FIRST_VISIT, "The first transition visit", first_visits, by_family=True))
    register_events(EventSource(VISIT, "A transition visit", visits, by_family=True))
    register_evidence(EvidenceSource(DATES_SHARED, "Transition visit dates shared with the family", dates_shared,
                                     by_family=True, action=SHARE))
    register_evidence(EvidenceSource(WRITE_UP_SHARED, "A transition visit write-up shared with the family",
                                     write_ups_shared, by_family=True, action=WRITE_UP, answers_events=True))
