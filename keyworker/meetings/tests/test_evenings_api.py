"""API v1 of parents' evenings: evenings and slots scoped to the caller (404 outside), the office books, moves and
cancels with a message per field; the schema still builds."""

import pytest
from rest_framework.test import APIClient

from keyworker.meetings.evenings_models import EveningSlot

from .evening_helpers import open_evening, slots_of

pytestmark = pytest.mark.django_db


def _client(staff):
    client = APIClient()
    client.force_login(staff.user)
    return client


def test_evenings_and_free_slots(world):
    evening = open_evening(world)
    client = _client(world.admin_office)
    assert [e["id"] for e in client.get("/api/v1/parents-evenings/").json()["results"]] == [evening.pk]
    slots = client.get(f"/api/v1/parents-evening-slots/?evening={evening.pk}&free=true").json()
    assert slots["count"] == 18 and all(s["free"] for s in slots["results"])


def test_the_office_books_moves_and_cancels(world):
    evening = open_evening(world)
    first, second = slots_of(evening, world.ta_a)[:2]
    client = _client(world.admin_office)
    booked = client.post(f"/api/v1/parents-evening-slots/{first.pk}/book/", {"child": world.child_a.pk}, format="json")
    assert booked.status_code == 201 and booked.json()["family"] == world.family_a.pk
    again = client.post(f"/api/v1/parents-evening-slots/{first.pk}/book/", {"child": world.child_a.pk}, format="json")
    assert again.status_code == 400 and "slot" in again.json()["errors"]
    moved = client.post(f"/api/v1/parents-evening-slots/{first.pk}/move/", {"to_slot": second.pk}, format="json")
    assert moved.status_code == 200 and moved.json()["id"] == second.pk
    assert client.post(f"/api/v1/parents-evening-slots/{second.pk}/cancel/").status_code == 200
    assert not EveningSlot.objects.filter(family__isnull=False).exists()


def test_errors_per_field(world):
    evening = open_evening(world)
    slot = slots_of(evening, world.ta_a)[0]
    client = _client(world.admin_office)
    assert "child" in client.post(f"/api/v1/parents-evening-slots/{slot.pk}/book/", {"child": "x"}, format="json").json()["errors"]
    other = world.other_family.children.get()
    assert "child" in client.post(f"/api/v1/parents-evening-slots/{slot.pk}/book/", {"child": other.pk}, format="json").json()["errors"]
    assert "to_slot" in client.post(f"/api/v1/parents-evening-slots/{slot.pk}/move/", {"to_slot": -1}, format="json").json()["errors"]


def test_outsiders_get_404_and_staff_taking_part_see_their_own_slots(world):
    evening = open_evening(world)
    slot = slots_of(evening, world.ta_a)[0]
    outsider = _client(world.outsider)
    assert outsider.get(f"/api/v1/parents-evenings/{evening.pk}/").status_code == 404
    assert outsider.post(f"/api/v1/parents-evening-slots/{slot.pk}/book/", {"child": 1}, format="json").status_code == 404
    mine = _client(world.ta_a).get("/api/v1/parents-evening-slots/").json()
    assert mine["count"] == 6 and {s["staff"] for s in mine["results"]} == {world.ta_a.pk}
    assert _client(world.ta_a).post(f"/api/v1/parents-evening-slots/{slot.pk}/book/", {"child": world.child_a.pk},
                                    format="json").status_code == 403


def test_the_schema_builds(world):
    response = _client(world.headteacher).get("/api/v1/schema/")
    assert response.status_code == 200 and b"parents-evening-slots" in response.content
