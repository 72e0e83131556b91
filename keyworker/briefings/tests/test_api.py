"""API v1 briefings: mine only, filters with a message per field, acknowledging one or all of a child's, scope."""

import pytest
from rest_framework.test import APIClient

from keyworker.briefings.models import Briefing, BriefingRecipient
from keyworker.people.services import key_aspects_update


@pytest.fixture
def api():
    def client_for(staff):
        client = APIClient()
        if staff is not None:
            client.force_authenticate(user=staff.user)
        return client

    return client_for


def _change(world, staff=None, child=None, **changes):
    key_aspects_update(actor=world.actor(staff or world.headteacher), child=child or world.child_a,
                       changes=changes or {"allergies": "Peanuts"})
    return Briefing.objects.filter(child=child or world.child_a).order_by("-id").first()


def test_list_my_briefings(world, api):
    briefing = _change(world, allergies="Peanuts", religion="Sikh")
    _change(world, child=world.child_b, religion="Hindu")
    r = api(world.ta_a).get("/api/v1/briefings/")
    assert r.status_code == 200 and r.json()["count"] == 1
    [row] = r.json()["results"]
    assert row["id"] == briefing.pk and row["child"] == world.child_a.pk and row["child_name"] == "Alfie Adams"
    assert row["class"] == world.class_a.pk and row["role"] == "key_worker" and row["acknowledged_at"] is None
    assert row["changed_by_name"] == "Helen Head" and row["url"] == f"/briefings/{briefing.pk}/"
    assert {c["field"]: (c["before"], c["after"]) for c in row["changes"]} == {"allergies": ("", "Peanuts"), "religion": ("", "Sikh")}


def test_filters(world, api, clock):
    first = _change(world, allergies="Peanuts")
    clock.shift(60)
    second = _change(world, religion="Sikh")
    client = api(world.ta_a)
    client.post(f"/api/v1/briefings/{first.pk}/acknowledge/")
    ids = lambda q: [r["id"] for r in client.get(f"/api/v1/briefings/?{q}").json()["results"]]  # noqa: E731
    assert ids("status=pending") == [second.pk]
    assert ids("status=acknowledged") == [first.pk]
    assert ids(f"class={world.class_a.pk}") == [second.pk, first.pk]
    assert ids(f"class={world.class_b.pk}") == []
    assert ids(f"child={world.child_a.pk}") == [second.pk, first.pk]


@pytest.mark.parametrize("query,field", [("status=maybe", "status"), ("class=abc", "class"), ("child=0", "child"),
                                          ("child=99999999999999999999999", "child")])
def test_bad_filters_answer_per_field(world, api, query, field):
    r = api(world.ta_a).get(f"/api/v1/briefings/?{query}")
    assert r.status_code == 400 and field in r.json()["errors"]


def test_acknowledge_one_then_again(world, api, clock):
    briefing = _change(world)
    client = api(world.ta_a)
    r = client.post(f"/api/v1/briefings/{briefing.pk}/acknowledge/")
    assert r.status_code == 200 and r.json()["acknowledged_at"]
    first = r.json()["acknowledged_at"]
    clock.shift(60)
    assert client.post(f"/api/v1/briefings/{briefing.pk}/acknowledge/").json()["acknowledged_at"] == first


@pytest.mark.parametrize("persona", ["teacher_b", "headteacher", "outsider"])
def test_a_briefing_not_sent_to_me_is_404(world, api, persona):
    briefing = _change(world, world.admin_office)
    client = api(world.personas[persona])
    assert client.get(f"/api/v1/briefings/{briefing.pk}/").status_code == 404
    assert client.post(f"/api/v1/briefings/{briefing.pk}/acknowledge/").status_code == 404
    assert not BriefingRecipient.objects.filter(acknowledged_at__isnull=False).exists()


def test_acknowledge_all_for_a_child(world, api, clock):
    _change(world, allergies="Peanuts")
    clock.shift(60)
    _change(world, religion="Sikh")
    client = api(world.ta_a)
    r = client.post("/api/v1/briefings/acknowledge-all/", {"child": world.child_a.pk}, format="json")
    assert r.status_code == 200 and r.json() == {"child": world.child_a.pk, "acknowledged": 2}
    assert client.post("/api/v1/briefings/acknowledge-all/", {"child": world.child_a.pk}, format="json").json()["acknowledged"] == 0


@pytest.mark.parametrize("body", [{}, {"child": "x"}, {"child": -1}, {"child": None}])
def test_acknowledge_all_answers_per_field(world, api, body):
    r = api(world.ta_a).post("/api/v1/briefings/acknowledge-all/", body, format="json")
    assert r.status_code == 400 and "child" in r.json()["errors"]


def test_acknowledge_all_outside_scope_is_404(world, api):
    assert api(world.ta_a).post("/api/v1/briefings/acknowledge-all/", {"child": world.child_b.pk}, format="json").status_code == 404
    assert api(world.outsider).post("/api/v1/briefings/acknowledge-all/", {"child": world.child_a.pk}, format="json").status_code == 404


def test_anonymous_is_refused(world, api):
    assert api(None).get("/api/v1/briefings/").status_code in (401, 403)


def test_a_fixed_number_of_queries_with_1_or_20_briefings(world, api, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(world.ta_a)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/briefings/?status=pending").status_code == 200
        return len(ctx.captured_queries)

    _change(world, allergies="A0")
    one = count()
    for i in range(1, 20):
        clock.shift(60)
        _change(world, allergies=f"A{i}", religion=f"R{i}")
    assert count() == one


def test_the_schema_lists_the_briefing_endpoints(world, api):
    r = api(world.ta_a).get("/api/v1/schema/?format=json")
    paths = r.json()["paths"]
    assert "/api/v1/briefings/" in paths and "/api/v1/briefings/{id}/acknowledge/" in paths
    assert "/api/v1/briefings/acknowledge-all/" in paths


@pytest.mark.parametrize("url", ["/api/v1/briefings/99999999999999999999999/", "/api/v1/briefings/99999999999999999999999/acknowledge/"])
def test_an_absurd_id_is_404(world, api, url):
    client = api(world.ta_a)
    assert (client.post(url) if url.endswith("acknowledge/") else client.get(url)).status_code == 404
