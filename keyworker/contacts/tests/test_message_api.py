"""API v1 /messages/: list a family's, write to a carer (per-field errors), mark read; outside scope 404."""

from django.urls import reverse
from rest_framework.test import APIClient

from keyworker.contacts.messages import message_send
from keyworker.contacts.models import PortalMessage
from keyworker.people.carer_access import access_for
from keyworker.people.models import Carer
from keyworker.testing import carer_account


def _api(staff):
    client = APIClient()
    client.force_login(staff.user)
    return client


def _carer_message(world):
    carer = Carer.objects.filter(family=world.family_a).first()
    return message_send(access=access_for(carer_account(carer)), family_id=world.family_a.pk, body="Is PE on Thursday?")


def test_list_create_and_mark_read(world):
    m = _carer_message(world)
    client = _api(world.ta_a)
    listed = client.get("/api/v1/messages/", {"family": world.family_a.pk})
    assert listed.status_code == 200
    assert [(r["id"], r["body"], r["read_at"]) for r in listed.json()["results"]] == [(m.pk, "Is PE on Thursday?", None)]
    read = client.post(f"/api/v1/messages/{m.pk}/read/")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    created = client.post("/api/v1/messages/", {"family": world.family_a.pk, "carer": m.carer_id, "body": "Yes, bring a kit."},
                          format="json")
    assert created.status_code == 201 and created.json()["from_family"] is False
    m.refresh_from_db()
    assert m.answered_by_id == created.json()["id"]


def test_errors_per_field_and_404_outside_scope(world):
    m = _carer_message(world)
    client = _api(world.ta_a)
    empty = client.post("/api/v1/messages/", {"family": world.family_a.pk, "carer": m.carer_id, "body": ""}, format="json")
    assert empty.status_code == 400 and empty.json()["errors"] == {"body": ["Write your message."]}
    other = Carer.objects.filter(family=world.family_b).first()
    wrong = client.post("/api/v1/messages/", {"family": world.family_a.pk, "carer": other.pk, "body": "Hello there."}, format="json")
    assert wrong.status_code == 400 and "carer" in wrong.json()["errors"]
    outsider = _api(world.outsider)
    assert outsider.get(f"/api/v1/messages/{m.pk}/").status_code == 404
    assert outsider.post(f"/api/v1/messages/{m.pk}/read/").status_code == 404
    assert outsider.post("/api/v1/messages/", {"family": world.family_a.pk, "carer": m.carer_id, "body": "Hi."},
                         format="json").status_code == 404
    assert PortalMessage.objects.count() == 1


def test_the_schema_builds_with_messages(world):
    response = _api(world.headteacher).get("/api/v1/schema/")
    assert response.status_code == 200 and b"/api/v1/messages/" in response.content
    assert reverse("contacts:messages", args=[1])
