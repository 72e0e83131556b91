import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from keyworker.core import clock
from keyworker.standards.evidence import evidence_source
from keyworker.targets import services
from keyworker.targets.models import HomeworkReturn, LearningTarget, ShareMethod, TargetStatus
from keyworker.testing import make_child, make_family

from .helpers import homework, target

pytestmark = pytest.mark.django_db


def test_class_team_sets_a_target(world):
    t = target(world)
    assert t.family_id == world.family_a.pk and t.status == TargetStatus.WORKING and t.shared_on is None


def test_teaching_assistant_and_leader_set_targets_but_another_class_teacher_may_not(world):
    target(world)
    services.target_create(actor=world.actor(world.ta_a), child=world.child_a, what="Count in twos",
                           review_on=clock.today() + dt.timedelta(days=20))
    services.target_create(actor=world.actor(world.headteacher), child=world.child_a, what="Count in fives",
                           review_on=clock.today() + dt.timedelta(days=20))
    with pytest.raises((PermissionDenied, Http404)):
        services.target_create(actor=world.actor(world.teacher_b), child=world.child_a, what="No",
                               review_on=clock.today() + dt.timedelta(days=20))


def test_outsider_finds_no_child(world):
    with pytest.raises(Http404):
        services.target_create(actor=world.actor(world.outsider), child=world.child_a, what="x",
                               review_on=clock.today() + dt.timedelta(days=20))


def test_a_target_without_review_date_is_refused_per_field(world):
    with pytest.raises(services.FieldErrors) as exc:
        services.target_create(actor=world.actor(world.teacher_a), child=world.child_a, what="", review_on=None)
    errors = exc.value.as_dict()
    assert "review" in errors["review_on"][0] and errors["what"] == ["Write the target."]


def test_review_date_in_the_past_is_refused(world):
    with pytest.raises(services.FieldErrors) as exc:
        target(world, review_on=clock.today() - dt.timedelta(days=1))
    assert "past" in exc.value.as_dict()["review_on"][0]


def test_review_keeps_a_progress_note_and_moves_the_review_date(world):
    t = target(world)
    nxt = clock.today() + dt.timedelta(days=40)
    services.target_review(actor=world.actor(world.ta_a), target=t, progress="Reads five pages now", status=TargetStatus.WORKING,
                           next_review_on=nxt)
    t.refresh_from_db()
    assert t.review_on == nxt and t.reviews.count() == 1
    services.target_review(actor=world.actor(world.ta_a), target=t, progress="Done", status=TargetStatus.ACHIEVED)
    t.refresh_from_db()
    assert t.status == TargetStatus.ACHIEVED
    with pytest.raises(services.RuleViolation):
        services.target_review(actor=world.actor(world.ta_a), target=t, progress="Again", status=TargetStatus.ACHIEVED)


def test_review_still_working_needs_a_next_date(world):
    t = target(world)
    with pytest.raises(services.FieldErrors) as exc:
        services.target_review(actor=world.actor(world.ta_a), target=t, progress="", status=TargetStatus.WORKING)
    assert set(exc.value.as_dict()) == {"progress", "next_review_on"}


def test_sharing_is_the_sch8_evidence_and_opens_the_targets_to_the_family(world):
    t = target(world)
    target(world, what="Stopped one")
    sharing = services.targets_share(actor=world.actor(world.ta_a), child=world.child_a, method=ShareMethod.PAPER, note="Book bag")
    assert sharing.targets.count() == 2
    t.refresh_from_db()
    assert t.shared_on == clock.today()
    rows = list(evidence_source("targets_shared").fetch(world.org.pk, clock.today(), clock.today(), {}))
    assert [(r.family_id, r.child_id, r.on) for r in rows] == [(world.family_a.pk, world.child_a.pk, clock.today())]


def test_sharing_without_targets_is_refused(world):
    with pytest.raises(services.RuleViolation):
        services.targets_share(actor=world.actor(world.teacher_a), child=world.child_a, method=ShareMethod.PORTAL)


def test_sharing_needs_a_method(world):
    target(world)
    with pytest.raises(services.FieldErrors) as exc:
        services.targets_share(actor=world.actor(world.teacher_a), child=world.child_a, method="pigeon")
    assert "method" in exc.value.as_dict()


def test_key_worker_of_another_class_may_share_but_not_set(world):
    # teacher_b is the key worker of family_b; child_b is in class B. A key worker in class A may share for family_a.
    child = make_child(world.family_b, world.school, world.class_a, legal_first_name="Bo")
    target(world, child=child)
    services.targets_share(actor=world.actor(world.teacher_b), child=child, method=ShareMethod.MEETING)
    with pytest.raises(PermissionDenied):
        services.target_create(actor=world.actor(world.teacher_b), child=child, what="x", review_on=clock.today() + dt.timedelta(days=3))


def test_homework_due_before_it_was_set_is_refused(world):
    with pytest.raises(services.FieldErrors) as exc:
        homework(world, due_on=clock.today() - dt.timedelta(days=1))
    assert "before it was set" in exc.value.as_dict()["due_on"][0]


def test_homework_for_a_child_outside_the_class_is_refused(world):
    with pytest.raises(services.FieldErrors) as exc:
        homework(world, group=world.class_a, child=world.child_b, by=world.headteacher)
    assert "not in Ash" in exc.value.as_dict()["child"][0]
    with pytest.raises(Http404):  # the class teacher does not see a child of another class at all
        homework(world, group=world.class_a, child=world.child_b)


def test_returns_and_feedback(world):
    hw = homework(world)
    other = make_child(make_family(world.org), world.school, world.class_a, legal_first_name="Dan")
    services.homework_returns_mark(actor=world.actor(world.ta_a), homework=hw, returned={world.child_a.pk: True, other.pk: False})
    assert dict(HomeworkReturn.objects.values_list("child_id", "returned")) == {world.child_a.pk: True, other.pk: False}
    services.homework_feedback_give(actor=world.actor(world.teacher_a), homework=hw, child_id=world.child_a.pk, feedback="Lovely work")
    assert HomeworkReturn.objects.get(child=world.child_a).feedback == "Lovely work"
    with pytest.raises(services.FieldErrors):
        services.homework_returns_mark(actor=world.actor(world.ta_a), homework=hw, returned={world.child_b.pk: True})
    with pytest.raises(PermissionDenied):
        services.homework_returns_mark(actor=world.actor(world.teacher_b), homework=hw, returned={world.child_a.pk: True})


def test_homework_for_one_child(world):
    hw = homework(world, child=world.child_a)
    assert hw.child_id == world.child_a.pk and hw.group_id is None


def test_editing_from_an_old_version_is_a_conflict(world):
    from keyworker.core.conflicts import EditConflict

    t = target(world)
    services.target_update(actor=world.actor(world.teacher_a), target=t, changes={"what": "New words"}, version=1)
    with pytest.raises(EditConflict):
        services.target_update(actor=world.actor(world.ta_a), target=LearningTarget.objects.get(pk=t.pk),
                               changes={"what": "Other words"}, version=1)
