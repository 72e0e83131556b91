"""The demo register: deterministic, realistic rates, "N" marks waiting, an unexplained absence this morning."""

import datetime as dt

from keyworker.attendance.challenge import absences_to_challenge
from keyworker.attendance.demo import demo_history
from keyworker.attendance.models import AttendanceMark, MarkRevision
from keyworker.attendance.selectors import band, rates_by_child, thresholds
from keyworker.people.models import Child
from keyworker.testing import make_child, make_family

WED = dt.date(2026, 11, 18)


def _snapshot(org):
    return sorted(AttendanceMark.objects.filter(organisation=org).values_list("child__legal_first_name", "date", "session", "code__code"))


def test_demo_history(world):
    for _ in range(30):
        make_child(make_family(world.org), world.school, world.class_b)
    n = demo_history(organisation=world.org, today=WED)
    assert n == AttendanceMark.objects.filter(organisation=world.org).count() > 30 * 100
    children = list(Child.objects.filter(organisation=world.org))
    rates = rates_by_child(world.org.pk, [c.pk for c in children], dt.date(2026, 9, 2), WED)
    overall = sum(r.present for r in rates.values()) / sum(r.possible for r in rates.values())
    assert 0.88 < overall < 0.98
    limits = thresholds(world.org.pk)
    assert 1 <= sum(1 for r in rates.values() if band(r, limits)) <= 12
    assert MarkRevision.objects.filter(organisation=world.org, previous_code__code="N").exists()
    assert AttendanceMark.objects.filter(organisation=world.org, code__code="N", date__lt=dt.date(2026, 11, 9)).exists()
    # This morning's unexplained absence for the key worker's child; the afternoon is not taken yet at 10:30.
    assert [i.mark.child_id for i in absences_to_challenge(world.actor(world.ta_a), WED)] == [world.child_a.pk]
    assert not AttendanceMark.objects.filter(date=WED, session="PM").exists()


def test_demo_history_is_deterministic(world):
    demo_history(organisation=world.org, today=WED)
    first = _snapshot(world.org)
    AttendanceMark.objects.filter(organisation=world.org).delete()
    demo_history(organisation=world.org, today=WED)
    assert _snapshot(world.org) == first
