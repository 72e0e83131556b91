"""Rates against hand-computed figures: every code category, not-possible sessions on neither side, thresholds."""

import datetime as dt
from decimal import Decimal

import pytest

from keyworker.attendance.models import AttendanceSettings
from keyworker.attendance.selectors import (
    Rates,
    band,
    period,
    periods,
    rates_by_child,
    rates_total,
    thresholds,
)
from keyworker.organisations.calendar import TermCalendar
from keyworker.people.models import Child
from keyworker.testing import make_child, make_family

from .factories import put_many

D = dt.date


@pytest.fixture
def marked(world):
    put_many(world.child_a, [
        (D(2026, 11, 9), "AM", "/"), (D(2026, 11, 9), "PM", "\\"),     # present 2
        (D(2026, 11, 10), "AM", "L"), (D(2026, 11, 10), "PM", "V"),    # late and an educational visit: present 2
        (D(2026, 11, 11), "AM", "I"), (D(2026, 11, 11), "PM", "M"),    # authorised 2
        (D(2026, 11, 12), "AM", "N"), (D(2026, 11, 12), "PM", "G"),    # unauthorised 2
        (D(2026, 11, 13), "AM", "D"), (D(2026, 11, 13), "PM", "#"),    # not possible 2
        (D(2026, 11, 16), "AM", "/"), (D(2026, 11, 16), "PM", "U"),    # present 1, unauthorised 1
        (D(2026, 11, 17), "AM", "Y1"), (D(2026, 11, 17), "PM", "\\"),  # not possible 1, present 1
    ])
    put_many(world.child_b, [(D(2026, 11, d), s, "/" if s == "AM" else "\\") for d in range(9, 14) for s in ("AM", "PM")])
    return world


def test_child_rates_by_category(marked):
    w = marked
    rates = rates_by_child(w.org.pk, [w.child_a.pk, w.child_b.pk], D(2026, 11, 9), D(2026, 11, 18))
    a = rates[w.child_a.pk]
    assert (a.present, a.authorised, a.unauthorised, a.not_possible, a.possible) == (6, 2, 3, 3, 11)
    assert a.attendance_pct == Decimal("54.5")    # 6 / 11
    assert a.authorised_pct == Decimal("18.2")    # 2 / 11
    assert a.unauthorised_pct == Decimal("27.3")  # 3 / 11
    assert a.absence_pct == Decimal("45.5")       # 5 / 11
    b = rates[w.child_b.pk]
    assert (b.possible, b.attendance_pct, b.absence_pct) == (10, Decimal("100.0"), Decimal("0.0"))


def test_ranges_cut_the_marks(marked):
    w = marked
    week = rates_by_child(w.org.pk, [w.child_a.pk], D(2026, 11, 16), D(2026, 11, 18))[w.child_a.pk]
    assert (week.present, week.unauthorised, week.not_possible) == (2, 1, 1)
    assert week.attendance_pct == Decimal("66.7")
    assert rates_by_child(w.org.pk, [w.child_a.pk], D(2026, 9, 1), D(2026, 9, 30)) == {}


def test_class_and_setting_totals(marked):
    w = marked
    cls = rates_total(w.org.pk, D(2026, 9, 2), D(2026, 11, 18), group_id=w.class_a.pk)
    assert (cls.present, cls.possible) == (6, 11)
    setting = rates_total(w.org.pk, D(2026, 9, 2), D(2026, 11, 18), setting_id=w.school.pk)
    assert (setting.present, setting.authorised, setting.unauthorised, setting.not_possible) == (16, 2, 3, 3)
    assert setting.attendance_pct == Decimal("76.2")  # 16 / 21
    one = rates_total(w.org.pk, D(2026, 9, 2), D(2026, 11, 18), child_id=w.child_b.pk)
    assert one.attendance_pct == Decimal("100.0")


def test_only_not_possible_sessions_give_no_rate():
    r = Rates(not_possible=4)
    assert r.possible == 0 and r.attendance_pct is None and r.absence_pct is None


def test_persistent_and_severe_with_national_defaults(marked, world):
    s = thresholds(world.org.pk)
    assert (s.persistent_at_or_below, s.severe_at_or_below) == (Decimal("90"), Decimal("50"))
    assert band(Rates(present=9, authorised=1), s) == "persistent"      # 90% exactly is persistent
    assert band(Rates(present=91, unauthorised=9), s) == ""             # 91 %
    assert band(Rates(present=1, unauthorised=1), s) == "severe"        # 50% exactly is severe
    assert band(Rates(present=6, authorised=2, unauthorised=3, not_possible=3), s) == "persistent"  # 54.5 %
    assert band(Rates(not_possible=2), s) == ""


def test_thresholds_are_the_organisations(world):
    AttendanceSettings.objects.create(organisation=world.org, persistent_at_or_below=95, severe_at_or_below=60)
    s = thresholds(world.org.pk)
    assert band(Rates(present=93, authorised=7), s) == "persistent"
    assert band(Rates(present=6, authorised=2, unauthorised=3), s) == "severe"   # 54.5% under 60
    assert thresholds(world.other_org.pk).persistent_at_or_below == Decimal("90")


def test_periods_from_the_calendar(world):
    cal = TermCalendar.for_setting(world.school)
    got = {p.key: (p.start, p.end) for p in periods(cal, D(2026, 11, 18))}
    assert got == {"week": (D(2026, 11, 16), D(2026, 11, 18)), "half_term": (D(2026, 11, 2), D(2026, 11, 18)),
                   "year": (D(2026, 9, 2), D(2026, 11, 18))}
    # In the half-term holiday, "this half term" is the one just ended.
    assert period(cal, D(2026, 10, 28), "half_term").start == D(2026, 9, 2)


def test_one_query_whatever_the_number_of_children(marked, django_assert_num_queries):
    w = marked
    for _ in range(15):
        kid = make_child(make_family(w.org), w.school, w.class_a)
        put_many(kid, [(D(2026, 11, 9), "AM", "/"), (D(2026, 11, 9), "PM", "N")])
    with django_assert_num_queries(1):
        rates = rates_by_child(w.org.pk, Child.objects.filter(organisation=w.org), D(2026, 9, 2), D(2026, 11, 18))
    assert len(rates) == 17
    with django_assert_num_queries(1):
        rates_total(w.org.pk, D(2026, 9, 2), D(2026, 11, 18), setting_id=w.school.pk)


def test_another_organisation_is_not_counted(marked):
    w = marked
    other_child = Child.objects.get(organisation=w.other_org)
    assert rates_by_child(w.org.pk, [other_child.pk, w.child_a.pk], D(2026, 9, 2), D(2026, 11, 18)).keys() == {w.child_a.pk}
