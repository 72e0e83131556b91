"""The test world's Year 6: Alfie (family A, key worker Kim) is a leaving pupil; times are London times in Autumn 2."""

import datetime as dt
import zoneinfo

from keyworker.people.models import Child
from keyworker.standards.services import policy_adopt_builtin

from .. import services

LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = dt.date(2026, 11, 18)
PLAN = {"destination_school": "Hillside High School", "destination_contact": "Mr Patel, head of Year 7",
        "destination_phone": "0161 496 0999", "destination_email": "transition@hillside.example",
        "family_notes": "Bring a packed lunch on the first visit."}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def year6(child: Child) -> Child:
    Child.objects.filter(pk=child.pk).update(year_group="Year 6")
    child.refresh_from_db()
    return child


def adopt(world) -> None:
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=TODAY)


def plan_for(world, child=None, **data):
    child = child or year6(world.child_a)
    return services.transition_plan_create(actor=world.actor(world.ta_a), child=child, data={**PLAN, **data})


def visit(world, plan, day: dt.date, start: int = 9, end: int = 11, staff=()):
    return services.transition_visit_add(actor=world.actor(world.ta_a), plan=plan, starts_at=at(day, start),
                                         ends_at=at(day, end), place="Main reception", staff_ids=[s.pk for s in staff])
