"""The family timeline's unexplained absences: one entry a child a day, scoped, in one query."""

import datetime as dt

from django.urls import reverse

from keyworker.attendance.timeline import _absences

from .factories import put

MON, WED = dt.date(2026, 11, 16), dt.date(2026, 11, 18)


def test_unexplained_absences_on_the_family_timeline(world, client_for, django_assert_max_num_queries):
    put(world.child_a, MON, "AM", "N")
    put(world.child_a, MON, "PM", "O")
    put(world.child_a, WED, "AM", "G")
    put(world.child_a, WED, "PM", "/")    # present: not an entry
    put(world.child_a, dt.date(2026, 11, 17), "AM", "I")   # authorised: not an entry
    actor = world.actor(world.ta_a)
    with django_assert_max_num_queries(2):
        entries = _absences(actor, world.family_a, 10)
    assert [e.at.date() for e in entries] == [WED, MON]
    assert "morning N (reason not yet known" in entries[1].summary and "afternoon O" in entries[1].summary
    assert entries[0].url == reverse("attendance:child", args=[world.child_a.pk])
    assert _absences(world.actor(world.teacher_b), world.family_a, 10) == []
    body = client_for(world.ta_a).get(reverse("dashboard:timeline", args=[world.family_a.pk])).content.decode()
    assert "Unexplained absence" in body
