"""API v1: the signed-in member of staff's calendar address (get, make a new one) and an appointment's reminders."""

import pytest
from django.test import Client

from keyworker.meetings.models import CalendarFeed
from keyworker.meetings.reminders import reminders_run
from keyworker.people.models import ContactMethod

from .reminder_world import NOW, TODAY, appointment, carer_of, emailing

pytestmark = pytest.mark.django_db
ADDRESS = "/api/v1/calendar/address/"


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    def client_for(staff):
        client = APIClient()
        if staff is not None:
            client.force_authenticate(user=staff.user)
        return client

    return client_for


def test_get_makes_the_address_once_and_post_makes_a_new_one(world, api):
    client = api(world.ta_a)
    first = client.get(ADDRESS)
    assert first.status_code == 200, first.content
    assert client.get(ADDRESS).json()["address"] == first.json()["address"]
    assert "/meetings/feed/" in first.json()["address"] and first.json()["address"].endswith(".ics")
    rotated = client.post(ADDRESS)
    assert rotated.status_code == 201 and rotated.json()["address"] != first.json()["address"]
    old_path = "/" + first.json()["address"].split("/", 3)[3]
    new_path = "/" + rotated.json()["address"].split("/", 3)[3]
    assert Client().get(old_path).status_code == 404 and Client().get(new_path).status_code == 200
    assert CalendarFeed.objects.filter(staff=world.ta_a, revoked_at__isnull=True).count() == 1


def test_anonymous_is_refused(world, api):
    assert api(None).get(ADDRESS).status_code in (401, 403)


def test_reminders_are_listed_per_appointment_and_404_outside_scope(world, api):
    a = appointment(world, family=world.family_a, carers=[emailing(world.family_a, "a@example.org")])
    b = appointment(world, family=world.family_b, carers=[carer_of(world.family_b, preferred_contact_method=ContactMethod.PHONE)])
    reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW)
    r = api(world.ta_a).get(f"/api/v1/appointments/{a.pk}/reminders/")
    assert r.status_code == 200, r.content
    [row] = r.json()
    assert (row["state"], row["channel"], row["appointment"], row["family"]) == ("sent", "email", a.pk, world.family_a.pk)
    assert row["done_at"].startswith(NOW.date().isoformat())
    [row] = api(world.teacher_b).get(f"/api/v1/appointments/{b.pk}/reminders/").json()
    assert (row["state"], row["key_worker"]) == ("to_do", world.teacher_b.pk)
    assert api(world.teacher_b).get(f"/api/v1/appointments/{a.pk}/reminders/").status_code == 404
    assert api(world.outsider).get(f"/api/v1/appointments/{a.pk}/reminders/").status_code == 404
    assert api(world.ta_a).get("/api/v1/appointments/99999999/reminders/").status_code == 404


def test_the_schema_still_builds_with_these_routes(world, api):
    r = api(world.headteacher).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    body = r.content.decode()
    assert "/api/v1/calendar/address/" in body and "/api/v1/appointments/{appointment_id}/reminders/" in body
