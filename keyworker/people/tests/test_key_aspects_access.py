"""Every read of a child's key aspects (medical needs, allergies, plans) is logged: one row per child per read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from keyworker.people.models import KeyAspectsAccess
from keyworker.testing import make_child


def _api(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=staff.user)
    return client


def test_opening_the_childs_page_logs_one_read(world, client_for):
    response = client_for(world.ta_a).get(reverse("people:child", args=[world.child_a.pk]))
    assert response.status_code == 200
    row = KeyAspectsAccess.objects.get()
    assert (row.child_id, row.user_id, row.route, row.description) == (
        world.child_a.pk, world.ta_a.user_id, "page", str(world.child_a))


def test_an_outsider_gets_404_and_nothing_is_logged(world, client_for):
    assert client_for(world.outsider).get(reverse("people:child", args=[world.child_a.pk])).status_code == 404
    assert not KeyAspectsAccess.objects.exists()


def test_the_api_logs_reads_of_one_child_and_of_its_key_aspects(world):
    client = _api(world.teacher_a)
    assert client.get(f"/api/v1/children/{world.child_a.pk}/").status_code == 200
    assert client.get(f"/api/v1/children/{world.child_a.pk}/key-aspects/").status_code == 200
    assert list(KeyAspectsAccess.objects.values_list("route", flat=True)) == ["api", "api"]


def test_the_api_list_logs_each_child_returned_in_a_fixed_number_of_queries(world):
    client = _api(world.headteacher)
    client.get("/api/v1/children/")
    with CaptureQueriesContext(connection) as few:
        response = client.get("/api/v1/children/")
    returned = len(response.json()["results"])
    assert KeyAspectsAccess.objects.filter(route="list").count() == 2 * returned
    for _ in range(5):
        make_child(world.family_a, world.school, world.class_a)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/children/")
    assert len(response.json()["results"]) == returned + 5
    assert len(many) == len(few)
    assert KeyAspectsAccess.objects.filter(route="list").count() == 3 * returned + 5


@pytest.mark.parametrize("persona", ["outsider"])
def test_children_out_of_scope_are_404_in_the_api_and_not_logged(world, persona):
    assert _api(getattr(world, persona)).get(f"/api/v1/children/{world.child_a.pk}/").status_code == 404
    assert not KeyAspectsAccess.objects.filter(child_id=world.child_a.pk).exists()
