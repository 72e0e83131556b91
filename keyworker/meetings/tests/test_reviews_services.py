"""Annual review services and their obligations through the standards engine (SCH-R1..R7, SCH-7)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from keyworker.core.audit import AuditEvent  # noqa: F401 - the audit model, checked below
from keyworker.core.errors import RuleViolation
from keyworker.standards.models import Obligation, ObligationState
from keyworker.standards.services import policy_adopt_builtin

from .. import reviews
from ..models import AnnualReview, AppointmentKind, AppointmentStatus, FamilyViewsState, InviteeRole
from .review_helpers import LAST_REVIEW, MEETING, TODAY, book, booked, ehcp, open_review

pytestmark = pytest.mark.django_db


def _adopt(world):
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=TODAY)


def _obligation(clause, child):
    return Obligation.objects.filter(standard__clause=clause, child=child).order_by("-due_on").first()


def test_opening_a_review_sets_the_date_due_and_all_about_my_family_not_started(world):
    review = open_review(world)
    assert review.due_by == dt.date(2026, 12, 10)
    assert review.family_views.state == FamilyViewsState.NOT_STARTED


def test_only_a_leader_opens_a_review_and_only_for_a_child_with_an_ehcp(world):
    with pytest.raises(PermissionDenied):
        reviews.review_open(actor=world.actor(world.ta_a), child=ehcp(world.child_a), last_review_on=LAST_REVIEW)
    with pytest.raises(RuleViolation) as exc:
        reviews.review_open(actor=world.actor(world.headteacher), child=world.child_b, last_review_on=LAST_REVIEW)
    assert exc.value.field == "child"
    with pytest.raises(Http404):
        reviews.review_open(actor=world.actor(world.outsider), child=world.child_a, last_review_on=LAST_REVIEW)


def test_booking_the_meeting_makes_an_annual_review_appointment_with_the_family_invited(world):
    review = booked(world)
    a = review.appointment
    assert a.kind == AppointmentKind.ANNUAL_REVIEW and a.child_id == world.child_a.pk and a.family_id == world.family_a.pk
    assert {i.role for i in a.invitees.all()} == {InviteeRole.FAMILY}
    moved = book(world, review, MEETING + dt.timedelta(days=1))
    assert moved.appointment.pk == a.pk and moved.appointment.sequence == 1


def test_the_steps_and_their_states(world):
    review = booked(world)
    steps = {s.code: s for s in reviews.review_steps(review, TODAY)}
    assert steps["invitations"].due_on == dt.date(2026, 11, 16) and steps["invitations"].state == "overdue"
    assert steps["held"].due_on == dt.date(2026, 12, 10) and steps["report"].state == "waiting"
    review = reviews.review_step_mark(actor=world.actor(world.ta_a), review=review, step="invitations", on=dt.date(2026, 11, 10))
    assert {s.code: s for s in reviews.review_steps(review, TODAY)}["invitations"].state == "done"
    with pytest.raises(RuleViolation) as exc:
        reviews.review_step_mark(actor=world.actor(world.ta_a), review=review, step="report")
    assert exc.value.rule == "not_held"
    with pytest.raises(RuleViolation) as exc:
        reviews.review_step_mark(actor=world.actor(world.ta_a), review=review, step="held", on=TODAY + dt.timedelta(days=1))
    assert exc.value.field == "on"


def test_a_teacher_of_another_class_may_not_record_steps(world):
    review = booked(world)
    with pytest.raises((PermissionDenied, Http404)):
        reviews.review_step_mark(actor=world.actor(world.teacher_b), review=review, step="papers")


def test_the_engine_owes_each_step_and_meets_it(world, clock):
    _adopt(world)
    review = booked(world)
    for clause in ("SCH-R1", "SCH-R2", "SCH-R3", "SCH-R4"):
        assert _obligation(clause, world.child_a) is not None, clause
    r1 = _obligation("SCH-R1", world.child_a)
    assert r1.due_on == dt.date(2026, 12, 10) and r1.standard.responsible == "manager"
    assert _obligation("SCH-R2", world.child_a).due_on == dt.date(2026, 11, 16)
    assert _obligation("SCH-R2", world.child_a).state == ObligationState.OVERDUE
    assert _obligation("SCH-R5", world.child_a) is None  # no meeting held yet

    ta = world.actor(world.ta_a)
    review = reviews.review_step_mark(actor=ta, review=review, step="invitations", on=dt.date(2026, 11, 2))  # 4 weeks ahead
    review = reviews.review_step_mark(actor=ta, review=review, step="papers", on=dt.date(2026, 11, 16))
    review = reviews.review_key_worker_invite(actor=ta, review=review)
    assert _obligation("SCH-R2", world.child_a).state == ObligationState.MET
    assert _obligation("SCH-R3", world.child_a).state == ObligationState.MET
    assert _obligation("SCH-R4", world.child_a).met_late  # invited on 18 November, after the 16th
    assert review.appointment.invitees.filter(role=InviteeRole.KEY_WORKER, staff=world.ta_a).exists()

    clock.move_to(dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC))
    review = reviews.review_step_mark(actor=ta, review=review, step="held")
    assert review.appointment.status == AppointmentStatus.HELD
    r1 = Obligation.objects.get(standard__clause="SCH-R1", child=world.child_a, due_on=dt.date(2026, 12, 10))
    assert r1.state == ObligationState.MET
    # The next cycle opens itself: due 12 months after the meeting, and the engine owes it.
    nxt = AnnualReview.objects.get(child=world.child_a, last_review_on=dt.date(2026, 11, 30))
    assert nxt.due_by == dt.date(2027, 11, 30) and nxt.family_views.state == FamilyViewsState.NOT_STARTED
    assert _obligation("SCH-R1", world.child_a).due_on == dt.date(2027, 11, 30)
    r5 = _obligation("SCH-R5", world.child_a)
    assert r5.due_on == dt.date(2026, 12, 14) and r5.state != ObligationState.MET
    clock.move_to(dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC))
    reviews.review_step_mark(actor=ta, review=review, step="report")
    assert _obligation("SCH-R5", world.child_a).state == ObligationState.MET


def test_a_phase_transfer_year_owes_a_review_by_15_february_and_post_16_by_31_march(world):
    _adopt(world)
    ehcp(world.child_a, year_group="Year 6")
    open_review(world, world.child_a)
    ehcp(world.child_b, year_group="Year 11")
    reviews.review_open(actor=world.actor(world.headteacher), child=world.child_b, last_review_on=LAST_REVIEW)
    assert _obligation("SCH-R6", world.child_a).due_on == dt.date(2027, 2, 15)
    assert _obligation("SCH-R7", world.child_b).due_on == dt.date(2027, 3, 31)
    assert _obligation("SCH-R6", world.child_b) is None and _obligation("SCH-R7", world.child_a) is None


def test_the_booklet_shared_meets_sch7_and_records_who_and_when(world):
    _adopt(world)
    review = booked(world)
    assert _obligation("SCH-7", world.child_a).state != ObligationState.MET
    review = reviews.review_booklet_share(actor=world.actor(world.ta_a), review=review, shared_with="Mum, at the review")
    assert review.booklet_shared_by == world.ta_a.user and review.booklet_shared_with == "Mum, at the review"
    sch7 = _obligation("SCH-7", world.child_a)
    assert sch7.state == ObligationState.MET and sch7.evidence_ref == f"annualreview:{review.pk}:booklet"
    with pytest.raises(RuleViolation) as exc:
        reviews.review_booklet_share(actor=world.actor(world.ta_a), review=review, shared_with=" ")
    assert exc.value.field == "shared_with"


def test_all_about_my_family_moves_from_not_started_to_in_progress_to_done(world):
    review = booked(world)
    actor = world.actor(world.ta_a)
    with pytest.raises(RuleViolation) as exc:
        reviews.family_views_save(actor=actor, review=review, answers=reviews.Answers(), done=True)
    assert exc.value.field == "going_well"
    views = reviews.family_views_save(actor=actor, review=review, answers=reviews.Answers(going_well="Swimming"), done=False)
    assert views.state == FamilyViewsState.IN_PROGRESS and views.written_by == "staff"
    views = reviews.family_views_save(actor=actor, review=review, answers=reviews.Answers(going_well="Swimming"), done=True)
    assert views.state == FamilyViewsState.DONE and views.done_at is not None
    with pytest.raises(RuleViolation) as exc:
        reviews.family_views_save(actor=actor, review=review, answers=reviews.Answers(hard="x" * 3001), done=False)
    assert exc.value.field == "hard"


def test_the_family_is_told_when_the_review_meeting_is_booked_and_moved_with_no_detail_beyond_time_and_place(world):
    from django.core import mail

    from keyworker.notifications.models import Notification
    from keyworker.testing import carer_account

    carer = world.family_a.carers.first()
    carer_account(carer, "adams@example.org")
    review = book(world, open_review(world))
    [told] = Notification.objects.filter(recipient__email="adams@example.org")
    assert told.subject.startswith("An appointment at") and "Meeting room 2" in told.body and told.link == "/family/appointments/"
    book(world, review, day=MEETING + dt.timedelta(days=1))
    subjects = list(Notification.objects.filter(recipient__email="adams@example.org").values_list("subject", flat=True))
    assert len(subjects) == 2 and any(s.startswith("Change of time or place") for s in subjects)
    assert all("EHCP" not in n.body and "Alfie" not in n.body for n in Notification.objects.all() if n.recipient.email == "adams@example.org")
    assert mail.outbox == [] or all("Alfie" not in m.body for m in mail.outbox)


# A child with an EHCP and no review cycle opened -------------------------------------------------------------------------


def _run(world, as_of=TODAY):
    from keyworker.standards.engine import recompute

    recompute(organisation_id=world.org.pk, as_of=as_of)


def test_a_child_with_an_ehcp_and_no_cycle_owes_the_review_12_months_after_the_plan_was_issued(world):
    _adopt(world)
    ehcp(world.child_a, ehcp_issued_on=dt.date(2025, 12, 10))
    _run(world)
    r1 = _obligation("SCH-R1", world.child_a)
    assert r1 is not None and r1.due_on == dt.date(2026, 12, 10) and r1.state == ObligationState.DUE_SOON
    assert r1.subject_key.endswith(f"@ehcp:{world.child_a.pk}")
    # Opened from the same date, the cycle carries on the same obligation (not a second one beside it) ...
    review = open_review(world, world.child_a, last=dt.date(2025, 12, 10))
    assert Obligation.objects.filter(standard__clause="SCH-R1", child=world.child_a).count() == 1
    assert _obligation("SCH-R1", world.child_a).pk == r1.pk
    # ... and its meeting held meets it.
    review = book(world, review, day=dt.date(2026, 11, 17))
    reviews.review_step_mark(actor=world.actor(world.ta_a), review=review, step="held", on=dt.date(2026, 11, 17))
    r1.refresh_from_db()
    assert r1.state == ObligationState.MET


def test_the_later_of_the_plan_issued_and_its_last_review_counts(world):
    _adopt(world)
    ehcp(world.child_a, ehcp_issued_on=dt.date(2023, 3, 1), ehcp_last_reviewed_on=dt.date(2026, 1, 20))
    _run(world)
    assert _obligation("SCH-R1", world.child_a).due_on == dt.date(2027, 1, 20)


def test_no_date_known_owes_nothing_made_up(world):
    _adopt(world)
    ehcp(world.child_a)
    _run(world)
    assert _obligation("SCH-R1", world.child_a) is None


def test_a_cycle_opened_from_another_date_replaces_the_obligation_not_yet_due(world):
    _adopt(world)
    ehcp(world.child_a, ehcp_issued_on=dt.date(2025, 12, 10))
    _run(world)
    open_review(world, world.child_a, last=dt.date(2026, 1, 5))
    _run(world)
    owed = list(Obligation.objects.filter(standard__clause="SCH-R1", child=world.child_a))
    assert [o.due_on for o in owed] == [dt.date(2027, 1, 5)]


def test_compliance_counts_the_review_owed_and_overdue(world):
    from keyworker.standards.compliance import compliance_figures

    # Adopted in September: the policy asks nothing of periods that ended before it was adopted.
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=dt.date(2026, 9, 1))
    ehcp(world.child_a, ehcp_issued_on=dt.date(2025, 11, 2))  # due Monday 2 November 2026: overdue
    _run(world)
    r1 = _obligation("SCH-R1", world.child_a)
    assert r1.due_on == dt.date(2026, 11, 2) and r1.state == ObligationState.MISSED  # 10 school days on: closed
    figures = compliance_figures(Obligation.objects.filter(organisation=world.org), [world.school], TODAY)
    [row] = [r for r in figures["standards"] if r["clause"] == "SCH-R1"]
    assert (row["due"], row["met"], row["missed"]) == (1, 0, 1)


def test_the_dates_on_the_childs_record_are_checked_per_field(world):
    from keyworker.people.services import child_update

    actor = world.actor(world.headteacher)
    with pytest.raises(RuleViolation) as exc:
        child_update(actor=actor, child=world.child_a, has_ehcp=True, ehcp_issued_on=TODAY + dt.timedelta(days=1))
    assert exc.value.field == "ehcp_issued_on"
    with pytest.raises(RuleViolation) as exc:
        child_update(actor=actor, child=world.child_a, has_ehcp=True, ehcp_issued_on=dt.date(2025, 5, 1),
                     ehcp_last_reviewed_on=dt.date(2025, 4, 1))
    assert exc.value.field == "ehcp_last_reviewed_on"
