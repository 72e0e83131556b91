"""API v1: register codes, bulk mark upload (all or nothing, a message per item), rates."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from keyworker.attendance.models import AttendanceMark
from keyworker.people.models import Child

from .factories import put_many

WED = dt.date(2026, 11, 18)
MARKS = "/api/v1/attendance/marks/"
RATES = "/api/v1/attendance/rates/"


@pytest.fixture
def api():
    def client_for(staff):
        client = APIClient()
        if staff is not None:
            client.force_authenticate(user=staff.user)
        return client

    return client_for


def test_codes(world, api):
    response = api(world.ta_a).get("/api/v1/attendance/codes/")
    assert response.status_code == 200
    assert {"code": "N", "meaning": "Reason not yet known (replace within 5 school days)", "category": "unauthorised",
            "possible": True} in response.json()


def test_bulk_upload(world, api):
    kids = list(Child.objects.filter(group=world.class_a).order_by("id"))
    body = {"marks": [{"child": k.pk, "date": "2026-11-18", "session": "AM", "code": "/"} for k in kids]}
    response = api(world.teacher_a).post(MARKS, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"created": 2, "changed": 0, "unchanged": 0}
    assert AttendanceMark.objects.count() == 2


def test_bulk_upload_refused_item_by_item(world, api):
    body = {"marks": [
        {"child": world.child_a.pk, "date": "2026-11-18", "session": "AM", "code": "/"},
        {"child": world.child_a.pk, "date": "2026-11-14", "session": "AM", "code": "/"},
        {"child": world.child_a.pk, "date": "2026-11-17", "session": "PM", "code": "QQ"},
    ]}
    response = api(world.teacher_a).post(MARKS, body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]["marks"]
    assert errors[0].startswith("item 1: Sat 14 November 2026 is not a school day") and errors[1] == "item 2: “QQ” is not a register code."
    assert not AttendanceMark.objects.exists()


@pytest.mark.parametrize("body", [
    {}, {"marks": []}, {"marks": [{"child": "x", "date": "2026-13-01", "session": "XX", "code": ""}]}, {"marks": "nope"},
])
def test_bulk_upload_bad_input_is_a_400(world, api, body):
    response = api(world.teacher_a).post(MARKS, body, format="json")
    assert response.status_code == 400 and "errors" in response.json()


def test_bulk_upload_scope(world, api):
    other = Child.objects.get(organisation=world.other_org)
    body = {"marks": [{"child": other.pk, "date": "2026-11-18", "session": "AM", "code": "/"}]}
    response = api(world.headteacher).post(MARKS, body, format="json")
    assert response.status_code == 400 and "no such child" in response.json()["errors"]["marks"][0]
    body = {"marks": [{"child": world.child_b.pk, "date": "2026-11-18", "session": "AM", "code": "/"}]}
    response = api(world.teacher_a).post(MARKS, body, format="json")
    assert response.status_code == 400 and "not in your class" in response.json()["errors"]["marks"][0]
    assert api(None).post(MARKS, body, format="json").status_code in (401, 403)


def test_rates(world, api):
    put_many(world.child_a, [(dt.date(2026, 11, 16), "AM", "/"), (dt.date(2026, 11, 16), "PM", "N"),
                             (dt.date(2026, 11, 17), "AM", "D")])
    response = api(world.teacher_a).get(RATES, {"class": world.class_a.pk, "period": "week"})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["from"], data["to"]) == ("2026-11-16", "2026-11-18")
    alfie = next(r for r in data["children"] if r["child"] == world.child_a.pk)
    assert (alfie["possible"], alfie["not_possible"], alfie["attendance_percent"], alfie["band"]) == (2, 1, 50.0, "severe")
    assert data["total"]["possible"] == 2
    response = api(world.headteacher).get(RATES, {"setting": world.school.pk, "from": "2026-09-01", "to": "2026-11-18"})
    assert response.status_code == 200 and len(response.json()["children"]) == 3
    response = api(world.ta_a).get(RATES, {"child": world.child_a.pk})
    assert response.json()["from"] == "2026-09-02"


@pytest.mark.parametrize("params", [
    {}, {"child": 1, "class": 1}, {"child": "x"}, {"setting": 1, "from": "2026-09-01"},
    {"setting": 1, "from": "2026-11-01", "to": "2026-09-01"}, {"setting": 1, "period": "decade"},
])
def test_rates_bad_input(world, api, params):
    response = api(world.headteacher).get(RATES, params)
    assert response.status_code == 400 and "errors" in response.json()


def test_rates_scope(world, api):
    assert api(world.outsider).get(RATES, {"child": world.child_a.pk}).status_code == 404
    assert api(world.outsider).get(RATES, {"class": world.class_a.pk}).status_code == 404
    assert api(world.outsider).get(RATES, {"setting": world.school.pk}).status_code == 404
    assert api(world.teacher_b).get(RATES, {"child": world.child_a.pk}).status_code == 404


def test_rates_queries_are_fixed(world, api, django_assert_max_num_queries):
    from keyworker.testing import make_child, make_family

    client = api(world.headteacher)
    client.get(RATES, {"setting": world.school.pk})
    for _ in range(20):
        kid = make_child(make_family(world.org), world.school, world.class_a)
        put_many(kid, [(dt.date(2026, 11, 16), "AM", "/")])
    with django_assert_max_num_queries(12):
        assert client.get(RATES, {"setting": world.school.pk}).status_code == 200


def test_schema_describes_the_attendance_paths(world, api):
    response = api(world.headteacher).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"] if response["Content-Type"].startswith("application/json") else response.content.decode()
    for p in ("/api/v1/attendance/marks/", "/api/v1/attendance/rates/", "/api/v1/attendance/codes/"):
        assert p in paths
