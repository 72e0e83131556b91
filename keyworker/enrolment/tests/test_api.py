"""The enrolment forms API: list and read (scoped), accept, ask for changes; errors per field; outsiders 404."""

import pytest
from rest_framework.test import APIClient

from ..models import FormState
from ..services import enrolment_save, enrolment_send
from .helpers import ANSWERS, make_nursery

pytestmark = pytest.mark.django_db


def api(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=staff.user)
    return client


def _sent(nursery):
    enrolment_save(link=nursery.carer, child=nursery.child, answers=ANSWERS)
    return enrolment_send(link=nursery.carer, child=nursery.child)


def test_list_read_and_accept(world):
    nursery = make_nursery(world)
    form = _sent(nursery)
    client = api(nursery.key_person)
    data = client.get("/api/v1/enrolment-forms/?state=sent").json()
    assert [r["id"] for r in data["results"]] == [form.pk]
    one = client.get(f"/api/v1/enrolment-forms/{form.pk}/").json()
    assert one["allergies"] == "Peanuts: EpiPen in the bag" and one["sun_cream_consent"] is False and one["missing"] == []
    response = client.post(f"/api/v1/enrolment-forms/{form.pk}/accept/")
    assert response.status_code == 200 and response.json()["state"] == FormState.ACCEPTED
    again = client.post(f"/api/v1/enrolment-forms/{form.pk}/accept/")
    assert again.status_code == 400 and again.json()["rule"] == "not_sent"


def test_ask_for_changes_with_an_error_per_field(world):
    nursery = make_nursery(world)
    form = _sent(nursery)
    client = api(nursery.manager)
    response = client.post(f"/api/v1/enrolment-forms/{form.pk}/ask-changes/", {}, format="json")
    assert response.status_code == 400 and "note" in response.json()["errors"]
    response = client.post(f"/api/v1/enrolment-forms/{form.pk}/ask-changes/", {"note": "Add the dose"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == FormState.CHANGES_ASKED
    assert client.get("/api/v1/enrolment-forms/?state=nonsense").status_code == 400


def test_outsiders_get_404(world):
    nursery = make_nursery(world)
    form = _sent(nursery)
    for staff in (world.outsider, world.teacher_a):
        client = api(staff)
        assert client.get(f"/api/v1/enrolment-forms/{form.pk}/").status_code == 404
        assert client.post(f"/api/v1/enrolment-forms/{form.pk}/accept/").status_code == 404
        assert client.get("/api/v1/enrolment-forms/").json()["results"] == []


def test_carer_corrections_appear_in_the_corrections_api(world):
    from keyworker.datachecks.carer_side import datacheck_portal_confirm
    from keyworker.testing import carer_account

    carer = world.family_a.carers.first()
    carer_account(carer)
    carer.refresh_from_db()
    datacheck_portal_confirm(link=carer, changes={f"carer.{carer.pk}.phone": "07700 900999"})
    rows = api(world.admin_office).get("/api/v1/data-check-corrections/?state=proposed").json()["results"]
    assert [(r["proposed_value"], r["proposed_by_carer"], r["proposed_by"]) for r in rows] == [("07700 900999", carer.pk, "")]
