"""API v1 of the checklists, introductions and chat sessions: reads scoped (404 outside), writes through the services,
a message per field for bad input (a date in the future or before the child started, a staff member outside the
setting, a child outside it)."""

import pytest
from rest_framework.test import APIClient

from .checklists_helpers import make_care

pytestmark = pytest.mark.django_db


def api(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=staff.user)
    return client


def test_checklists_read_and_tick(world, clock):
    care = make_care(world, adopt=True)
    client = api(care.key_person)
    data = client.get("/api/v1/checklists/?kind=induction").json()
    [row] = data["results"]
    assert row["child"] == care.child.pk and row["due_on"] == "2026-11-20" and row["missing"] == [
        "fire_evacuation", "tour", "snack"]
    url = f"/api/v1/checklists/{care.child.pk}/enrolment/"
    assert client.get(url).json()["complete"] is False
    response = client.post(url + "tick/", {"item": "paperwork", "done_on": "2026-11-17", "note": "Signed"}, format="json")
    assert response.status_code == 200
    item = next(i for i in response.json()["items"] if i["item"] == "paperwork")
    assert item["done"] and item["done_on"] == "2026-11-17" and item["done_by"] == "Kai Keyperson"
    response = client.post(url + "take-back/", {"item": "paperwork"}, format="json")
    assert response.status_code == 200 and "paperwork" in response.json()["missing"]
    assert client.get("/api/v1/checklists/?incomplete=true&kind=enrolment").json()["count"] == 1


def test_checklist_errors_per_field(world, clock):
    care = make_care(world)
    client = api(care.key_person)
    url = f"/api/v1/checklists/{care.child.pk}/enrolment/tick/"
    response = client.post(url, {"item": "nothing", "done_on": "2026-11-19"}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"item", "done_on"} and "in the future" in errors["done_on"][0]
    response = client.post(url, {"item": "paperwork", "done_on": "2026-11-01"}, format="json")
    assert "before Eli Evans started" in response.json()["errors"]["done_on"][0]
    response = client.post(url, {"done_on": "not a date"}, format="json")
    assert set(response.json()["errors"]) == {"item", "done_on"}
    assert client.get(f"/api/v1/checklists/{care.child.pk}/nothing/").status_code == 404
    assert client.get("/api/v1/checklists/?kind=other").status_code == 400


def test_checklists_outside_scope_are_404(world, clock):
    care = make_care(world)
    for staff in (world.outsider, care.other_room_staff):
        client = api(staff)
        assert client.get(f"/api/v1/checklists/{care.child.pk}/enrolment/").status_code == 404
        assert client.post(f"/api/v1/checklists/{care.child.pk}/enrolment/tick/", {"item": "paperwork"},
                           format="json").status_code == 404
        assert client.get(f"/api/v1/checklists/?child={care.child.pk}").json()["count"] == 0


def test_introductions(world, clock):
    care = make_care(world)
    client = api(care.manager)
    response = client.post("/api/v1/introductions/", {"child": care.child.pk, "introduced_on": "2026-11-19",
                                                       "how": "fax", "note": "x"}, format="json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"how"}
    response = client.post("/api/v1/introductions/", {"child": care.child.pk, "introduced_on": "2026-11-19",
                                                       "how": "video", "note": "x" * 501}, format="json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"note"}
    response = client.post("/api/v1/introductions/", {"child": care.child.pk, "introduced_on": "2026-11-19",
                                                       "how": "video"}, format="json")
    assert "in the future" in response.json()["errors"]["introduced_on"][0]
    response = client.post("/api/v1/introductions/", {"child": world.child_a.pk, "introduced_on": "2026-11-18",
                                                       "how": "phone"}, format="json")
    assert response.status_code == 400 and response.json()["errors"]["child"] == ["Not found."]
    response = client.post("/api/v1/introductions/", {"child": care.child.pk, "introduced_on": "2026-11-18",
                                                       "how": "phone"}, format="json")
    assert response.status_code == 201
    intro = response.json()
    assert intro["introduced_by_name"] == "Mia Manager" and intro["how"] == "phone"
    assert client.get(f"/api/v1/introductions/{intro['id']}/").status_code == 200
    assert api(world.outsider).get(f"/api/v1/introductions/{intro['id']}/").status_code == 404
    assert api(care.key_person).post("/api/v1/introductions/", {"child": care.child.pk, "introduced_on": "2026-11-18",
                                                                "how": "phone"}, format="json").status_code in (400, 403)


def test_chat_sessions(world, clock):
    care = make_care(world)
    client = api(care.club_staff)
    response = client.post("/api/v1/chat-sessions/", {"child": care.club_child.pk, "offered_on": "2026-11-19",
                                                       "outcome": "held", "staff": care.manager.pk}, format="json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"offered_on", "staff"}
    response = client.post("/api/v1/chat-sessions/", {"child": care.child.pk, "offered_on": "2026-11-18",
                                                       "outcome": "held", "staff": care.club_staff.pk}, format="json")
    assert response.status_code == 400 and response.json()["errors"]["child"] == ["Not found."]
    response = client.post("/api/v1/chat-sessions/", {"child": care.club_child.pk, "offered_on": "2026-11-18",
                                                       "outcome": "declined", "staff": care.club_manager.pk},
                           format="json")
    assert response.status_code == 201
    session = response.json()
    assert session["outcome"] == "declined" and session["staff_name"] == "Cal Clubmanager"
    listed = client.get(f"/api/v1/chat-sessions/?child={care.club_child.pk}").json()
    assert [r["id"] for r in listed["results"]] == [session["id"]]
    assert api(world.outsider).get(f"/api/v1/chat-sessions/{session['id']}/").status_code == 404
    assert api(care.key_person).get(f"/api/v1/chat-sessions/{session['id']}/").status_code == 404


def test_the_schema_lists_the_routes(world):
    client = api(world.headteacher)
    schema = client.get("/api/v1/schema/?format=json").json()
    paths = set(schema["paths"])
    assert {"/api/v1/checklists/", "/api/v1/checklists/{child_id}/{kind}/tick/", "/api/v1/introductions/",
            "/api/v1/chat-sessions/"} <= paths
