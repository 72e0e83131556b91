"""Enrolment form services: the carer saves and sends; staff accept into the key aspects (with their history) or ask
for changes; CC-P1 is met on the day accepted; the carer's contact preference applies at once."""

import datetime as dt

import pytest
from django.http import Http404

from keyworker.core.audit import AuditEvent
from keyworker.core.errors import RuleViolation
from keyworker.core.extensions import carer_home_sources
from keyworker.people.carer_access import access_for
from keyworker.people.models import KeyAspectChange, KeyAspects
from keyworker.standards.evidence import evidence_source
from keyworker.standards.models import Obligation, ObligationState
from keyworker.standards.services import policy_adopt_builtin

from ..models import FormState
from ..services import (
    FieldErrors,
    contact_preference_set,
    enrolment_accept,
    enrolment_ask_changes,
    enrolment_save,
    enrolment_send,
)
from .helpers import ANSWERS, make_nursery

pytestmark = pytest.mark.django_db


@pytest.fixture
def nursery(world):
    return make_nursery(world)


def _sent(nursery):
    enrolment_save(link=nursery.carer, child=nursery.child, answers=ANSWERS)
    return enrolment_send(link=nursery.carer, child=nursery.child)


def test_save_and_return_then_send(nursery):
    form = enrolment_save(link=nursery.carer, child=nursery.child, answers={"allergies": "Peanuts", "photo_consent": "yes"})
    assert form.state == FormState.IN_PROGRESS and form.photo_consent is True and form.outings_consent is None
    assert "Medical needs" in form.missing and "Outings" in form.missing
    with pytest.raises(FieldErrors) as exc:
        enrolment_send(link=nursery.carer, child=nursery.child)
    assert {"medical_needs", "outings_consent", "emergency_treatment_consent"} <= set(exc.value.as_dict())
    form.refresh_from_db()
    assert form.allergies == "Peanuts"  # what was saved stays
    form = _sent(nursery)
    assert form.state == FormState.SENT and form.sent_by_id == nursery.carer.pk and form.sun_cream_consent is False
    from keyworker.notifications.models import Notification

    told = Notification.objects.get(kind="enrolment_sent")
    assert told.recipient == nursery.key_person.user and told.link == f"/enrolment/{form.pk}/"
    with pytest.raises(RuleViolation):
        enrolment_save(link=nursery.carer, child=nursery.child, answers={"allergies": "None"})


def test_bad_answers_get_a_message_each(nursery):
    with pytest.raises(FieldErrors) as exc:
        enrolment_save(link=nursery.carer, child=nursery.child, answers={"allergies": "x" * 2001, "photo_consent": "maybe"})
    assert set(exc.value.as_dict()) == {"allergies", "photo_consent"}


def test_only_carers_with_parental_responsibility_of_that_family(world, nursery):
    with pytest.raises(Http404):
        enrolment_save(link=nursery.no_pr, child=nursery.child, answers=ANSWERS)
    other = world.family_a.carers.first()
    with pytest.raises(Http404):
        enrolment_save(link=other, child=nursery.child, answers=ANSWERS)
    with pytest.raises(Http404):  # a school does not ask for the form
        enrolment_save(link=other, child=world.child_a, answers=ANSWERS)


def test_accepting_puts_the_answers_in_the_key_aspects_with_history_and_meets_cc_p1(world, nursery):
    policy_adopt_builtin(organisation=world.org, template_code="childcare_key_contact", as_of=dt.date(2026, 11, 18))
    obligation = Obligation.objects.get(standard__clause="CC-P1", child=nursery.child)
    assert obligation.state != ObligationState.MET
    form = _sent(nursery)
    accepted = enrolment_accept(actor=world.actor(nursery.key_person), form=form)
    assert accepted.state == FormState.ACCEPTED and accepted.accepted_on == dt.date(2026, 11, 18)
    aspects = KeyAspects.objects.get(child=nursery.child)
    assert aspects.allergies == "Peanuts: EpiPen in the bag" and aspects.outside_agencies == "Speech and language therapy"
    changes = {c.field: c for c in KeyAspectChange.objects.filter(child=nursery.child)}
    assert set(changes) == {"allergies", "medical_needs", "outside_agencies", "family_circumstances"}
    assert changes["allergies"].changed_by == nursery.key_person.user
    obligation.refresh_from_db()
    assert obligation.state == ObligationState.MET and obligation.evidence_ref == f"enrolment:{form.pk}"
    assert AuditEvent.objects.filter(event_type="enrolment.accepted", object_id=form.pk).exists()
    with pytest.raises(RuleViolation):
        enrolment_accept(actor=world.actor(nursery.manager), form=form)


def test_asking_for_changes_sends_it_back(world, nursery):
    form = _sent(nursery)
    with pytest.raises(RuleViolation) as exc:
        enrolment_ask_changes(actor=world.actor(nursery.manager), form=form, note="")
    assert exc.value.field == "note"
    form = enrolment_ask_changes(actor=world.actor(nursery.manager), form=form, note="Please add the EpiPen dose")
    assert form.state == FormState.CHANGES_ASKED
    source = next(s for s in carer_home_sources() if s.code == "enrolment.portal")
    items = source.fetch(access_for(nursery.carer.user), dt.date(2026, 11, 18), None)
    assert [i.title for i in items] == ["Finish the enrolment form for Eli"] and "EpiPen dose" in items[0].detail
    form = enrolment_save(link=nursery.carer, child=nursery.child, answers={"allergies": "Peanuts: EpiPen 0.15 mg"})
    assert enrolment_send(link=nursery.carer, child=nursery.child).state == FormState.SENT
    assert source.fetch(access_for(nursery.carer.user), dt.date(2026, 11, 18), None) == []


def test_staff_outside_the_setting_or_organisation_cannot_review(world, nursery):
    form = _sent(nursery)
    with pytest.raises(Http404):
        enrolment_accept(actor=world.actor(world.outsider), form=form)
    with pytest.raises(Http404):  # a school teacher does not see the nursery's families
        enrolment_accept(actor=world.actor(world.teacher_a), form=form)


def test_the_evidence_is_registered_with_its_action():
    source = evidence_source("enrolment_paperwork")
    assert source is not None and source.by_family and source.action.label == "Review the enrolment form"


def test_the_carer_chooses_their_contact_method_at_once(world, nursery):
    carer = contact_preference_set(link=nursery.carer, method="email")
    carer.refresh_from_db()
    assert carer.preferred_contact_method == "email" and carer.version == 2
    event = AuditEvent.objects.get(event_type="carer.contact_preference")
    assert event.actor == nursery.carer.user and event.data["preferred_contact_method"] == {"before": "phone", "after": "email"}
    with pytest.raises(RuleViolation) as exc:
        contact_preference_set(link=nursery.carer, method="pigeon")
    assert exc.value.field == "method"
    with pytest.raises(Http404):
        contact_preference_set(link=nursery.no_pr, method="email")
