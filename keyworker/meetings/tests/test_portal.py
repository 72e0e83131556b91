"""The carer's appointments page and answers, the carers' home sources; other families' carers and staff get 404."""

import datetime as dt

import pytest

from keyworker.core.extensions import COMING, TO_DO, carer_home_sources
from keyworker.people.carer_access import access_for
from keyworker.people.models import Carer, ContactRestriction
from keyworker.testing import carer_account, portal_client

from ..models import InviteeKind, Rsvp
from ..services import appointment_cancel
from .helpers import NEXT_TUESDAY, arrange, carer_of

pytestmark = pytest.mark.django_db


def test_an_invited_carer_sees_the_appointment_and_answers(world):
    a = arrange(world)
    carer = carer_of(world.family_a)
    client = portal_client(carer)
    page = client.get("/family/appointments/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Review meeting" in html and "Tue 24 November 2026, 15:30 to 16:15" in html and "Room 4" in html
    assert "Kim Keyworker (key worker)" in html and "Can you come?" in html
    invitee = a.invitees.get(carer=carer)
    response = client.post(f"/family/appointments/{invitee.pk}/answer/", {"rsvp": "maybe"})
    assert response.status_code == 302
    invitee.refresh_from_db()
    assert invitee.rsvp == Rsvp.MAYBE
    assert client.post(f"/family/appointments/{invitee.pk}/answer/", {"rsvp": "never"}).status_code == 400


def test_the_staff_notes_and_title_never_show_to_the_carer(world, clock):
    a = arrange(world, title="Concerns raised by the social worker")
    a.notes = "Private staff note"
    a.save()
    html = portal_client(carer_of(world.family_a)).get("/family/appointments/").content.decode()
    assert "Concerns raised" not in html and "Private staff note" not in html


def test_a_cancelled_appointment_shows_as_cancelled_with_no_answer(world):
    a = arrange(world)
    appointment_cancel(actor=world.actor(world.ta_a), appointment=a, reason="Staff training", version=1)
    client = portal_client(carer_of(world.family_a))
    html = client.get("/family/appointments/").content.decode()
    assert "Cancelled" in html and "Can you come?" not in html and "Staff training" not in html
    invitee = a.invitees.get(kind=InviteeKind.CARER)
    assert client.post(f"/family/appointments/{invitee.pk}/answer/", {"rsvp": "yes"}).status_code == 400


def test_another_familys_carer_and_staff_get_404(world, client_for):
    a = arrange(world)
    invitee = a.invitees.get(kind=InviteeKind.CARER)
    other = portal_client(carer_of(world.family_b))
    assert "Review meeting" not in other.get("/family/appointments/").content.decode()
    assert other.post(f"/family/appointments/{invitee.pk}/answer/", {"rsvp": "yes"}).status_code == 404
    staff_client = client_for(world.ta_a)
    assert staff_client.get("/family/appointments/").status_code == 404


def test_a_carer_whose_link_closes_the_section_sees_nothing(world):
    a = arrange(world)
    carer = carer_of(world.family_a)
    client = portal_client(carer)
    Carer.objects.filter(pk=carer.pk).update(contact_restriction=ContactRestriction.NO_CONTACT)
    invitee = a.invitees.get(carer=carer)
    assert "Review meeting" not in client.get("/family/appointments/").content.decode()
    assert client.post(f"/family/appointments/{invitee.pk}/answer/", {"rsvp": "yes"}).status_code == 404


def test_the_home_sources_show_whats_coming_and_what_to_answer(world):
    a = arrange(world)
    access = access_for(carer_account(carer_of(world.family_a)))
    now, today = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC), dt.date(2026, 11, 18)
    coming = [item for s in carer_home_sources(COMING) if s.code == "appointments" for item in s.fetch(access, today, now)]
    to_do = [item for s in carer_home_sources(TO_DO) if s.code == "appointment_answers" for item in s.fetch(access, today, now)]
    assert [(i.title, i.when) for i in coming] == [("Review meeting at Test Primary", NEXT_TUESDAY)]
    assert [i.title for i in to_do] == ["Let us know if you can come"] and to_do[0].url.startswith("/family/appointments/")
    a.invitees.filter(kind=InviteeKind.CARER).update(rsvp=Rsvp.YES)
    assert [i for s in carer_home_sources(TO_DO) if s.code == "appointment_answers" for i in s.fetch(access, today, now)] == []


@pytest.mark.parametrize("n", [1, 10])
def test_the_page_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries, n):
    for k in range(n):
        arrange(world, starts_at=NEXT_TUESDAY + dt.timedelta(hours=k), invite_staff=[world.ta_a, world.teacher_a])
    client = portal_client(carer_of(world.family_a))
    with django_assert_max_num_queries(10):
        response = client.get("/family/appointments/")
    assert len(response.context["upcoming"]) == n
