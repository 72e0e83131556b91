"""Attendance escalation: tiers reached at their edges, patterns, no duplicate concerns, tier raises telling only the
new roles, what a notification says, the worker's cycle, and fixed queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.attendance import escalation
from keyworker.attendance.models import AttendanceConcern, ConcernAction, EscalationSettings
from keyworker.notifications.models import Notification
from keyworker.organisations.calendar import TermCalendar
from keyworker.testing import make_child, make_family

from .factories import put_many

NOV_13 = dt.date(2026, 11, 13)
WED = dt.date(2026, 11, 18)


def school_days(world, start, end):
    return TermCalendar.for_setting(world.school).school_days_between(start, end)


def marks(world, child, start, end, absent: dict | None = None):
    """Present every session from start to end, except the (day, session) pairs in `absent`."""
    absent = absent or {}
    rows = []
    for day in school_days(world, start, end):
        for session, present in (("AM", "/"), ("PM", "\\")):
            rows.append((day, session, absent.get((day, session), present)))
    put_many(child, rows)


def absent_days(*days):
    return {(d, s): "I" for d in days for s in ("AM", "PM")}


def evaluate(world, as_of=NOV_13):
    return escalation.concerns_evaluate(organisation_id=world.org.pk, as_of=as_of)


def concern_of(child):
    return AttendanceConcern.objects.get(child=child, status="open")


def told(world, staff):
    return Notification.objects.filter(recipient=staff.user, kind=escalation.NOTIFICATION_KIND)


# Tiers -----------------------------------------------------------------------------------------------------------


def test_defaults_written_on_first_use(world):
    tiers = escalation.tiers_for(world.org.pk)
    assert [(t.order, t.name, str(t.at_or_below)) for t in tiers] == [
        (1, "Monitor", "95.00"), (2, "Persistent absence", "90.00"), (3, "Severe absence", "50.00")]
    assert tiers[0].notify_roles == ["key_worker"] and tiers[2].notify_roles == ["deputy_headteacher", "headteacher"]
    assert len(escalation.tiers_for(world.org.pk)) == 3


def test_exactly_90_per_cent_is_persistent_absence(world):
    # 20 sessions from Mon 2 to Fri 13 November, both sessions missed on the first Monday: 18 / 20 = 90.0%.
    marks(world, world.child_a, dt.date(2026, 11, 2), NOV_13, absent_days(dt.date(2026, 11, 2)))
    result = evaluate(world)
    assert result.opened == 1
    c = concern_of(world.child_a)
    assert (c.tier_order, c.tier_name, str(c.rate_at_open), c.pattern) == (2, "Persistent absence", "90.0", "")
    # Tier 2 tells the deputy head (not the key worker: tier 1 was skipped, its roles are not this tier's).
    assert told(world, world.deputy).count() == 1
    assert told(world, world.ta_a).count() == 0 and told(world, world.headteacher).count() == 0
    action = ConcernAction.objects.get(concern=c)
    assert action.kind == "opened" and "Persistent absence" in action.text and action.follow_up_on > NOV_13


def test_just_above_the_threshold_is_only_monitored(world):
    # One session missed: 19 / 20 = 95.0%, the monitor tier, told to the key worker.
    marks(world, world.child_a, dt.date(2026, 11, 2), NOV_13, {(dt.date(2026, 11, 2), "AM"): "I"})
    evaluate(world)
    assert concern_of(world.child_a).tier_order == 1
    assert told(world, world.ta_a).count() == 1 and told(world, world.deputy).count() == 0


def test_severe_absence_tells_deputy_and_headteacher(world):
    days = school_days(world, dt.date(2026, 11, 2), NOV_13)
    marks(world, world.child_a, days[0], NOV_13, absent_days(*days[:5]))
    evaluate(world)
    c = concern_of(world.child_a)
    assert (c.tier_order, str(c.rate_at_open)) == (3, "50.0")
    assert told(world, world.deputy).count() == 1 and told(world, world.headteacher).count() == 1


def test_too_few_sessions_do_not_count(world):
    put_many(world.child_a, [(NOV_13, "AM", "I"), (NOV_13, "PM", "/")])
    assert evaluate(world).opened == 0


def test_nobody_under_a_tier_no_concern(world):
    marks(world, world.child_a, dt.date(2026, 11, 2), NOV_13)
    assert evaluate(world).opened == 0 and not AttendanceConcern.objects.exists()


# Patterns --------------------------------------------------------------------------------------------------------


def test_three_absences_in_ten_sessions(world):
    days = school_days(world, dt.date(2026, 9, 2), NOV_13)
    marks(world, world.child_a, days[0], NOV_13, {(days[-1], "AM"): "I", (days[-2], "PM"): "N", (days[-4], "AM"): "I"})
    evaluate(world)
    c = concern_of(world.child_a)
    assert c.tier_order == 1 and c.pattern == "3 absences in the last 10 sessions"
    assert float(c.rate_at_open) > 95


def test_two_absences_in_ten_sessions_is_no_pattern(world):
    days = school_days(world, dt.date(2026, 9, 2), NOV_13)
    marks(world, world.child_a, days[0], NOV_13, {(days[-1], "AM"): "I", (days[-2], "PM"): "N", (days[-6], "AM"): "I"})
    assert evaluate(world).opened == 0


def test_same_weekday_three_weeks_running(world):
    wednesdays = [dt.date(2026, 11, 4), dt.date(2026, 11, 11), WED]
    marks(world, world.child_a, dt.date(2026, 9, 2), WED, {(d, "AM"): "I" for d in wednesdays})
    evaluate(world, WED)
    assert concern_of(world.child_a).pattern == "Absent on Wednesdays 3 weeks running"


def test_same_weekday_twice_is_no_pattern_and_patterns_can_be_switched_off(world):
    marks(world, world.child_a, dt.date(2026, 9, 2), WED, {(d, "AM"): "I" for d in (dt.date(2026, 11, 11), WED)})
    assert evaluate(world, WED).opened == 0
    EscalationSettings.objects.create(organisation=world.org, weekday_enabled=False, weekday_weeks=2)
    assert evaluate(world, WED).opened == 0


# Repeated runs and raises ---------------------------------------------------------------------------------------


def test_repeated_runs_do_not_duplicate(world):
    marks(world, world.child_a, dt.date(2026, 11, 2), NOV_13, absent_days(dt.date(2026, 11, 2)))
    first = evaluate(world)
    second = evaluate(world)
    assert (first.opened, second.opened, second.raised, second.notifications) == (1, 0, 0, 0)
    assert AttendanceConcern.objects.count() == 1 and ConcernAction.objects.count() == 1
    assert Notification.objects.filter(kind=escalation.NOTIFICATION_KIND).count() == 1


def test_raise_tells_only_the_new_roles(world):
    days = school_days(world, dt.date(2026, 11, 2), NOV_13)
    marks(world, world.child_a, days[0], days[-1], {(days[0], "AM"): "I"})
    evaluate(world)
    assert concern_of(world.child_a).tier_order == 1 and told(world, world.ta_a).count() == 1
    # Three more sessions missed the next week: 26 / 30 = 86.7%, persistent absence.
    more = school_days(world, dt.date(2026, 11, 16), dt.date(2026, 11, 20))
    marks(world, world.child_a, more[0], more[-1], absent_days(more[0]) | {(more[1], "AM"): "I"})
    result = evaluate(world, more[-1])
    c = concern_of(world.child_a)
    assert (result.opened, result.raised, c.tier_order) == (0, 1, 2)
    assert told(world, world.ta_a).count() == 1 and told(world, world.deputy).count() == 1
    assert list(c.actions.values_list("kind", flat=True)) == ["opened", "raised"]
    assert AttendanceConcern.objects.filter(child=world.child_a).count() == 1


def test_a_closed_concern_is_not_reopened_at_the_same_tier(world):
    marks(world, world.child_a, dt.date(2026, 11, 2), NOV_13, absent_days(dt.date(2026, 11, 2)))
    evaluate(world)
    escalation.concern_close(actor=world.actor(world.deputy), concern=concern_of(world.child_a), outcome="Family moved back",
                             today=NOV_13)
    assert evaluate(world).opened == 0


def test_notification_says_only_name_and_rate(world):
    marks(world, world.child_a, dt.date(2026, 11, 2), NOV_13, absent_days(dt.date(2026, 11, 2)))
    evaluate(world)
    n = told(world, world.deputy).get()
    assert n.subject == "Attendance concern: Alfie Adams"
    assert n.body == "Alfie Adams: attendance 90.0% this school year."
    assert n.link == f"/attendance/escalation/{concern_of(world.child_a).pk}/"


def test_worker_cycle_runs_it_once(world, clock):
    from keyworker.core.periodic import periodic_tasks
    from keyworker.standards.management.commands.worker import run_cycle

    assert periodic_tasks()["attendance.escalation"] is escalation.escalation_run
    marks(world, world.child_a, dt.date(2026, 11, 2), NOV_13, absent_days(dt.date(2026, 11, 2)))
    run_cycle(worker_id="t1", as_of=NOV_13)
    run_cycle(worker_id="t2", as_of=NOV_13)
    assert Notification.objects.filter(kind=escalation.NOTIFICATION_KIND).count() == 1
    assert AttendanceConcern.objects.count() == 1


def test_event_and_evidence_sources(world):
    from keyworker.standards.evidence import event_source, evidence_source

    marks(world, world.child_a, dt.date(2026, 11, 2), NOV_13, absent_days(dt.date(2026, 11, 2)))
    evaluate(world)
    c = concern_of(world.child_a)
    events = list(event_source(escalation.CONCERN_RAISED).fetch(world.org.pk, NOV_13, NOV_13))
    assert [(e.family_id, e.child_id, e.on) for e in events] == [(world.family_a.pk, world.child_a.pk, NOV_13)]
    source = evidence_source(escalation.CONCERN_ACTION)
    assert list(source.fetch(world.org.pk, NOV_13, WED, {})) == []
    escalation.concern_action_add(actor=world.actor(world.deputy), concern=c, text="Phoned mum", happened_on=dt.date(2026, 11, 16),
                                  follow_up_on=dt.date(2026, 11, 23), today=WED)
    rows = list(source.fetch(world.org.pk, NOV_13, WED, {}, families={world.family_a.pk}))
    assert [(r.child_id, r.on) for r in rows] == [(world.child_a.pk, dt.date(2026, 11, 16))]
    assert list(source.fetch(world.org.pk, NOV_13, WED, {}, families={world.family_b.pk})) == []


def _children(world, n):
    kids = [world.child_a]
    for i in range(n - 1):
        kids.append(make_child(make_family(world.org, f"Family {i}"), world.school, world.class_b,
                               legal_first_name=f"Kid{i}", legal_last_name="Many"))
    for kid in kids:
        marks(world, kid, dt.date(2026, 11, 2), NOV_13, absent_days(dt.date(2026, 11, 2)))
    return kids


@pytest.mark.parametrize("n", [1, 20])
def test_queries_fixed_whatever_the_number_of_children(world, n):
    _children(world, n)
    evaluate(world)
    assert AttendanceConcern.objects.count() == n
    with CaptureQueriesContext(connection) as ctx:
        evaluate(world)
    # Tiers, patterns, settings and calendars, rates, recent marks, open and closed concerns: never per child.
    assert len(ctx.captured_queries) <= 12, [q["sql"][:80] for q in ctx.captured_queries]


def test_queries_same_for_1_and_20(world):
    _children(world, 1)
    evaluate(world)
    with CaptureQueriesContext(connection) as one:
        evaluate(world)
    more = [make_child(make_family(world.org, f"F{i}"), world.school, world.class_b, legal_first_name=f"K{i}",
                                 legal_last_name="More") for i in range(19)]
    for kid in more:
        marks(world, kid, dt.date(2026, 11, 2), NOV_13, absent_days(dt.date(2026, 11, 2)))
    evaluate(world)
    with CaptureQueriesContext(connection) as twenty:
        evaluate(world)
    assert AttendanceConcern.objects.count() == 20
    assert len(one.captured_queries) == len(twenty.captured_queries)


def test_demo_concerns(world):
    from collections import Counter

    from keyworker.attendance.demo import demo_history

    for _ in range(40):
        make_child(make_family(world.org), world.school, world.class_b)
    demo_history(organisation=world.org, today=WED)
    concerns = list(AttendanceConcern.objects.filter(organisation=world.org))
    tiers = Counter(c.tier_order for c in concerns)
    print("demo concerns by tier", dict(tiers), "actions", ConcernAction.objects.filter(kind="action").count(),
          "notifications", Notification.objects.filter(kind=escalation.NOTIFICATION_KIND).count())
    assert tiers[2] + tiers[3] >= 1
    visible = escalation.concerns_visible_to(world.actor(world.deputy)).filter(tier_order__gte=2)
    assert visible.exists()
    assert ConcernAction.objects.filter(concern__in=visible, kind="action", recorded_by=world.deputy.user).exists()
    assert not ConcernAction.objects.filter(happened_on__gt=WED).exists()


def test_childcare_defaults_tell_managers(world):
    from keyworker.accounts.models import Role

    for code in ("headteacher", "deputy_headteacher"):
        Role.objects.filter(organisation=world.other_org, code=code).update(code=f"former_{code}")
    Role.objects.get_or_create(organisation=world.other_org, code="manager", defaults={"name": "Manager"})
    tiers = escalation.tiers_for(world.other_org.pk)
    assert [t.notify_roles for t in tiers] == [["key_worker"], ["manager"], ["manager"]]
