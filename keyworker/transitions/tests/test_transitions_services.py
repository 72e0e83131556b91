"""Transition plans, visits, dates shared and write-ups, and SCH-10 computed from them by the standards engine."""

import datetime as dt

import pytest
from django.http import Http404

from keyworker.core.errors import RuleViolation
from keyworker.notifications.models import Notification
from keyworker.standards.models import Obligation, ObligationState
from keyworker.testing import carer_account

from .. import evidence, selectors, services
from ..models import TransitionPlan
from .helpers import TODAY, adopt, at, plan_for, visit, year6

pytestmark = pytest.mark.django_db

FIRST = dt.date(2026, 11, 30)  # a Monday


def _obligations(clause, child):
    return list(Obligation.objects.filter(standard__clause=clause, child=child).order_by("due_on"))


def test_a_plan_for_a_year_6_pupil_has_no_warning(world):
    plan = plan_for(world)
    assert plan.destination_school == "Hillside High School"
    assert selectors.leaving_warning(plan.child) == ""


def test_a_plan_for_a_child_not_in_a_leaving_year_is_warned_not_refused(world):
    plan = plan_for(world, child=world.child_b)  # Year 4 by class
    assert TransitionPlan.objects.filter(pk=plan.pk).exists()
    assert "Year 4" in selectors.leaving_warning(plan.child)


def test_a_plan_for_a_child_outside_the_school_is_refused_on_the_child_field(world):
    other_child = world.other_family.children.get()
    with pytest.raises(RuleViolation) as exc:
        services.transition_plan_create(actor=world.actor(world.ta_a), child=other_child, data=dict(
            destination_school="Hillside"))
    assert exc.value.field == "child"
    with pytest.raises(RuleViolation) as exc:
        services.transition_plan_create(actor=world.actor(world.ta_a), child=None, data={"destination_school": "X"})
    assert exc.value.field == "child"


def test_plan_answers_are_checked_field_by_field(world):
    with pytest.raises(services.FieldErrors) as exc:
        plan_for(world, destination_school=" ", destination_email="not an address")
    assert set(exc.value.as_dict()) == {"destination_school", "destination_email"}


def test_a_second_plan_for_the_same_child_is_refused(world):
    plan_for(world)
    with pytest.raises(RuleViolation) as exc:
        plan_for(world)
    assert exc.value.field == "child"


def test_visit_end_before_start_and_a_visit_in_the_past_are_refused_per_field(world):
    plan = plan_for(world)
    with pytest.raises(services.FieldErrors) as exc:
        visit(world, plan, FIRST, start=11, end=9)
    assert "ends_at" in exc.value.as_dict()
    with pytest.raises(services.FieldErrors) as exc:
        visit(world, plan, TODAY - dt.timedelta(days=1))
    assert "starts_at" in exc.value.as_dict()
    with pytest.raises(services.FieldErrors) as exc:
        visit(world, plan, FIRST, staff=[world.outsider])
    assert "staff" in exc.value.as_dict()


def test_staff_of_another_family_cannot_touch_the_plan(world):
    plan = plan_for(world)
    with pytest.raises(Http404):
        services.transition_dates_share(actor=world.actor(world.teacher_b), plan=plan)
    with pytest.raises(Http404):
        services.transition_dates_share(actor=world.actor(world.outsider), plan=plan)


def test_sharing_needs_coming_visits_and_tells_carers_who_use_the_portal(world):
    plan = plan_for(world)
    with pytest.raises(RuleViolation):
        services.transition_dates_share(actor=world.actor(world.ta_a), plan=plan)
    carer = world.family_a.carers.first()
    user = carer_account(carer)
    visit(world, plan, FIRST, staff=[world.ta_a])
    share = services.transition_dates_share(actor=world.actor(world.ta_a), plan=plan)
    assert share.shared_on == TODAY
    assert "Main reception" in share.dates
    assert Notification.objects.filter(recipient=user, kind="transition_dates").exists()


