"""Chat sessions (CC-K6): with any member of the setting the child chose, held or offered and declined (both count
as offered), bad input per field, the sheet and the overview, 404 outside scope, query counts."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keyworker.standards.models import OPEN_STATES, Obligation, ObligationState
from keyworker.testing import allocate, make_child, make_family, make_staff

from ..chats_services import chat_session_record
from ..checklists_services import FieldErrors
from ..models_checklists import ChatSession
from .checklists_helpers import TODAY, make_care

pytestmark = pytest.mark.django_db


def test_a_declined_offer_meets_cc_k6(world, clock):
    care = make_care(world, adopt=True)
    k6 = Obligation.objects.get(child=care.club_child, standard__clause="CC-K6", period_start=dt.date(2026, 11, 2))
    assert k6.state in OPEN_STATES and k6.responsible_staff == care.club_staff
    # The child chose the club's manager, not their key contact; they chose not to talk today.
    session = chat_session_record(actor=world.actor(care.club_staff), child=care.club_child, offered_on=TODAY,
                                  outcome="declined", staff_id=care.club_manager.pk)
    assert session.staff == care.club_manager and session.recorded_by == care.club_staff
    k6.refresh_from_db()
    assert (k6.state, k6.met_on, k6.evidence_ref) == (ObligationState.MET, TODAY, f"chat:{session.pk}")


def test_bad_input_per_field(world, clock):
    care = make_care(world)
    actor = world.actor(care.club_staff)
    with pytest.raises(FieldErrors) as caught:
        chat_session_record(actor=actor, child=care.club_child, offered_on=TODAY + dt.timedelta(days=1), outcome="maybe",
                            staff_id=care.manager.pk, note="x" * 501)  # the nursery's manager works elsewhere
    assert set(caught.value.errors) == {"offered_on", "outcome", "staff", "note"}
    assert "who work at Owls Club" in caught.value.errors["staff"]
    with pytest.raises(FieldErrors) as caught:
        chat_session_record(actor=actor, child=care.club_child, offered_on=dt.date(2026, 9, 1), outcome="held",
                            staff_id=world.outsider.pk)
    assert set(caught.value.errors) == {"offered_on", "staff"}
    with pytest.raises(Http404):  # a nursery child has no chat sessions
        chat_session_record(actor=world.actor(care.manager), child=care.child, offered_on=TODAY, outcome="held",
                            staff_id=care.manager.pk)
    with pytest.raises(Http404):
        chat_session_record(actor=world.actor(world.outsider), child=care.club_child, offered_on=TODAY, outcome="held",
                            staff_id=care.club_staff.pk)
    assert not ChatSession.objects.exists()


def test_the_sheet_page_records_and_lists_sessions(world, client_for, clock):
    care = make_care(world)
    client = client_for(care.club_staff)
    url = reverse("care:chats_child", args=[care.club_child.pk])
    assert "No chat sessions yet" in client.get(url).content.decode()
    response = client.post(url, {"offered_on": "2026-11-18", "outcome": "held", "staff": care.club_manager.pk,
                                 "note": "Talked about football"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Talked about football" in page and "With Cal Clubmanager, chosen by Finn Fox" in page
    response = client.post(url, {"offered_on": "2026-11-30", "outcome": "held", "staff": care.manager.pk})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose a member of staff who works at the setting" in body
    response = client.post(url, {"offered_on": "2026-11-30", "outcome": "held", "staff": care.club_manager.pk})
    assert response.status_code == 400 and "is in the future" in response.content.decode()
    overview = client.get(reverse("care:chats")).content.decode()
    assert "Finn Fox" in overview


def test_outsiders_get_404(world, client_for, clock):
    care = make_care(world)
    url = reverse("care:chats_child", args=[care.club_child.pk])
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(care.key_person).get(url).status_code == 404  # works at the nursery, not the club
    assert client_for(world.outsider).post(url, {"offered_on": "2026-11-18", "outcome": "held",
                                                 "staff": care.club_staff.pk}).status_code == 404
    assert "Finn Fox" not in client_for(world.outsider).get(reverse("care:chats")).content.decode()


def test_only_staff_who_see_families_record(world, clock):
    care = make_care(world)
    from keyworker.accounts.models import Role, StaffRole

    StaffRole.objects.filter(staff=care.club_staff).update(role=Role.objects.get(organisation=world.org, code="admin_office"))
    actor = world.actor(care.club_staff)
    actor.roles[0].role.capabilities = []
    with pytest.raises((PermissionDenied, Http404)):
        chat_session_record(actor=actor, child=care.club_child, offered_on=TODAY, outcome="held",
                            staff_id=care.club_manager.pk)


def _grow(world, care, n):
    helpers = [make_staff(world.org, care.club, ["practitioner"], [care.club_room]) for _ in range(max(1, n // 3))]
    for i in range(n):
        family = make_family(world.org)
        child = make_child(family, care.club, care.club_room, date_of_birth=dt.date(2019, 1, 1),
                           enrolled_on=dt.date(2026, 9, 2))
        allocate(family, care.club, care.club_staff)
        chat_session_record(actor=world.actor(care.club_manager), child=child, offered_on=TODAY,
                            outcome="held" if i % 2 else "declined", staff_id=helpers[i % len(helpers)].pk)


def test_the_pages_use_a_fixed_number_of_queries(world, client_for, clock):
    care = make_care(world)
    client = client_for(care.club_manager)
    urls = [reverse("care:chats"), reverse("care:chats_child", args=[care.club_child.pk])]
    _grow(world, care, 2)
    chat_session_record(actor=world.actor(care.club_manager), child=care.club_child, offered_on=TODAY, outcome="held",
                        staff_id=care.club_staff.pk)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    small = [count(u) for u in urls]
    _grow(world, care, 20)
    for _ in range(5):
        chat_session_record(actor=world.actor(care.club_manager), child=care.club_child, offered_on=TODAY,
                            outcome="held", staff_id=care.club_staff.pk)
    assert [count(u) for u in urls] == small
