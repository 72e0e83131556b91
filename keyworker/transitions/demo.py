"""Demo records of Year 6 transitions (SCH-10) for the school.

The leaving pupil is the demo carer's Year 6 child (parent@example.org, see keyworker.portal.demo) if they have
one, else a Year 6 pupil of a family with a carer who uses the portal. The plan names the destination school; the visit dates were
shared with the family three weeks ago; the first visit was held ten days ago and its write-up shared the day after;
the second visit is coming. The family reads both in the portal. A second Year 6 pupil of the same key worker has a
visit next week and no dates shared yet: it shows as overdue on the cohort view and in My week. Dates are offsets
from today (weekdays), so the compliance page computes SCH-10 from these records.
"""

import datetime as dt
import zoneinfo

from django.db import transaction

from keyworker.accounts.access import actor_for
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.models import Organisation
from keyworker.people.models import Carer, Child
from keyworker.standards.obligations import obligations_refresh

from . import services
from .models import LEAVING_YEARS, TransitionDatesShare, TransitionPlan, TransitionVisit

DEMO_CARER_EMAIL = "parent@example.org"
PLAN = {"destination_school": "Hillside High School", "destination_contact": "Mrs Okafor, head of Year 7",
        "destination_phone": "0161 496 0750", "destination_email": "transition@hillside.example",
        "family_notes": "Visits are in school uniform with a packed lunch. Hillside's bus leaves from our front gate "
                        "at 9:10 and is back by 15:00. The summer open evening for families is on the school's website."}
WRITE_UP = ("Sam was a little quiet on the bus but soon joined in. We toured the science labs and the library, met Mrs "
            "Okafor and had lunch in the hall with two pupils from last year's Year 6. Sam asked where the lockers are "
            "and said the best part was the lab. Next time we will practise the walk from the gate to the Year 7 area.")


def _weekday(day: dt.date, back: bool = True) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=-1 if back else 1)
    return day


def _at(day: dt.date, hour: int, minute: int, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def _key_worker(child: Child):
    allocation = (KeyWorkerAllocation.objects.filter(family_id=child.family_id, setting_id=child.setting_id,
                                                     ends_at__isnull=True).select_related("staff__user").first())
    return allocation.staff if allocation else None


def _leaver(organisation: Organisation) -> Child | None:
    """The demo carer's Year 6 child; else a Year 6 pupil of a family with a carer who uses the portal (the demo's
    pupils are the age of their year group, so no one is moved into Year 6); else any Year 6 pupil."""
    leaving = sorted(LEAVING_YEARS)
    pupils = (Child.objects.filter(organisation=organisation, setting__kind="school", left_on__isnull=True,
                                   year_group__in=leaving).select_related("group", "setting").order_by("id"))
    carer = Carer.objects.filter(organisation=organisation, email=DEMO_CARER_EMAIL).first()
    if carer is not None and (own := pupils.filter(family_id=carer.family_id).first()) is not None:
        return own
    with_portal = Carer.objects.filter(organisation=organisation, user__isnull=False).values("family_id")
    return pupils.filter(family_id__in=with_portal).first() or pupils.first()


@transaction.atomic
def demo_history(*, organisation: Organisation) -> int:
    """Returns the number of plans written."""
    child = _leaver(organisation)
    staff = _key_worker(child) if child else None
    if child is None or staff is None:
        return 0
    actor = actor_for(staff.user, organisation.pk)
    tz = zoneinfo.ZoneInfo(child.setting.time_zone or "Europe/London")
    now = clock.now()
    today = clock.today(child.setting.time_zone)
    plan = services.transition_plan_create(actor=actor, child=child, data=PLAN)
    held_on = _weekday(today - dt.timedelta(days=10))
    coming_on = _weekday(today + dt.timedelta(days=12), back=False)
    first = services.transition_visit_add(actor=actor, plan=plan, starts_at=_at(coming_on, 9, 30, tz),
                                          ends_at=_at(coming_on, 14, 30, tz), place="Main reception, Hillside High School",
                                          staff_ids=[staff.pk])
    services.transition_visit_add(actor=actor, plan=plan, starts_at=_at(coming_on, 13, 0, tz) + dt.timedelta(days=1),
                                  ends_at=_at(coming_on, 15, 0, tz) + dt.timedelta(days=1),
                                  place="Year 7 area, Hillside High School", staff_ids=[staff.pk])
    share = services.transition_dates_share(actor=actor, plan=plan)
    # Back-date: planned 25 days ago, dates shared 21 days ago, the first visit held 10 days ago and written up the
    # next school day.
    planned_at = now - dt.timedelta(days=25)
    TransitionPlan.objects.filter(pk=plan.pk).update(created_at=planned_at, updated_at=planned_at)
    TransitionVisit.objects.filter(plan=plan).update(created_at=planned_at, updated_at=planned_at)
    TransitionVisit.objects.filter(pk=first.pk).update(starts_at=_at(held_on, 9, 30, tz), ends_at=_at(held_on, 14, 30, tz))
    shared_at = now - dt.timedelta(days=21)
    visits = list(TransitionVisit.objects.filter(plan=plan).order_by("starts_at"))
    TransitionDatesShare.objects.filter(pk=share.pk).update(
        shared_at=shared_at, shared_on=shared_at.astimezone(tz).date(), dates=services.dates_text(visits, child.setting))
    written = _at(_weekday(held_on + dt.timedelta(days=1), back=False), 15, 45, tz)
    TransitionVisit.objects.filter(pk=first.pk).update(write_up=WRITE_UP.replace("Sam", child.preferred_name or
                                                                                 child.legal_first_name),
                                                       written_at=written, written_by=staff, shared_at=written,
                                                       shared_on=written.date(), shared_by=staff)
    families = {child.family_id}
    families |= _second_leaver(organisation, child, staff, tz, today)
    obligations_refresh(organisation_id=organisation.pk, family_ids=families, as_of=today)
    return TransitionPlan.objects.filter(organisation=organisation).count()


def _second_leaver(organisation, first_child, staff, tz, today) -> set[int]:
    """Another Year 6 pupil of the key worker: a visit next week, the dates not shared yet."""
    mine = KeyWorkerAllocation.objects.filter(staff=staff, ends_at__isnull=True).values("family_id")
    leaving = sorted(LEAVING_YEARS)
    child = (Child.objects.filter(organisation=organisation, family_id__in=mine, setting__kind="school",
                                  left_on__isnull=True).exclude(pk=first_child.pk).exclude(family_id=first_child.family_id)
             .filter(year_group__in=leaving).select_related("setting").order_by("id").first())
    if child is None:
        return set()
    actor = actor_for(staff.user, organisation.pk)
    plan = services.transition_plan_create(actor=actor, child=child, data={
        "destination_school": "St Anne's Academy", "destination_contact": "Mr Reid, transition lead",
        "destination_phone": "0161 496 0751"})
    day = _weekday(today + dt.timedelta(days=4), back=False)
    services.transition_visit_add(actor=actor, plan=plan, starts_at=_at(day, 10, 0, tz), ends_at=_at(day, 12, 0, tz),
                                  place="St Anne's Academy", staff_ids=[staff.pk])
    return {child.family_id}
