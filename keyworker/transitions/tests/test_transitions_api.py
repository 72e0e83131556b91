"""The transitions API: plans, visits and write-ups; errors per field; 404 outside scope."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from .. import services
from .helpers import PLAN, at, plan_for, visit, year6

pytestmark = pytest.mark.django_db

FIRST = dt.date(2026, 11, 30)


def api(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=staff.user)
    return client


def test_create_a_plan_add_a_visit_and_share_the_dates(world):
    client = api(world.ta_a)
    child = year6(world.child_a)
    made = client.post("/api/v1/transition-plans/", {"child": child.pk, **PLAN}, format="json")
    assert made.status_code == 201, made.json()
    plan_id = made.json()["id"]
    assert made.json()["warning"] == ""
    v = client.post(f"/api/v1/transition-plans/{plan_id}/visits/", {
        "starts_at": at(FIRST, 9).isoformat(), "ends_at": at(FIRST, 11).isoformat(), "staff": [world.ta_a.pk]},
        format="json")
    assert v.status_code == 201, v.json()
    assert v.json()["staff"] == [world.ta_a.pk]
    shared = client.post(f"/api/v1/transition-plans/{plan_id}/share-dates/")
    assert shared.status_code == 200 and len(shared.json()["shares"]) == 1
    listing = client.get("/api/v1/transition-plans/").json()
    assert [r["id"] for r in listing["results"]] == [plan_id]


def test_errors_per_field(world):
    client = api(world.ta_a)
    other_child = world.other_family.children.get()
    bad = client.post("/api/v1/transition-plans/", {"child": other_child.pk, "destination_school": "X"}, format="json")
    assert bad.status_code == 400 and "child" in bad.json()["errors"]
    bad = client.post("/api/v1/transition-plans/", {"child": world.child_a.pk, "destination_school": "",
                                                    "destination_email": "nope"}, format="json")
    assert bad.status_code == 400 and {"destination_school", "destination_email"} <= set(bad.json()["errors"])
    plan = plan_for(world)
    bad = client.post(f"/api/v1/transition-plans/{plan.pk}/visits/", {
        "starts_at": at(FIRST, 11).isoformat(), "ends_at": at(FIRST, 9).isoformat()}, format="json")
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["ends_at"]
    bad = client.post(f"/api/v1/transition-plans/{plan.pk}/visits/", {
        "starts_at": at(dt.date(2026, 11, 2), 9).isoformat(), "ends_at": at(dt.date(2026, 11, 2), 10).isoformat()},
        format="json")
    assert bad.status_code == 400 and "starts_at" in bad.json()["errors"]
    bad = client.post(f"/api/v1/transition-plans/{plan.pk}/visits/", {"starts_at": "soon"}, format="json")
    assert bad.status_code == 400 and {"starts_at", "ends_at"} <= set(bad.json()["errors"])


def test_write_up_through_the_api(world, clock):
    plan = plan_for(world)
    v = visit(world, plan, FIRST)
    services.transition_dates_share(actor=world.actor(world.ta_a), plan=plan)
    clock.move_to(at(FIRST, 15))
    client = api(world.ta_a)
    early = client.post(f"/api/v1/transition-visits/{v.pk}/write-up/", {"write_up": "ok"}, format="json")
    assert early.status_code == 400 and "write_up" in early.json()["errors"]
    done = client.post(f"/api/v1/transition-visits/{v.pk}/write-up/",
                       {"write_up": "Alfie met his tutor and loved the lab.", "share": True}, format="json")
    assert done.status_code == 200 and done.json()["shared_on"] == "2026-11-30"


def test_404_outside_scope(world):
    plan = plan_for(world)
    v = visit(world, plan, FIRST)
    for staff in (world.outsider, world.teacher_b):
        client = api(staff)
        assert client.get(f"/api/v1/transition-plans/{plan.pk}/").status_code == 404
        assert client.post(f"/api/v1/transition-plans/{plan.pk}/share-dates/").status_code == 404
        assert client.get(f"/api/v1/transition-visits/{v.pk}/").status_code == 404
        assert client.post(f"/api/v1/transition-visits/{v.pk}/write-up/", {"write_up": "x" * 20},
                           format="json").status_code == 404
    assert api(world.outsider).get("/api/v1/transition-plans/").json()["results"] == []
