"""Test data for parents' evenings: an evening in the test school on Wed 2 December 2026, 16:00 to 17:00 in 10
minute slots, booking open from 10 November to 1 December (the tests' clock is 18 November)."""

import datetime as dt

from keyworker.meetings import evenings

DAY = dt.date(2026, 12, 2)
OPENS = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)
CLOSES = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC)


def plan(world, **kw):
    args = {"day": DAY, "starts": dt.time(16, 0), "ends": dt.time(17, 0), "slot_minutes": 10}
    args.update(kw)
    return evenings.evening_plan(setting=world.school, **args)


def open_evening(world, staff=None, **kw):
    staff = staff if staff is not None else [world.ta_a, world.teacher_a, world.teacher_b]
    args = {"title": "Autumn parents' evening", "booking_opens_at": OPENS, "booking_closes_at": CLOSES, "place": "School hall"}
    args.update(kw)
    return evenings.evening_open(actor=world.actor(world.headteacher), setting=world.school, plan=plan(world), staff=staff, **args)


def slots_of(evening, staff):
    return list(evening.slots.filter(staff=staff).order_by("starts_at"))


def carer_of(family):
    return family.carers.order_by("contact_order", "id").first()
