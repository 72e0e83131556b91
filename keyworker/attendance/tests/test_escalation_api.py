"""API v1: attendance concerns, scoped like the pages."""

import pytest
from rest_framework.test import APIClient

from .test_escalation_views import concern  # noqa: F401  (the fixture)

URL = "/api/v1/attendance/concerns/"


@pytest.fixture
def api():
    def client_for(staff):
        client = APIClient()
        client.force_authenticate(user=staff.user)
        return client

    return client_for


def test_concerns_for_the_deputy_and_the_key_worker(world, api, concern):  # noqa: F811
    for staff in (world.deputy, world.ta_a):
        rows = api(staff).get(URL).json()
        assert [(r["name"], r["tier_name"], r["rate_at_open"]) for r in rows] == [("Alfie Adams", "Persistent absence", 90.0)]
    assert api(world.teacher_b).get(URL).json() == []
    assert api(world.outsider).get(URL).json() == []
    assert api(world.deputy).get(URL + "?tier=1").json() == []


def test_concern_with_its_log(world, api, concern):  # noqa: F811
    body = api(world.deputy).get(f"{URL}{concern.pk}/").json()
    assert body["status"] == "open" and [a["kind"] for a in body["actions"]] == ["opened"]
    assert api(world.teacher_b).get(f"{URL}{concern.pk}/").status_code == 404
    assert api(world.outsider).get(f"{URL}{concern.pk}/").status_code == 404


def test_bad_filter_is_a_message_per_field(world, api, concern):  # noqa: F811
    response = api(world.deputy).get(URL + "?status=maybe&tier=x")
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"status", "tier"}
