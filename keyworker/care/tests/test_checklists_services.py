"""The checklists' machinery and services: built-in and own items, ticks, the family's form, what is missing, the
day complete, bad input per field, scope, and the obligations CC-K1 and CC-K5 met from the records."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from keyworker.core.models import AuditEvent
from keyworker.enrolment.models import EnrolmentForm, FormState
from keyworker.people.models import Child
from keyworker.standards.models import OPEN_STATES, Obligation, ObligationState
from keyworker.testing import make_child, make_family

from ..checklists import checklists_for
from ..checklists_selectors import NEW_FOR_DAYS, started_between
from ..checklists_services import (
    FieldErrors,
    checklist_item_add,
    checklist_item_remove,
    checklist_tick,
    checklist_untick,
    introduction_setup_save,
)
from ..models_checklists import ChecklistItem, ChecklistKind, IntroductionSetup
from .checklists_helpers import MONDAY, TODAY, make_care

pytestmark = pytest.mark.django_db
ENROLMENT, INDUCTION = ChecklistKind.ENROLMENT, ChecklistKind.INDUCTION


def _enrolment(care):
    return checklists_for([care.child], ENROLMENT)[care.child.pk]


def _tick_all(world, care, kind, day=MONDAY):
    for state in checklists_for([care.child], kind)[care.child.pk].items:
        checklist_tick(actor=world.actor(care.key_person), child=care.child, kind=kind, item=state.item.code, done_on=day)


def test_a_new_child_has_the_built_in_items_all_missing(world):
    care = make_care(world)
    checklist = _enrolment(care)
    assert [s.item.code for s in checklist.missing] == ["paperwork", "allergies", "medical_needs", "outside_agencies",
                                                        "family_circumstances", "consents"]
    induction = checklists_for([care.child], INDUCTION)[care.child.pk]
    assert [s.item.label for s in induction.items] == ["Fire evacuation", "Tour of the spaces", "Snack"]
    assert not checklist.complete and checklist.completed_on is None


def test_ticking_every_item_completes_it_on_the_last_day(world, clock):
    care = make_care(world)
    actor = world.actor(care.key_person)
    for state in _enrolment(care).items[:-1]:
        checklist_tick(actor=actor, child=care.child, kind=ENROLMENT, item=state.item.code, done_on=MONDAY)
    assert [s.item.code for s in _enrolment(care).missing] == ["consents"]
    tick = checklist_tick(actor=actor, child=care.child, kind=ENROLMENT, item="consents", note="Paper form")
    assert tick.done_on == TODAY and tick.done_by == care.key_person
    checklist = _enrolment(care)
    assert checklist.complete and checklist.completed_on == TODAY
    checklist_untick(actor=actor, child=care.child, kind=ENROLMENT, item="consents")
    assert [s.item.code for s in _enrolment(care).missing] == ["consents"]


def test_the_familys_accepted_form_ticks_its_items(world):
    care = make_care(world)
    EnrolmentForm.objects.create(organisation=world.org, child=care.child, family=care.family, setting=care.nursery,
                                 state=FormState.ACCEPTED, accepted_on=TODAY, started_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
                                 updated_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    checklist = _enrolment(care)
    assert [s.item.code for s in checklist.missing] == ["paperwork"]
    allergies = checklist.state("allergies")
    assert allergies.from_family_form and allergies.done_on == TODAY


def test_a_form_not_yet_accepted_ticks_nothing(world):
    care = make_care(world)
    EnrolmentForm.objects.create(organisation=world.org, child=care.child, family=care.family, setting=care.nursery,
                                 state=FormState.SENT, started_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
                                 updated_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert len(_enrolment(care).missing) == 6


def test_the_settings_own_items_apply_to_children_who_start_after_they_were_added(world, clock):
    care = make_care(world)
    manager = world.actor(care.manager)
    funding = checklist_item_add(actor=manager, setting=care.nursery, kind=ENROLMENT, label="Funding form signed",
                                 as_of=dt.date(2026, 9, 1))
    checklist_item_add(actor=manager, setting=care.nursery, kind=INDUCTION, label="Nappy changing")  # today: too late
    assert _enrolment(care).missing[-1].item.label == "Funding form signed"
    assert [s.item.label for s in checklists_for([care.child], INDUCTION)[care.child.pk].items][-1] == "Snack"
    checklist_tick(actor=world.actor(care.key_person), child=care.child, kind=ENROLMENT, item=funding.code)
    assert _enrolment(care).state(funding.code).done
    checklist_item_remove(actor=manager, item=funding)
    assert _enrolment(care).state(funding.code) is None


def test_own_items_refused_per_field(world):
    care = make_care(world)
    manager = world.actor(care.manager)
    checklist_item_add(actor=manager, setting=care.nursery, kind=ENROLMENT, label="Funding form")
    with pytest.raises(FieldErrors) as caught:
        checklist_item_add(actor=manager, setting=care.nursery, kind=ENROLMENT, label="funding form", hint="x" * 301)
    assert set(caught.value.errors) == {"label", "hint"}
    with pytest.raises(FieldErrors) as caught:
        checklist_item_add(actor=manager, setting=care.nursery, kind=ENROLMENT, label="a")
    assert "Name the item" in caught.value.errors["label"]


def test_only_who_sets_the_setting_up_adds_items(world):
    care = make_care(world)
    with pytest.raises(PermissionDenied):
        checklist_item_add(actor=world.actor(care.key_person), setting=care.nursery, kind=ENROLMENT, label="Funding")
    with pytest.raises(PermissionDenied):
        checklist_item_add(actor=world.actor(care.assistant), setting=care.nursery, kind=ENROLMENT, label="Funding")
    with pytest.raises(Http404):
        checklist_item_add(actor=world.actor(world.outsider), setting=care.nursery, kind=ENROLMENT, label="Funding")
    row = introduction_setup_save(actor=world.actor(care.manager), setting=care.nursery, introduced_by="either")
    assert IntroductionSetup.objects.get(setting=care.nursery) == row


def test_bad_ticks_are_refused_per_field(world, clock):
    care = make_care(world)
    actor = world.actor(care.key_person)
    with pytest.raises(FieldErrors) as caught:
        checklist_tick(actor=actor, child=care.child, kind=ENROLMENT, item="nothing", done_on=TODAY + dt.timedelta(days=1),
                       note="x" * 501)
    assert set(caught.value.errors) == {"item", "done_on", "note"}
    assert "in the future" in caught.value.errors["done_on"]
    with pytest.raises(FieldErrors) as caught:
        checklist_tick(actor=actor, child=care.child, kind=ENROLMENT, item="paperwork", done_on=MONDAY - dt.timedelta(days=1))
    assert caught.value.errors["done_on"] == "The date is before Eli Evans started on Mon 16 November 2026."


def test_a_child_outside_the_actors_scope_does_not_exist(world):
    care = make_care(world)
    for staff in (world.outsider, care.other_room_staff, world.teacher_a):
        with pytest.raises(Http404):
            checklist_tick(actor=world.actor(staff), child=care.child, kind=ENROLMENT, item="paperwork")
    with pytest.raises(Http404):  # a school child keeps no checklist
        checklist_tick(actor=world.actor(world.headteacher), child=world.child_a, kind=ENROLMENT, item="paperwork")


def test_the_checklists_meet_cc_k1_and_cc_k5(world, clock):
    care = make_care(world, adopt=True)
    k1 = Obligation.objects.get(child=care.child, standard__clause="CC-K1")
    k5 = Obligation.objects.get(child=care.child, standard__clause="CC-K5")
    assert k1.state in OPEN_STATES and k1.due_on == dt.date(2026, 11, 23) and k1.responsible_staff == care.key_person
    assert k5.state in OPEN_STATES and k5.due_on == dt.date(2026, 11, 20)  # the Friday of the first week
    _tick_all(world, care, ENROLMENT)
    _tick_all(world, care, INDUCTION, TODAY)
    k1.refresh_from_db()
    k5.refresh_from_db()
    assert (k1.state, k1.met_on) == (ObligationState.MET, MONDAY)
    assert (k5.state, k5.met_on) == (ObligationState.MET, TODAY)
    assert k5.evidence_ref == f"checklist:induction:{care.child.pk}"


def _started_on(world, care, day):
    family = make_family(world.org)
    return make_child(family, care.nursery, care.room, enrolled_on=day, date_of_birth=dt.date(2024, 1, 1))


def test_an_item_is_asked_of_children_who_start_from_today_unless_the_manager_says(world, clock):
    care = make_care(world)
    funding = checklist_item_add(actor=world.actor(care.manager), setting=care.nursery, kind=ENROLMENT,
                                 label="Funding form signed")
    assert funding.added_on == funding.applies_from == TODAY
    assert _enrolment(care).state(funding.code) is None  # Eli started on Monday
    tomorrow = _started_on(world, care, TODAY + dt.timedelta(days=1))
    assert checklists_for([tomorrow], ENROLMENT)[tomorrow.pk].state(funding.code) is not None


def test_an_item_asked_of_the_children_who_started_in_the_window(world, clock):
    care = make_care(world)
    window = NEW_FOR_DAYS - 1  # today is the window's last day
    first = _started_on(world, care, TODAY - dt.timedelta(days=window))
    before = _started_on(world, care, TODAY - dt.timedelta(days=window + 1))
    left = _started_on(world, care, TODAY - dt.timedelta(days=20))
    left.left_on = TODAY - dt.timedelta(days=1)
    left.save()
    _tick_all(world, care, ENROLMENT)
    assert _enrolment(care).complete
    funding = checklist_item_add(actor=world.actor(care.manager), setting=care.nursery, kind=ENROLMENT,
                                 label="Funding form signed", include_started=True)
    assert (funding.added_on, funding.applies_from) == (TODAY, TODAY - dt.timedelta(days=window))
    lists = checklists_for([care.child, first, before, care.club_child], ENROLMENT)
    # Eli's complete checklist is now missing the new item.
    assert not lists[care.child.pk].complete and lists[care.child.pk].completed_on is None
    assert [s.item.label for s in lists[care.child.pk].missing] == ["Funding form signed"]
    assert lists[first.pk].state(funding.code) is not None
    # Before the window, and another setting: untouched.
    assert lists[before.pk].state(funding.code) is None and lists[care.club_child.pk].state(funding.code) is None
    event = AuditEvent.objects.get(event_type="checklist.item_added")
    assert event.data == {"applies_from": (TODAY - dt.timedelta(days=window)).isoformat(), "families_started": 2}
    assert "asked also of the children who started from Thu 8 October 2026" in event.summary
    assert started_between(Child.objects.filter(setting=care.nursery), funding.applies_from, TODAY).count() == 2


def test_an_item_asked_of_children_started_already_reopens_an_obligation_still_open(world, clock):
    """As when a tick is taken back: the checklist is not complete any more, and the child's obligation, still open
    (due on Monday 23 November), is not met until the new item is ticked."""
    care = make_care(world, adopt=True)
    _tick_all(world, care, ENROLMENT)
    k1 = Obligation.objects.get(child=care.child, standard__clause="CC-K1")
    assert (k1.state, k1.met_on) == (ObligationState.MET, MONDAY)
    funding = checklist_item_add(actor=world.actor(care.manager), setting=care.nursery, kind=ENROLMENT,
                                 label="Funding form", include_started=True)
    k1.refresh_from_db()
    assert k1.state in OPEN_STATES and k1.met_on is None and k1.due_on == dt.date(2026, 11, 23)
    checklist_tick(actor=world.actor(care.key_person), child=care.child, kind=ENROLMENT, item=funding.code)
    k1.refresh_from_db()
    assert (k1.state, k1.met_on) == (ObligationState.MET, TODAY)


def test_only_who_sets_the_setting_up_asks_an_item_of_children_started_already(world):
    care = make_care(world)
    with pytest.raises(PermissionDenied):
        checklist_item_add(actor=world.actor(care.key_person), setting=care.nursery, kind=ENROLMENT, label="Funding",
                           include_started=True)
    with pytest.raises(Http404):
        checklist_item_add(actor=world.actor(world.outsider), setting=care.nursery, kind=ENROLMENT, label="Funding",
                           include_started=True)
    assert not ChecklistItem.objects.exists()
