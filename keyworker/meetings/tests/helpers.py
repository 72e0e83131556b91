"""Shortcuts for the meetings tests: an appointment arranged by a member of staff, a childcare world."""

import datetime as dt

from keyworker.organisations.models import SettingKind
from keyworker.testing import (
    add_calendar,
    allocate,
    make_child,
    make_family,
    make_group,
    make_org,
    make_setting,
    make_staff,
)

from ..models import AppointmentKind
from ..services import appointment_create

# The fixed clock is 10:30 UTC on Wed 18 November 2026: "next Tuesday" at 15:30 in London.
NEXT_TUESDAY = dt.datetime(2026, 11, 24, 15, 30, tzinfo=dt.UTC)


def carer_of(family):
    return family.carers.order_by("contact_order", "id").first()


def arrange(world, *, staff=None, family=None, starts_at=NEXT_TUESDAY, minutes=45, carers=None, invite_staff=None, **fields):
    staff = staff or world.ta_a
    family = world.family_a if family is None else family
    values = {"kind": AppointmentKind.REVIEW_MEETING, "title": "Review of the support plan", "place": "Room 4"}
    values.update(fields)
    if carers is None:
        carers = list(family.carers.all()) if family else []
    return appointment_create(
        actor=world.actor(staff), setting=world.school, family=family or None, starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes), carers=carers,
        staff=[staff] if invite_staff is None else invite_staff, **values,
    )


def make_nursery(enrolled_on: dt.date = dt.date(2024, 9, 1)):
    """An early years organisation: a manager, a key person, a family with a child, a term calendar."""
    org = make_org("Little Acorns")
    nursery = make_setting(org, kind=SettingKind.EARLY_YEARS, name="Acorn Nursery")
    add_calendar(nursery)
    room = make_group(nursery, "Butterflies", "Pre-school")
    manager = make_staff(org, nursery, ["manager"], name="Mia Manager")
    key_person = make_staff(org, nursery, ["practitioner"], [room], name="Pat Practitioner")
    family = make_family(org, "The Nash family", email="nina.nash@example.org")
    child = make_child(family, nursery, room, legal_first_name="Noah", legal_last_name="Nash", date_of_birth=dt.date(2023, 3, 1),
                       enrolled_on=enrolled_on)
    allocate(family, nursery, key_person)
    return org, nursery, manager, key_person, family, child
