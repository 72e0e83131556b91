"""SCH-3 end to end: a change opens an obligation for the key worker; their acknowledgement meets it, in the same request."""

import datetime as dt

import pytest

from keyworker.briefings.evidence import BRIEFING_ACKNOWLEDGED, briefings_acknowledged
from keyworker.briefings.models import Briefing
from keyworker.briefings.services import briefing_acknowledge, briefings_acknowledge_child
from keyworker.standards import engine
from keyworker.standards.evidence import evidence_source
from keyworker.standards.models import OPEN_STATES, Obligation, ObligationState
from keyworker.standards.services import policy_adopt_builtin

TODAY = dt.date(2026, 11, 18)


@pytest.fixture
def adopted(world):
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=TODAY)
    return world


def _sch3(world, child=None):
    return list(Obligation.objects.filter(standard__clause="SCH-3", child=child or world.child_a).order_by("period_start"))


def _allergy(world, staff, value="Peanuts"):
    from keyworker.people.services import key_aspects_update

    key_aspects_update(actor=world.actor(staff), child=world.child_a, changes={"allergies": value})
    return Briefing.objects.filter(child=world.child_a).order_by("-id").first()


def test_the_source_is_registered():
    source = evidence_source(BRIEFING_ACKNOWLEDGED)
    assert source is not None and source.by_family and source.label == "Changes to key aspects acknowledged"


def test_change_opens_an_obligation_and_acknowledging_meets_it(adopted, clock):
    world = adopted
    assert not _sch3(world)
    briefing = _allergy(world, world.headteacher)
    [obligation] = _sch3(world)
    assert obligation.state in OPEN_STATES and obligation.responsible_staff_id == world.ta_a.pk
    # Within 5 school days of Wednesday 18 November: Wednesday 25 November.
    assert obligation.period_start == TODAY and obligation.due_on == dt.date(2026, 11, 25)
    # The class teacher reading it is not the key worker's acknowledgement.
    briefing_acknowledge(actor=world.actor(world.teacher_a), briefing=briefing)
    assert _sch3(world)[0].state in OPEN_STATES
    clock.shift(dt.timedelta(days=1))
    briefing_acknowledge(actor=world.actor(world.ta_a), briefing=briefing)
    [obligation] = _sch3(world)
    assert obligation.state == ObligationState.MET and obligation.met_on == TODAY + dt.timedelta(days=1)
    assert obligation.evidence_ref == f"briefing:{briefing.pk}"


def test_not_acknowledged_goes_overdue_then_escalates(adopted, clock):
    world = adopted
    briefing = _allergy(world, world.headteacher)
    # School days: due Wed 25 November; due soon from Monday 23; escalated after 5 more school days (Thu 3 December).
    due = dt.date(2026, 11, 25)
    for day, state in [(TODAY + dt.timedelta(days=3), ObligationState.UPCOMING), (dt.date(2026, 11, 23), ObligationState.DUE_SOON),
                       (due, ObligationState.DUE_SOON), (due + dt.timedelta(days=1), ObligationState.OVERDUE),
                       (dt.date(2026, 12, 2), ObligationState.OVERDUE), (dt.date(2026, 12, 3), ObligationState.ESCALATED)]:
        clock.move_to(dt.datetime.combine(day, dt.time(10, 30), tzinfo=dt.UTC))
        engine.recompute(organisation_id=world.org.pk, as_of=day)
        assert _sch3(world)[0].state == state, day
    escalated = _sch3(world)[0]
    assert escalated.escalated_at is not None
    # The worker's escalation step tells the deputy head (SCH-3 escalates to the deputy headteacher).
    from keyworker.core import clock as kw_clock
    from keyworker.notifications.models import Notification
    from keyworker.standards.escalation import SUMMARY_KIND, escalations_notify

    escalations_notify(organisation_id=world.org.pk, now=kw_clock.now())
    [summary] = Notification.objects.filter(recipient=world.deputy.user, kind=SUMMARY_KIND)  # the day's summary
    assert "SCH-3" in summary.body
    # A late acknowledgement still records that it was read: met, on the day it was.
    briefings_acknowledge_child(actor=world.actor(world.ta_a), child=world.child_a)
    [obligation] = _sch3(world)
    assert obligation.state == ObligationState.MET and obligation.met_on == dt.date(2026, 12, 3)
    assert briefing.pk


def test_the_key_worker_making_the_change_meets_it_at_once(adopted):
    world = adopted
    _allergy(world, world.ta_a)
    [obligation] = _sch3(world)
    assert obligation.state == ObligationState.MET and obligation.met_on == TODAY


def test_an_earlier_acknowledgement_does_not_meet_a_later_change(adopted, clock):
    world = adopted
    first = _allergy(world, world.headteacher, "Peanuts")
    briefing_acknowledge(actor=world.actor(world.ta_a), briefing=first)
    clock.shift(dt.timedelta(days=2))
    _allergy(world, world.headteacher, "Peanuts and sesame")
    first_ob, second_ob = _sch3(world)
    assert first_ob.state == ObligationState.MET and second_ob.state in OPEN_STATES


def test_one_row_per_child_per_day_in_one_query(adopted, django_assert_num_queries, clock):
    world = adopted
    for value in ("Peanuts", "Sesame", "Milk"):
        _allergy(world, world.headteacher, value)
    briefings_acknowledge_child(actor=world.actor(world.ta_a), child=world.child_a)
    with django_assert_num_queries(1):
        rows = list(briefings_acknowledged(world.org.pk, TODAY, TODAY, {}, families={world.family_a.pk}))
    assert [(r.family_id, r.child_id, r.on) for r in rows] == [(world.family_a.pk, world.child_a.pk, TODAY)]
    assert list(briefings_acknowledged(world.org.pk, TODAY, TODAY, {}, families={world.family_b.pk})) == []
    assert list(briefings_acknowledged(world.other_org.pk, TODAY, TODAY, {})) == []


def test_reading_an_older_change_does_not_meet_a_newer_unread_one(adopted, clock):
    """Monday's change read on Thursday while Wednesday's is unread: neither counts until the key worker is up to date."""
    world = adopted
    monday = dt.datetime(2026, 11, 16, 10, 0, tzinfo=dt.UTC)
    clock.move_to(monday)
    first = _allergy(world, world.headteacher, "Peanuts")
    clock.move_to(monday + dt.timedelta(days=2))
    _allergy(world, world.headteacher, "Peanuts and sesame")
    clock.move_to(monday + dt.timedelta(days=3))
    briefing_acknowledge(actor=world.actor(world.ta_a), briefing=first)
    assert [o.state for o in _sch3(world)] == [ObligationState.DUE_SOON, ObligationState.UPCOMING]
    clock.move_to(monday + dt.timedelta(days=4))
    briefings_acknowledge_child(actor=world.actor(world.ta_a), child=world.child_a)
    friday = dt.date(2026, 11, 20)
    assert [(o.state, o.met_on) for o in _sch3(world)] == [(ObligationState.MET, friday), (ObligationState.MET, friday)]
