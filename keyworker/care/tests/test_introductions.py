"""The manager's introductions (CC-M1): who records them (as the setting configures), bad input per field, the page
and My week for the manager, 404 outside scope, and the family's obligation met (also by an introduction meeting)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from keyworker.standards.models import OPEN_STATES, Obligation, ObligationState

from ..checklists_services import FieldErrors, introduction_setup_save
from ..introductions_services import introduction_record
from ..models_checklists import Introduction
from .checklists_helpers import MONDAY, TODAY, make_care

pytestmark = pytest.mark.django_db


def test_the_manager_records_the_introduction_and_meets_cc_m1(world, clock):
    care = make_care(world, adopt=True)
    m1 = Obligation.objects.get(family=care.family, standard__clause="CC-M1")
    assert m1.state in OPEN_STATES and m1.due_on == MONDAY + dt.timedelta(days=14)
    intro = introduction_record(actor=world.actor(care.manager), child=care.child, introduced_on=TODAY, how="phone",
                                note="Called mum")
    assert intro.introduced_by == care.manager and intro.family == care.family
    m1.refresh_from_db()
    assert (m1.state, m1.met_on, m1.evidence_ref) == (ObligationState.MET, TODAY, f"introduction:{intro.pk}")


def test_the_setting_chooses_who_introduces_themselves(world, clock):
    care = make_care(world)
    with pytest.raises(PermissionDenied):
        introduction_record(actor=world.actor(care.assistant), child=care.child, introduced_on=TODAY, how="in_person")
    with pytest.raises(PermissionDenied):
        introduction_record(actor=world.actor(care.key_person), child=care.child, introduced_on=TODAY, how="in_person")
    introduction_setup_save(actor=world.actor(care.manager), setting=care.nursery, introduced_by="assistant_manager")
    with pytest.raises(PermissionDenied):
        introduction_record(actor=world.actor(care.manager), child=care.child, introduced_on=TODAY, how="in_person")
    introduction_record(actor=world.actor(care.assistant), child=care.child, introduced_on=TODAY, how="in_person")
    assert Introduction.objects.get(child=care.child).introduced_by == care.assistant


def test_bad_input_per_field(world, clock):
    care = make_care(world)
    actor = world.actor(care.manager)
    with pytest.raises(FieldErrors) as caught:
        introduction_record(actor=actor, child=care.child, introduced_on=TODAY + dt.timedelta(days=1), how="letter",
                            note="x" * 501)
    assert set(caught.value.errors) == {"introduced_on", "how", "note"}
    with pytest.raises(FieldErrors) as caught:
        introduction_record(actor=actor, child=care.child, introduced_on=dt.date(2026, 11, 1), how="phone")
    assert "before Eli Evans started" in caught.value.errors["introduced_on"]
    introduction_record(actor=actor, child=care.child, introduced_on=TODAY, how="phone")
    with pytest.raises(FieldErrors) as caught:
        introduction_record(actor=actor, child=care.child, introduced_on=TODAY, how="phone")
    assert "already" in caught.value.errors["child"]
    with pytest.raises(Http404):
        introduction_record(actor=world.actor(world.outsider), child=care.child, introduced_on=TODAY, how="phone")


def test_the_managers_page_and_my_week_list_families_waiting(world, client_for, clock):
    care = make_care(world, adopt=True)
    client = client_for(care.manager)
    week = client.get(reverse("week:my_week")).content.decode()
    assert "New families waiting for your introduction" in week and "Eli Evans" in week
    page = client.get(reverse("care:introductions")).content.decode()
    assert "Waiting" in page and "due Mon 30 November 2026" in page
    response = client.post(reverse("care:introductions_record", args=[care.child.pk]),
                           {"introduced_on": "2026-11-19", "how": "in_person"})
    assert response.status_code == 400 and "is in the future" in response.content.decode()
    response = client.post(reverse("care:introductions_record", args=[care.child.pk]),
                           {"introduced_on": "2026-11-17", "how": "video", "note": "Zoom with dad"})
    assert response.status_code == 302
    assert "Introduced" in client.get(reverse("care:introductions")).content.decode()
    assert "New families waiting" not in client.get(reverse("week:my_week")).content.decode()
    # The key person does not see the panel: they are not who introduces themselves.
    assert "New families waiting" not in client_for(care.key_person).get(reverse("week:my_week")).content.decode()


def test_outsiders_get_404_and_others_403(world, client_for, clock):
    care = make_care(world)
    url = reverse("care:introductions_record", args=[care.child.pk])
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(care.other_room_staff).get(url).status_code == 404
    assert client_for(care.key_person).get(url).status_code == 403
    assert "Eli Evans" not in client_for(world.outsider).get(reverse("care:introductions")).content.decode()


def test_an_introduction_meeting_counts_too(world, clock):
    from keyworker.meetings.evidence import MANAGER_INTRODUCTION
    from keyworker.standards.evidence import evidence_source

    source = evidence_source(MANAGER_INTRODUCTION)
    assert source.label == "A manager's introduction"
    care = make_care(world)
    intro = introduction_record(actor=world.actor(care.manager), child=care.child, introduced_on=TODAY, how="phone")
    rows = source.fetch(world.org.pk, MONDAY, TODAY, {}, families={care.family.pk})
    assert [r.ref for r in rows] == [f"introduction:{intro.pk}"]
