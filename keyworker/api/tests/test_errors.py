"""Whatever a caller types, the answer is JSON: 400 with messages per field, 404, 405 — never a 500."""

import json

import pytest

from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.people.models import Carer

from .helpers import assert_error

pytestmark = pytest.mark.django_db

JUNK = [
    None, "", " ", "abc", "x" * 5000, 0, -1, 1.5, 10**30, -(10**30), True, [], {}, [1, 2], {"id": 1},
    "2020-02-30", "1e3", "0x10", "٣", "\x00", "a\x00b", "\ud800", "'; DROP TABLE people_family; --", "9" * 5000,
]


def write_targets(world) -> list[tuple[str, str, dict]]:
    carer = Carer.objects.filter(family=world.family_a).first()
    allocation = KeyWorkerAllocation.objects.get(family=world.family_a)
    child = {
        "legal_first_name": "Eve", "legal_last_name": "Adams", "date_of_birth": "2019-01-01", "family": world.family_a.pk,
        "setting": world.school.pk, "class": world.class_a.pk, "enrolled_on": "2024-09-01", "upn": "", "left_on": None,
        "has_ehcp": False, "preferred_name": "", "year_group": "", "mis_reference": "",
    }
    carer_data = {
        "family": world.family_a.pk, "first_name": "Ann", "last_name": "Adams", "relationship": "mother", "phone": "0770",
        "email": "", "preferred_contact_method": "phone", "contact_restriction": "", "restriction_notes": "",
        "contact_order": 2, "parental_responsibility": True, "title": "", "address": "", "first_language": "English",
    }
    return [
        ("post", "/api/v1/families/", {"name": "The Dale family", "address": "", "mis_reference": ""}),
        ("patch", f"/api/v1/families/{world.family_a.pk}/", {"name": "The Adams family", "address": ""}),
        ("post", "/api/v1/children/", child),
        ("patch", f"/api/v1/children/{world.child_a.pk}/", child),
        ("post", "/api/v1/carers/", carer_data),
        ("patch", f"/api/v1/carers/{carer.pk}/", {k: v for k, v in carer_data.items() if k != "family"}),
        ("patch", f"/api/v1/children/{world.child_a.pk}/key-aspects/", {"medical_needs": "None", "religion": ""}),
        ("post", "/api/v1/allocations/assign/",
         {"family": world.family_unallocated.pk, "setting": world.school.pk, "staff": world.teacher_a.pk, "reason": "Because"}),
        ("post", f"/api/v1/allocations/{allocation.pk}/reassign/", {"staff": world.teacher_a.pk, "reason": "Because"}),
    ]


def test_junk_in_every_field_is_never_a_500(world, api):
    client = api(world.headteacher)
    for method, url, valid in write_targets(world):
        for field in valid:
            for value in JUNK:
                # Encoded here: the test client's renderer cannot encode a lone surrogate, a caller can.
                body = json.dumps({**valid, field: value})
                response = client.generic(method.upper(), url, body, content_type="application/json")
                assert response.status_code in (200, 201, 400), (method, url, field, value, response.status_code)
                body = response.json()
                if response.status_code == 400:
                    assert isinstance(body["errors"], dict) and body["errors"], body
                    assert set(body["codes"]) == set(body["errors"])
                    assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages), body


@pytest.mark.parametrize("payload", ["{bad json", "[1, 2", '{"name": "x"', "\xff\xfe", "null", "42", '"text"', "[]"])
def test_malformed_or_wrongly_shaped_json(world, api, payload):
    response = api(world.headteacher).generic("POST", "/api/v1/families/", payload.encode("utf-8", "surrogatepass"),
                                              content_type="application/json")
    body = assert_error(response, "non_field_errors")
    assert body["codes"]["non_field_errors"][0] in ("parse_error", "invalid", "null")


def test_form_encoded_input_is_accepted_and_validated(world, api):
    client = api(world.admin_office)
    response = client.post("/api/v1/families/", {"name": "The Form family"})
    assert response.status_code == 201
    assert_error(client.post("/api/v1/children/", {"family": "abc", "setting": ""}), "family")


def test_unsupported_media_type(world, api):
    response = api(world.headteacher).generic("POST", "/api/v1/families/", b"name=x", content_type="text/plain")
    assert response.status_code == 415
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/families/999999/", "/api/v1/families/abc/", "/api/v1/families/-1/", "/api/v1/families/1.5/",
        f"/api/v1/families/{10**30}/", f"/api/v1/families/{'9' * 5000}/", "/api/v1/children/0/key-aspects/",
        "/api/v1/nothing-here/", "/api/v1/families/1/nothing/", "/api/v1/allocations/999999/end/",
    ],
)
def test_not_found_is_json(world, api, url):
    for method in ("get", "post", "patch"):
        response = getattr(api(world.headteacher), method)(url, {}, format="json")
        assert response.status_code in (404, 405), (method, url)
        if response.status_code == 404:
            assert response.json() == {"detail": "Not found."}


def test_method_not_allowed_is_json(world, api):
    response = api(world.headteacher).delete(f"/api/v1/families/{world.family_a.pk}/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


@pytest.mark.parametrize(
    "query", ["limit=abc", "limit=-5", "limit=0", f"limit={10**30}", f"offset={10**30}", "offset=-1", "offset=abc",
              "search=" + "x" * 500, "search=%00", "search=%ED%A0%80", "unknown=1"],
)
def test_query_parameters(world, api, query):
    response = api(world.headteacher).get(f"/api/v1/families/?{query}")
    assert response.status_code in (200, 400), query
    if response.status_code == 400:
        assert_error(response, "search")


def test_limit_is_capped(world, api):
    body = api(world.headteacher).get("/api/v1/families/?limit=100000").json()
    assert body["count"] == 3 and len(body["results"]) == 3
    assert "limit=200" in (api(world.headteacher).get("/api/v1/families/?limit=100000&offset=0").json()["next"] or "limit=200")


@pytest.mark.parametrize("query", ["family=abc", "setting=0", "class=x", f"family={10**30}"])
def test_bad_child_filters(world, api, query):
    assert api(world.headteacher).get(f"/api/v1/children/?{query}").status_code == 400


def test_errors_roll_back_the_whole_write(world, api):
    client = api(world.headteacher)
    allocation = KeyWorkerAllocation.objects.get(family=world.family_a)
    response = client.post(f"/api/v1/allocations/{allocation.pk}/reassign/", {"staff": world.teacher_b.pk, "reason": "Move"}, format="json")
    assert response.status_code == 400
    allocation.refresh_from_db()
    assert allocation.ends_at is None


def test_response_bodies_are_json_dates_iso(world, api):
    body = api(world.headteacher).get(f"/api/v1/children/{world.child_a.pk}/").json()
    assert body["date_of_birth"] == "2018-05-01"
    assert json.loads(json.dumps(body)) == body


def test_errors_inside_a_list_are_named_by_their_path(world, api):
    """One flat list of messages per field, as the schema says: an item's field is "marks.1.session", not an object."""
    good = {"child": world.child_a.pk, "date": "2026-11-16", "session": "AM", "code": "/"}
    response = api(world.headteacher).post(
        "/api/v1/attendance/marks/", {"marks": [good, {**good, "session": "noon", "date": "soon"}]}, format="json")
    body = assert_error(response, "marks.1.session")
    assert set(body["errors"]) == {"marks.1.session", "marks.1.date"}
    assert all(isinstance(v, list) and all(isinstance(m, str) for m in v) for v in body["errors"].values())
    assert body["codes"]["marks.1.session"] == ["invalid_choice"]
