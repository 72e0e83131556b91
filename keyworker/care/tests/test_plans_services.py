"""The care plan services: versions (nothing overwritten), reviews with whom the child chose, refused input with a
message per field, carers' comments and requests, and the evidence the standards engine reads."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.organisations.models import Jurisdiction, SettingKind
from keyworker.people.models import Carer
from keyworker.testing import make_staff

from ..models_plans import CarePlan, CarePlanSetup, CarePlanVersion, ChildChose
from ..plans_evidence import reviews_child_chose, reviews_done
from ..plans_selectors import child_plan, review_days
from ..plans_services import (
    FieldErrors,
    care_plan_comment_add,
    care_plan_review_record,
    care_plan_save,
    care_plan_setup_save,
)
from .plans_helpers import SECTIONS, make_club

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 18)


def _plan(world, club, on=dt.date(2026, 9, 10)):
    return care_plan_save(actor=world.actor(club.key_contact), child=club.child, sections=SECTIONS, as_of=on)


def test_each_save_is_a_new_version_and_nothing_is_overwritten(world):
    club = make_club(world)
    first = _plan(world, club)
    second = care_plan_save(actor=world.actor(club.manager), child=club.child,
                            sections={**SECTIONS, "interests": "Football and chess"}, summary="Chess club")
    plan = CarePlan.objects.get(child=club.child)
    assert (first.number, second.number, plan.current_id) == (1, 2, second.pk)
    assert CarePlanVersion.objects.get(pk=first.pk).interests == "Football"
    assert second.saved_by_name == club.manager.user.full_name
    with pytest.raises(RuleViolation) as exc:
        care_plan_save(actor=world.actor(club.manager), child=club.child, sections={**SECTIONS, "interests": "Football and chess"})
    assert exc.value.rule == "unchanged"


def test_saving_asks_for_the_right_to_edit_and_a_child_in_scope(world):
    club = make_club(world)
    with pytest.raises(Http404):
        care_plan_save(actor=world.actor(world.outsider), child=club.child, sections=SECTIONS)
    with pytest.raises(Http404):  # a teacher of the school does not see the club's children
        care_plan_save(actor=world.actor(world.teacher_a), child=club.child, sections=SECTIONS)
    with pytest.raises(FieldErrors) as exc:
        care_plan_save(actor=world.actor(club.key_contact), child=club.child, sections={"health": "x" * 5000})
    assert "health" in exc.value.as_dict()


def test_a_review_by_the_staff_member_the_child_chose_changes_the_plan(world):
    club = make_club(world)
    _plan(world, club)
    review = care_plan_review_record(
        actor=world.actor(club.key_contact), child=club.child, reviewed_on=dt.date(2026, 11, 16),
        child_chose=ChildChose.STAFF, chosen_staff=club.other_staff, done_by=club.other_staff, notes="At snack",
        sections={**SECTIONS, "routines": "Snack at 4, then homework"}, summary="Homework")
    plan = CarePlan.objects.get(child=club.child)
    assert review.plan_changed and review.version.number == 2 and plan.current_id == review.version_id
    assert plan.last_reviewed_on == dt.date(2026, 11, 16)
    unchanged = care_plan_review_record(actor=world.actor(club.manager), child=club.child, reviewed_on=TODAY,
                                        child_chose=ChildChose.NOT_RECORDED, sections=None)
    assert not unchanged.plan_changed and unchanged.done_by == club.manager
    assert CarePlanVersion.objects.filter(plan=plan).count() == 2


def test_a_review_refuses_bad_dates_and_staff_of_another_setting_with_a_message_per_field(world):
    club = make_club(world)
    _plan(world, club, on=dt.date(2026, 10, 1))
    elsewhere = make_staff(world.org, world.school, ["teacher"], name="Not Of The Club")
    with pytest.raises(FieldErrors) as exc:
        care_plan_review_record(actor=world.actor(club.key_contact), child=club.child, reviewed_on=dt.date(2026, 11, 19),
                                child_chose=ChildChose.STAFF, chosen_staff=elsewhere, done_by=elsewhere)
    errors = exc.value.as_dict()
    assert "future" in errors["reviewed_on"][0]
    assert "chosen_staff" in errors and "done_by" in errors
    with pytest.raises(FieldErrors) as exc:
        care_plan_review_record(actor=world.actor(club.key_contact), child=club.child, reviewed_on=dt.date(2026, 9, 20),
                                child_chose=ChildChose.STAFF)
    errors = exc.value.as_dict()
    assert "1/10/2026" in errors["reviewed_on"][0] and errors["chosen_staff"] == ["Choose the staff member the child chose."]


def test_a_review_needs_a_plan(world):
    club = make_club(world)
    with pytest.raises(RuleViolation) as exc:
        care_plan_review_record(actor=world.actor(club.key_contact), child=club.child, reviewed_on=TODAY,
                                child_chose=ChildChose.KEY_WORKER)
    assert exc.value.rule == "no_plan"


def test_a_carer_asks_for_a_review_the_key_contact_is_told_and_a_review_answers_it(world):
    from keyworker.notifications.models import Notification

    club = make_club(world)
    _plan(world, club)
    care_plan_review_record(actor=world.actor(club.key_contact), child=club.child, reviewed_on=dt.date(2026, 10, 1),
                            child_chose=ChildChose.KEY_WORKER)
    comment = care_plan_comment_add(link=club.carer, child=club.child, body="Please look at the sleep routine",
                                    asks_review=True)
    assert comment.version_number == 1
    plan = CarePlan.objects.get(child=club.child)
    assert plan.review_requested_on == TODAY
    due = child_plan(club.child, TODAY).due
    assert (due.on, due.rule) == (TODAY + dt.timedelta(days=14), "request")
    assert Notification.objects.filter(recipient=club.key_contact.user, kind="care_plan_comment").exists()
    review = care_plan_review_record(actor=world.actor(club.key_contact), child=club.child, reviewed_on=TODAY,
                                     child_chose=ChildChose.KEY_WORKER)
    comment.refresh_from_db()
    plan.refresh_from_db()
    assert comment.answered_by_id == review.pk and plan.review_requested_on is None


def test_carers_outside_the_family_or_with_limited_access_cannot_comment(world):
    club = make_club(world)
    other = make_club(world, name="Other Club")
    _plan(world, club)
    _plan(world, other)
    with pytest.raises(Http404):
        care_plan_comment_add(link=other.carer, child=club.child, body="Hello")
    with pytest.raises(Http404):
        care_plan_comment_add(link=club.no_pr, child=club.child, body="Hello")
    with pytest.raises(RuleViolation) as exc:
        care_plan_comment_add(link=club.carer, child=club.child, body=" ")
    assert exc.value.field == "body"
    Carer.objects.filter(pk=club.carer.pk).update(contact_restriction="information_only")
    club.carer.refresh_from_db()
    with pytest.raises(Http404):
        care_plan_comment_add(link=club.carer, child=club.child, body="Hello")


def test_a_significant_change_in_scotland_asks_for_a_review_within_14_days(world):
    club = make_club(world)
    _plan(world, club)
    care_plan_review_record(actor=world.actor(club.key_contact), child=club.child, reviewed_on=dt.date(2026, 10, 1),
                            child_chose=ChildChose.KEY_WORKER)
    care_plan_save(actor=world.actor(club.key_contact), child=club.child, significant_change=True,
                   sections={**SECTIONS, "health": "Diagnosed with type 1 diabetes"})
    due = child_plan(club.child, TODAY).due
    assert (due.on, due.rule) == (dt.date(2026, 12, 2), "significant_change")


def test_evidence_counts_reviews_and_only_those_recording_the_childs_choice_for_cc_c1(world):
    club = make_club(world)
    nursery = make_club(world, kind=SettingKind.EARLY_YEARS, jurisdiction=Jurisdiction.ENGLAND, name="Acorns")
    _plan(world, club)
    _plan(world, nursery)
    chose = care_plan_review_record(actor=world.actor(club.key_contact), child=club.child, reviewed_on=dt.date(2026, 11, 2),
                                    child_chose=ChildChose.STAFF, chosen_staff=club.other_staff)
    care_plan_review_record(actor=world.actor(nursery.key_contact), child=nursery.child, reviewed_on=dt.date(2026, 11, 3),
                            child_chose=ChildChose.NOT_RECORDED)
    start, end = dt.date(2026, 9, 1), dt.date(2026, 12, 31)
    assert {r.child_id for r in reviews_done(world.org.pk, start, end, {})} == {club.child.pk, nursery.child.pk}
    rows = list(reviews_child_chose(world.org.pk, start, end, {}))
    assert [(r.child_id, r.on, r.ref) for r in rows] == [(club.child.pk, dt.date(2026, 11, 2), f"care-plan-review:{chose.pk}")]
    assert list(reviews_done(world.org.pk, start, end, {}, families={nursery.family.pk}))[0].child_id == nursery.child.pk
    assert list(reviews_done(world.other_org.pk, start, end, {})) == []


def test_only_staff_who_may_see_the_child_record_a_review(world):
    club = make_club(world)
    _plan(world, club)
    with pytest.raises(Http404):
        care_plan_review_record(actor=world.actor(world.outsider), child=club.child, reviewed_on=TODAY,
                                child_chose=ChildChose.KEY_WORKER)
    # The key contact sees the child and records the review the other practitioner did with them.
    review = care_plan_review_record(actor=world.actor(club.key_contact), child=club.child, reviewed_on=TODAY,
                                     child_chose=ChildChose.STAFF, chosen_staff=club.other_staff, done_by=club.other_staff)
    assert review.recorded_by == club.key_contact and review.done_by == club.other_staff


def _asked(world, club):
    _plan(world, club)
    care_plan_review_record(actor=world.actor(club.key_contact), child=club.child, reviewed_on=dt.date(2026, 10, 1),
                            child_chose=ChildChose.KEY_WORKER)
    care_plan_comment_add(link=club.carer, child=club.child, body="Please look at the sleep routine", asks_review=True)


def test_a_setting_chooses_7_days_for_a_request_and_another_keeps_14(world):
    club, other = make_club(world), make_club(world, name="Other Club")
    _asked(world, club)
    _asked(world, other)
    row = care_plan_setup_save(actor=world.actor(club.manager), setting=club.setting, request_days=7, change_days="3")
    assert (row.request_days, row.change_days, row.updated_by) == (7, 3, club.manager)
    due = child_plan(club.child, TODAY).due
    assert (due.on, due.rule) == (TODAY + dt.timedelta(days=7), "request")
    assert due.rule_label == "the family asked for a review (within 7 days of asking)"
    kept = child_plan(other.child, TODAY).due
    assert (kept.on, kept.rule_label) == (TODAY + dt.timedelta(days=14),
                                          "the family asked for a review (within 14 days of asking)")
    event = AuditEvent.objects.get(event_type="care_plan.setup")
    assert event.summary == ("Care plan reviews at Thistle Club: within 7 days of a family's request, within 3 days "
                             "of a significant change")
    assert event.data == {"request_days": [14, 7], "change_days": [14, 3]}
    days = review_days(setting_ids=[club.setting.pk, other.setting.pk])
    assert (days[club.setting.pk].request, days[other.setting.pk].request) == (7, 14)
    assert review_days(organisation_id=world.org.pk)[club.setting.pk].change == 3


def test_a_significant_change_within_the_days_the_setting_chose(world):
    club = make_club(world)
    _plan(world, club)
    care_plan_review_record(actor=world.actor(club.key_contact), child=club.child, reviewed_on=dt.date(2026, 10, 1),
                            child_chose=ChildChose.KEY_WORKER)
    care_plan_setup_save(actor=world.actor(club.manager), setting=club.setting, request_days=14, change_days=5)
    care_plan_save(actor=world.actor(club.key_contact), child=club.child, significant_change=True,
                   sections={**SECTIONS, "health": "Diagnosed with type 1 diabetes"})
    due = child_plan(club.child, TODAY).due
    assert (due.on, due.rule) == (dt.date(2026, 11, 23), "significant_change")
    assert due.rule_label == "a significant change (within 5 days, Scotland's personal plan rule)"


@pytest.mark.parametrize(("request_days", "change_days"), [(0, 29), ("seven", ""), (-1, 3.5), (None, True)])
def test_review_days_out_of_range_or_not_a_number_are_refused_per_field(world, request_days, change_days):
    club = make_club(world)
    with pytest.raises(FieldErrors) as caught:
        care_plan_setup_save(actor=world.actor(club.manager), setting=club.setting, request_days=request_days,
                             change_days=change_days)
    assert set(caught.value.errors) == {"request_days", "change_days"}
    assert caught.value.errors["request_days"] == "Enter a whole number of days from 1 to 28, for example 14."
    assert not CarePlanSetup.objects.exists()
    for good in (1, 28):
        assert care_plan_setup_save(actor=world.actor(club.manager), setting=club.setting, request_days=good,
                                    change_days=good).request_days == good


def test_outside_scotland_the_significant_change_days_stay_as_they_were(world):
    nursery = make_club(world, kind=SettingKind.EARLY_YEARS, jurisdiction=Jurisdiction.ENGLAND, name="Oak Nursery")
    row = care_plan_setup_save(actor=world.actor(nursery.manager), setting=nursery.setting, request_days="10")
    assert (row.request_days, row.change_days) == (10, 14)
    assert "significant" not in AuditEvent.objects.get(event_type="care_plan.setup").summary


def test_only_who_sets_up_the_setting_chooses_its_review_days(world):
    club = make_club(world)
    for staff in (club.key_contact, club.other_staff):
        with pytest.raises(PermissionDenied):
            care_plan_setup_save(actor=world.actor(staff), setting=club.setting, request_days=7, change_days=7)
    with pytest.raises(Http404):
        care_plan_setup_save(actor=world.actor(world.outsider), setting=club.setting, request_days=7, change_days=7)
    with pytest.raises(Http404):  # a school keeps no care plans
        care_plan_setup_save(actor=world.actor(world.headteacher), setting=world.school, request_days=7)
    assert not CarePlanSetup.objects.exists()
