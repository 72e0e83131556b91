"""SCH-9 and CC-M2 end to end with the built-in policies: a concern opens an obligation, a follow-up meets it in the
same request; none within 5 days goes overdue and is escalated to the leaders."""

import datetime as dt

import pytest

from keyworker.core import clock as kw_clock
from keyworker.notifications.models import Notification
from keyworker.standards import engine
from keyworker.standards.escalation import SUMMARY_KIND, escalations_notify
from keyworker.standards.evidence import event_source, evidence_source
from keyworker.standards.models import OPEN_STATES, Obligation, ObligationState
from keyworker.standards.services import policy_adopt_builtin
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
from keyworker.wellbeing.evidence import (
    AGENCY_CONTACT,
    WELLBEING_CONCERN,
    WELLBEING_FOLLOW_UP,
    concerns_raised,
    follow_ups_recorded,
)

from .helpers import TODAY, follow_up, raise_concern


@pytest.fixture
def adopted(world):
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=TODAY)
    return world


def _sch9(world):
    return list(Obligation.objects.filter(standard__clause="SCH-9", family=world.family_a).order_by("period_start", "id"))


def test_the_sources_are_registered():
    assert event_source(WELLBEING_CONCERN).by_family
    assert evidence_source(WELLBEING_FOLLOW_UP).label == "A wellbeing follow-up" and evidence_source(WELLBEING_FOLLOW_UP).by_family
    assert evidence_source(AGENCY_CONTACT).label == "Contact with an outside agency" and evidence_source(AGENCY_CONTACT).by_family


def test_a_concern_opens_an_obligation_and_a_follow_up_meets_it(adopted, clock):
    world = adopted
    assert not _sch9(world)
    concern = raise_concern(world, staff=world.teacher_a)
    [obligation] = _sch9(world)
    assert obligation.state in OPEN_STATES and obligation.responsible_staff_id == world.ta_a.pk
    # Within 5 school days of Wednesday 18 November: Wednesday 25 November.
    assert obligation.period_start == TODAY and obligation.due_on == dt.date(2026, 11, 25)
    clock.shift(dt.timedelta(days=2))
    f = follow_up(world, concern)
    [obligation] = _sch9(world)
    assert obligation.state == ObligationState.MET and obligation.met_on == TODAY + dt.timedelta(days=2)
    assert obligation.evidence_ref == f"wellbeing_follow_up:{f.pk}"


def test_none_within_5_days_goes_overdue_then_is_escalated_to_the_leaders(adopted, clock):
    world = adopted
    raise_concern(world)
    # School days: due Wed 25 November, due soon from Monday 23, escalated after 2 more school days (Mon 30 November).
    due = dt.date(2026, 11, 25)
    for day, state in [(TODAY + dt.timedelta(days=3), ObligationState.UPCOMING), (dt.date(2026, 11, 23), ObligationState.DUE_SOON),
                       (due + dt.timedelta(days=1), ObligationState.OVERDUE), (dt.date(2026, 11, 27), ObligationState.OVERDUE),
                       (dt.date(2026, 11, 30), ObligationState.ESCALATED)]:
        clock.move_to(dt.datetime.combine(day, dt.time(10, 30), tzinfo=dt.UTC))
        engine.recompute(organisation_id=world.org.pk, as_of=day)
        assert _sch9(world)[0].state == state, day
    escalated = _sch9(world)[0]
    escalations_notify(organisation_id=world.org.pk, now=kw_clock.now())
    # Each leader hears of it in the day's summary of escalations, by clause.
    told = Notification.objects.filter(kind=SUMMARY_KIND, body__contains=escalated.standard.clause)
    assert {world.headteacher.user_id, world.deputy.user_id} <= set(told.values_list("recipient_id", flat=True))


def test_each_concern_is_its_own_obligation(adopted, clock):
    world = adopted
    first = raise_concern(world)
    follow_up(world, first)
    clock.shift(dt.timedelta(days=2))
    raise_concern(world)
    met, open_ = _sch9(world)
    assert met.state == ObligationState.MET and open_.state in OPEN_STATES


def test_one_query_per_source(adopted, django_assert_num_queries):
    world = adopted
    concern = raise_concern(world)
    follow_up(world, concern)
    raise_concern(world, staff=world.teacher_b, family=world.family_b)
    with django_assert_num_queries(1):
        rows = list(concerns_raised(world.org.pk, TODAY, TODAY, families={world.family_a.pk}))
    assert [(r.family_id, r.child_id, r.on, r.ref) for r in rows] == [(world.family_a.pk, None, TODAY, f"wb{concern.pk}")]
    with django_assert_num_queries(1):
        rows = list(follow_ups_recorded(world.org.pk, TODAY, TODAY, {}, families={world.family_a.pk}))
    assert len(rows) == 1
    assert list(concerns_raised(world.other_org.pk, TODAY, TODAY)) == []


# CC-M2: a childcare setting's manager contacts an outside agency ---------------------------------------------


@pytest.fixture
def nursery(db, clock):
    org = make_org("Little Acorns")
    setting = make_setting(org, kind="early_years", name="Acorns Nursery")
    add_calendar(setting)
    room = make_group(setting, "Oak room", "Pre-school")
    manager = make_staff(org, setting, ["manager"], name="Mia Manager")
    practitioner = make_staff(org, setting, ["practitioner"], [room], name="Pat Practitioner")
    family = make_family(org, "The Dean family")
    make_child(family, setting, room, legal_first_name="Dara", legal_last_name="Dean")
    allocate(family, setting, practitioner)
    policy_adopt_builtin(organisation=org, template_code="childcare_key_contact", as_of=TODAY)

    class Nursery:
        pass

    n = Nursery()
    n.org, n.setting, n.manager, n.practitioner, n.family = org, setting, manager, practitioner, family
    return n


def test_cc_m2_is_met_by_the_manager_s_agency_contact_only(nursery, world):
    from keyworker.accounts.access import actor_for
    from keyworker.wellbeing.models import Agency
    from keyworker.wellbeing.services import concern_raise, follow_up_record

    practitioner, manager = actor_for(nursery.practitioner.user, nursery.org.pk), actor_for(nursery.manager.user, nursery.org.pk)
    concern = concern_raise(actor=practitioner, family=nursery.family, what_noticed="Dad says he has lost his job and is not sleeping.",
                            areas=["money", "mental_health"], indicators=["healthy"])
    [obligation] = Obligation.objects.filter(standard__clause="CC-M2", family=nursery.family)
    assert obligation.state in OPEN_STATES and obligation.due_on == TODAY + dt.timedelta(days=5)
    agency = Agency.objects.create(organisation=nursery.org, name="Acorns Food Bank", service="Food parcels", phone="01632 960010")
    # The practitioner's signposting follows it up, but is not the manager contacting an agency.
    follow_up_record(actor=practitioner, concern=concern, kind="signposting", agency=agency, how="leaflet")
    assert Obligation.objects.get(pk=obligation.pk).state in OPEN_STATES
    f = follow_up_record(actor=manager, concern=concern, kind="referral", agency=agency, consent_given=True,
                         follow_up_on=TODAY + dt.timedelta(days=14))
    obligation.refresh_from_db()
    assert obligation.state == ObligationState.MET and obligation.evidence_ref == f"wellbeing_follow_up:{f.pk}"
