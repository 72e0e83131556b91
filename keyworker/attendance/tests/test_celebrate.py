"""Positive attendance to celebrate: full attendance this half term, for the key worker's children."""

import datetime as dt

from django.urls import reverse

from keyworker.attendance.celebrate import full_attendance, week_panel
from keyworker.organisations.calendar import TermCalendar

from .factories import put_many

WED = dt.date(2026, 11, 18)


def _half_term(world, child, last_code="\\"):
    days = TermCalendar.for_setting(world.school).school_days_between(dt.date(2026, 11, 2), WED)
    marks = [(d, s, "/" if s == "AM" else "\\") for d in days for s in ("AM", "PM")]
    marks[-1] = (marks[-1][0], marks[-1][1], last_code)
    put_many(child, marks)


def test_full_attendance_this_half_term(world, client_for, django_assert_max_num_queries):
    _half_term(world, world.child_a)
    _half_term(world, world.child_b)           # teacher_b's family: not ta_a's
    actor = world.actor(world.ta_a)
    with django_assert_max_num_queries(6):
        items = full_attendance(actor, WED)
    assert [(i.child.pk, i.rates.possible, i.since) for i in items] == [(world.child_a.pk, 26, dt.date(2026, 11, 2))]
    body = client_for(world.ta_a).get(reverse("week:my_week")).content.decode()
    assert "Attendance to celebrate" in body and "100% since Mon 2 November 2026" in body


def test_one_absence_or_too_early_is_not_celebrated(world):
    _half_term(world, world.child_a, last_code="I")
    assert week_panel(world.actor(world.ta_a), WED) is None
    assert full_attendance(world.actor(world.ta_a), dt.date(2026, 11, 4)) == []   # three days in
    assert week_panel(world.actor(world.headteacher), WED) is None
