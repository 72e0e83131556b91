import datetime as dt

import pytest
from rest_framework.test import APIClient

from keyworker.core import clock
from keyworker.targets import services
from keyworker.targets.models import ShareMethod

from .helpers import homework, target

pytestmark = pytest.mark.django_db


def _api(staff) -> APIClient:
    client = APIClient()
    client.force_login(staff.user)
    return client


def test_targets_list_create_update_review_share(world):
    api = _api(world.teacher_a)
    due = (clock.today() + dt.timedelta(days=30)).isoformat()
    r = api.post("/api/v1/learning-targets/", {"child": world.child_a.pk, "what": "Count to 100", "review_on": due}, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = api.patch(f"/api/v1/learning-targets/{pk}/", {"what": "Count to 100 in tens", "version": 1}, format="json")
    assert r.status_code == 200 and r.json()["what"] == "Count to 100 in tens"
    r = api.post(f"/api/v1/learning-targets/{pk}/review/", {"progress": "Nearly", "status": "working", "next_review_on": due}, format="json")
    assert r.status_code == 201, r.content
    r = api.post("/api/v1/learning-targets/share/", {"child": world.child_a.pk, "method": ShareMethod.MEETING}, format="json")
    assert r.status_code == 201 and r.json()["targets"] == [pk]
    r = api.get("/api/v1/learning-targets/", {"child": world.child_a.pk})
    assert r.status_code == 200 and r.json()["results"][0]["shared_on"] == clock.today().isoformat()


def test_per_field_errors(world):
    api = _api(world.teacher_a)
    r = api.post("/api/v1/learning-targets/", {"child": world.child_a.pk, "what": ""}, format="json")
    assert r.status_code == 400 and set(r.json()["errors"]) >= {"what", "review_on"}
    r = api.post("/api/v1/learning-targets/", {"child": world.child_a.pk, "what": "x",
                                                "review_on": (clock.today() - dt.timedelta(days=3)).isoformat()}, format="json")
    assert r.status_code == 400 and "past" in r.json()["errors"]["review_on"][0]
    r = api.post("/api/v1/homework/", {"group": world.class_a.pk, "title": "T", "what_to_do": "W",
                                       "set_on": clock.today().isoformat(),
                                       "due_on": (clock.today() - dt.timedelta(days=1)).isoformat()}, format="json")
    assert r.status_code == 400 and "before it was set" in r.json()["errors"]["due_on"][0]


def test_outside_scope_is_404_or_not_found(world):
    t = target(world)
    api = _api(world.outsider)
    assert api.get(f"/api/v1/learning-targets/{t.pk}/").status_code == 404
    assert api.post(f"/api/v1/learning-targets/{t.pk}/review/", {"progress": "x", "status": "achieved"}, format="json").status_code == 404
    r = api.post("/api/v1/learning-targets/", {"child": world.child_a.pk, "what": "x",
                                                "review_on": clock.today().isoformat()}, format="json")
    assert r.status_code == 400 and r.json()["errors"]["child"] == ["Not found."]
    hw = homework(world)
    assert api.get(f"/api/v1/homework/{hw.pk}/").status_code == 404
    assert api.get("/api/v1/learning-targets/").json()["results"] == []


def test_homework_create_returns_feedback_and_notes(world):
    api = _api(world.teacher_a)
    r = api.post("/api/v1/homework/", {"group": world.class_a.pk, "title": "Reading log", "what_to_do": "Read and sign",
                                       "due_on": (clock.today() + dt.timedelta(days=4)).isoformat()}, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = api.post(f"/api/v1/homework/{pk}/returns/", {"returns": [{"child": world.child_a.pk, "returned": True}]}, format="json")
    assert r.status_code == 200 and r.json()["returns"][0]["returned"] is True
    r = api.post(f"/api/v1/homework/{pk}/returns/", {"returns": [{"child": world.child_b.pk, "returned": True}]}, format="json")
    assert r.status_code == 400 and "not in the class" in r.json()["errors"]["child"][0]
    r = api.post(f"/api/v1/homework/{pk}/feedback/", {"child": world.child_a.pk, "feedback": ""}, format="json")
    assert r.status_code == 400 and "feedback" in r.json()["errors"]
    r = api.post(f"/api/v1/homework/{pk}/feedback/", {"child": world.child_a.pk, "feedback": "Well read"}, format="json")
    assert r.status_code == 200 and r.json()["feedback"] == "Well read"
    assert api.get("/api/v1/homework/", {"group": world.class_a.pk}).json()["count"] == 1
    t = target(world)
    services.targets_share(actor=world.actor(world.teacher_a), child=world.child_a, method=ShareMethod.PORTAL)
    services.home_note_add(link=world.family_a.carers.first(), child=world.child_a, text="Going well", target=t)
    r = api.get("/api/v1/notes-from-home/")
    assert r.status_code == 200 and r.json()["results"][0]["text"] == "Going well"
    assert _api(world.outsider).get("/api/v1/notes-from-home/").json()["results"] == []