def test_dates_shared_before_the_first_visit_meet_sch_10a(world):
    adopt(world)
    plan = plan_for(world)
    visit(world, plan, FIRST)
    [owed] = _obligations("SCH-10a", plan.child)
    assert owed.due_on == FIRST - dt.timedelta(days=5)
    assert owed.state != ObligationState.MET
    services.transition_dates_share(actor=world.actor(world.ta_a), plan=plan)
    [met] = _obligations("SCH-10a", plan.child)
    assert met.state == ObligationState.MET and not met.met_late


def test_dates_shared_weeks_ahead_still_count(world, clock):
    adopt(world)
    plan = plan_for(world)
    far = dt.date(2026, 12, 16)
    visit(world, plan, far)
    services.transition_dates_share(actor=world.actor(world.ta_a), plan=plan)  # 18 November, four weeks ahead
    clock.move_to(at(dt.date(2026, 12, 4), 8))
    services.transition_plan_update(actor=world.actor(world.ta_a), plan=plan, data={})
    from keyworker.standards.obligations import obligations_refresh
    obligations_refresh(organisation_id=world.org.pk, family_ids={world.family_a.pk}, as_of=dt.date(2026, 12, 4))
    [met] = _obligations("SCH-10a", plan.child)
    assert met.state == ObligationState.MET and not met.met_late


def test_each_visit_owes_a_write_up_shared_within_two_school_days(world, clock):
    adopt(world)
    plan = plan_for(world)
    first = visit(world, plan, FIRST)
    visit(world, plan, dt.date(2026, 12, 7))
    services.transition_dates_share(actor=world.actor(world.ta_a), plan=plan)
    clock.move_to(at(FIRST, 14))
    with pytest.raises(RuleViolation) as exc:
        services.transition_write_up_save(actor=world.actor(world.ta_a), visit=first, text="short")
    assert exc.value.field == "write_up"
    services.transition_write_up_save(actor=world.actor(world.ta_a), visit=first,
                                      text="Alfie met his form tutor and found the library.")
    from keyworker.standards.obligations import obligations_refresh
    obligations_refresh(organisation_id=world.org.pk, family_ids={world.family_a.pk}, as_of=FIRST)
    [owed] = _obligations("SCH-10b", plan.child)
    assert owed.due_on == dt.date(2026, 12, 2) and owed.state != ObligationState.MET
    services.transition_write_up_share(actor=world.actor(world.ta_a), visit=first)
    [met] = _obligations("SCH-10b", plan.child)
    assert met.state == ObligationState.MET


def test_a_future_visit_cannot_be_written_up(world):
    plan = plan_for(world)
    v = visit(world, plan, FIRST)
    with pytest.raises(RuleViolation) as exc:
        services.transition_write_up_save(actor=world.actor(world.ta_a), visit=v, text="It went really well indeed.")
    assert exc.value.field == "write_up"


def test_a_visit_held_before_the_dates_were_shared_is_flagged(world, clock):
    plan = plan_for(world)
    visit(world, plan, FIRST)
    clock.move_to(at(FIRST, 14))
    view = selectors.plan_view(plan, at(FIRST, 14))
    assert view.visits[0].before_dates_shared
    assert view.flagged == 1


def test_evidence_rows_of_an_early_share_fall_every_week_back_from_the_first_visit(world):
    plan = plan_for(world)
    visit(world, plan, dt.date(2026, 12, 16))
    services.transition_dates_share(actor=world.actor(world.ta_a), plan=plan)
    rows = list(evidence.dates_shared(world.org.pk, dt.date(2026, 11, 1), dt.date(2026, 12, 31), {}))
    assert sorted(r.on for r in rows) == [TODAY, dt.date(2026, 11, 25), dt.date(2026, 12, 2), dt.date(2026, 12, 9)]


def test_the_cohort_lists_every_leaving_pupil_with_their_plan(world):
    year6(world.child_b)
    plan = plan_for(world)
    rows = selectors.cohort(world.actor(world.headteacher), TODAY, at(TODAY, 12))
    assert {r.child.pk for r in rows} == {world.child_a.pk, world.child_b.pk}
    assert next(r for r in rows if r.child.pk == world.child_a.pk).plan.plan == plan
    mine = selectors.cohort(world.actor(world.ta_a), TODAY, at(TODAY, 12))
    assert [r.child.pk for r in mine] == [world.child_a.pk]
