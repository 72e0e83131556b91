"""The learning journal API: observations (list, record, read, hide), next steps, comments, wow moments (approve);
errors per field; a record outside the caller's scope is 404."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from keyworker.care import journals_services as services

from .journals_helpers import nursery_with_two

pytestmark = pytest.mark.django_db


def api(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=staff.user)
    return client


@pytest.fixture
def n(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return nursery_with_two(world)


def test_record_list_read_and_hide(n):
    client = api(n.key_person)
    body = {"children": [n.child.pk, n.child2.pk], "observed_on": "2026-11-17", "text": "Shared the scooters.",
            "interests": ["scooters"], "schemas": ["trajectory"], "areas": ["eyfs.pd", "eyfs.psed"], "next_step": "Balance bikes"}
    created = client.post("/api/v1/journal-observations/", body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert sorted(data["children"]) == sorted([n.child.pk, n.child2.pk]) and data["version"] == 1
    listed = client.get(f"/api/v1/journal-observations/?child={n.child.pk}").json()
    assert [r["id"] for r in listed["results"]] == [data["id"]]
    assert client.get(f"/api/v1/journal-observations/{data['id']}/").json()["text"] == "Shared the scooters."
    assert client.post(f"/api/v1/journal-observations/{data['id']}/hide/", {"reason": "Wrong day"}, format="json").status_code == 403
    manager = api(n.manager)
    bad = manager.post(f"/api/v1/journal-observations/{data['id']}/hide/", {"reason": ""}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()["errors"]
    hidden = manager.post(f"/api/v1/journal-observations/{data['id']}/hide/", {"reason": "Wrong day"}, format="json")
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    # The key person sees that it exists, never what it said.
    assert client.get(f"/api/v1/journal-observations/{data['id']}/").json()["text"] == ""


def test_errors_per_field(n):
    client = api(n.key_person)
    response = client.post("/api/v1/journal-observations/", {"children": [], "observed_on": "not a date", "text": ""},
                           format="json")
    assert response.status_code == 400
    assert {"children", "observed_on", "text"} <= set(response.json()["errors"])
    response = client.post("/api/v1/journal-observations/", {"children": [n.child.pk], "observed_on": "2026-12-30",
                                                             "text": "Ran", "areas": ["cfe.sciences"]}, format="json")
    assert response.status_code == 400 and {"observed_on", "areas"} <= set(response.json()["errors"])


def test_outside_scope_is_404(n, world):
    obs = services.observation_record(actor=world.actor(n.key_person), children=[n.child], observed_on=dt.date(2026, 11, 17),
                                      text="Sang.", next_step="More songs")
    outsider = api(world.outsider)
    assert outsider.get(f"/api/v1/journal-observations/{obs.pk}/").status_code == 404
    assert outsider.post("/api/v1/journal-observations/", {"children": [n.child.pk], "observed_on": "2026-11-17",
                                                           "text": "x"}, format="json").status_code == 404
    step = obs.next_steps.get()
    assert outsider.post(f"/api/v1/journal-next-steps/{step.pk}/done/").status_code == 404
    assert outsider.get("/api/v1/journal-observations/").json()["results"] == []


def test_next_steps_comments_and_wow_moments(n, world):
    obs = services.observation_record(actor=world.actor(n.key_person), children=[n.child], observed_on=dt.date(2026, 11, 17),
                                      text="Sang.")
    client = api(n.key_person)
    planned = client.post("/api/v1/journal-next-steps/", {"observation": obs.pk, "child": n.child.pk, "text": "Drums"},
                          format="json")
    assert planned.status_code == 201
    bad = client.post("/api/v1/journal-next-steps/", {"observation": obs.pk, "child": n.child.pk, "text": ""}, format="json")
    assert bad.status_code == 400 and "text" in bad.json()["errors"]
    done = client.post(f"/api/v1/journal-next-steps/{planned.json()['id']}/done/")
    assert done.status_code == 200 and done.json()["state"] == "done"
    services.journal_comment_add(link=n.carer, child=n.child, observation=obs, text="Lovely")
    assert [c["text"] for c in client.get(f"/api/v1/journal-comments/?child={n.child.pk}").json()["results"]] == ["Lovely"]
    wow = services.wow_moment_send(link=n.carer, child=n.child, text="Said please")
    assert api(world.outsider).post(f"/api/v1/journal-wow-moments/{wow.pk}/approve/").status_code == 404
    approved = client.post(f"/api/v1/journal-wow-moments/{wow.pk}/approve/")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    again = client.post(f"/api/v1/journal-wow-moments/{wow.pk}/approve/")
    assert again.status_code == 400


def test_the_schema_builds(n):
    client = api(n.manager)
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200 and b"journal-observations" in response.content
