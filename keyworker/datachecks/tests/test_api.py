"""The data checks API: list with filters, record a carer's confirmation, admin confirm, apply or reject; scoped."""

import pytest
from rest_framework.test import APIClient

from keyworker.people.models import Carer

from ..models import CheckState, Correction, CorrectionState
from .helpers import carer_confirm, complete

pytestmark = pytest.mark.django_db


def api(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=staff.user)
    return client


def _body(world, **extra):
    carer = world.family_a.carers.first()
    body = {"child": world.child_a.pk, "carer": carer.pk, "method": "in_person", "confirmed_on": "2026-11-18", "all_correct": True}
    body.update(extra)
    return body


def test_record_a_carers_confirmation_with_a_difference(world):
    carer = world.family_a.carers.first()
    body = _body(world, all_correct=False, differences=[{"field": f"carer.{carer.pk}.phone", "proposed_value": "07700 900456",
                                                           "note": "New mobile"}])
    response = api(world.ta_a).post("/api/v1/data-checks/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == CheckState.AWAITING_ADMIN and data["half_term_name"] == "Autumn 2"
    assert data["corrections"][0]["key"] == f"carer.{carer.pk}.phone"
    assert data["corrections"][0]["current_value"] == "07700 900123"

    again = api(world.teacher_a).post("/api/v1/data-checks/", _body(world), format="json")
    assert again.status_code == 400 and again.json()["rule"] == "already_confirmed"


@pytest.mark.parametrize(("extra", "field"), [
    ({"method": "portal"}, "method"),
    ({"confirmed_on": "18/11/2026"}, "confirmed_on"),
    ({"confirmed_on": "2026-10-28"}, "confirmed_on"),
    ({"all_correct": False}, "differences"),
    ({"all_correct": False, "differences": [{"field": "child.date_of_birth", "proposed_value": "soon"}]},
     "differences.0.proposed_value"),
    ({"all_correct": False, "differences": [{"field": "child.nickname", "proposed_value": "Alf"}]}, "differences.0.field"),
    ({"child": 10**12}, "child"),
])
def test_errors_are_per_field(world, extra, field):
    response = api(world.ta_a).post("/api/v1/data-checks/", _body(world, **extra), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()


def test_no_contact_carer_is_refused(world):
    carer = world.family_a.carers.first()
    Carer.objects.filter(pk=carer.pk).update(contact_restriction="no_contact")
    response = api(world.ta_a).post("/api/v1/data-checks/", _body(world), format="json")
    assert response.status_code == 400 and response.json()["rule"] == "no_contact"


def test_children_outside_scope_are_not_found(world):
    response = api(world.ta_a).post("/api/v1/data-checks/", _body(world, child=world.child_b.pk), format="json")
    assert response.status_code == 400 and response.json()["errors"]["child"] == ["Not found."]
    check = complete(world)
    assert api(world.teacher_b).get(f"/api/v1/data-checks/{check.pk}/").status_code == 404
    assert api(world.outsider).get(f"/api/v1/data-checks/{check.pk}/").status_code == 404
    assert api(world.outsider).get("/api/v1/data-checks/").json()["count"] == 0


def test_list_filters(world):
    complete(world)
    carer_confirm(world, child=world.child_b, staff=world.teacher_b)
    client = api(world.headteacher)
    assert client.get("/api/v1/data-checks/").json()["count"] == 2
    assert [c["child"] for c in client.get(f"/api/v1/data-checks/?class_id={world.class_b.pk}").json()["results"]] == [world.child_b.pk]
    assert client.get("/api/v1/data-checks/?state=complete").json()["count"] == 1
    half_term = client.get("/api/v1/data-checks/").json()["results"][0]["half_term"]
    assert client.get(f"/api/v1/data-checks/?half_term={half_term}").json()["count"] == 2
    bad = client.get("/api/v1/data-checks/?state=done&half_term=x")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"state", "half_term"}


def test_admin_confirm_and_corrections(world):
    carer = world.family_a.carers.first()
    check = carer_confirm(world, differences=[(f"carer.{carer.pk}.phone", "07700 900456"), ("child.legal_first_name", "Alfred")])
    phone, name = Correction.objects.filter(data_check=check).order_by("id")
    admin = api(world.admin_office)
    assert admin.get("/api/v1/data-check-corrections/?state=proposed").json()["count"] == 2

    assert api(world.ta_a).post(f"/api/v1/data-check-corrections/{phone.pk}/apply/").status_code == 403
    assert api(world.outsider).post(f"/api/v1/data-check-corrections/{phone.pk}/apply/").status_code == 404

    waiting = admin.post(f"/api/v1/data-checks/{check.pk}/admin-confirm/", {}, format="json")
    assert waiting.status_code == 400 and waiting.json()["rule"] == "corrections_waiting"

    response = admin.post(f"/api/v1/data-check-corrections/{phone.pk}/apply/")
    assert response.status_code == 200 and response.json()["state"] == CorrectionState.APPLIED
    assert Carer.objects.get(pk=carer.pk).phone == "07700 900456"

    no_reason = admin.post(f"/api/v1/data-check-corrections/{name.pk}/reject/", {"reason": ""}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    response = admin.post(f"/api/v1/data-check-corrections/{name.pk}/reject/", {"reason": "Birth certificate"}, format="json")
    assert response.status_code == 200 and response.json()["reason"] == "Birth certificate"

    assert api(world.ta_a).post(f"/api/v1/data-checks/{check.pk}/admin-confirm/", {}, format="json").status_code == 403
    response = admin.post(f"/api/v1/data-checks/{check.pk}/admin-confirm/", {"note": "Done"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == CheckState.COMPLETE


def test_the_schema_lists_the_endpoints(world):
    schema = api(world.headteacher).get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/data-checks/{id}/admin-confirm/" in schema and "/api/v1/data-check-corrections/{id}/reject/" in schema


def test_list_takes_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    from .test_pages import _add_children

    client = api(world.headteacher)
    _add_children(world, 4)
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/data-checks/")
    _add_children(world, 20)
    with django_assert_max_num_queries(len(few)):
        assert client.get("/api/v1/data-checks/").json()["count"] > 10
