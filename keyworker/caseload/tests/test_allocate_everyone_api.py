"""POST /api/v1/allocations/propose/ and /apply/: the proposal, then the chosen rows with one reason, all or nothing."""

import pytest

from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.people.models import ProtectionStatus
from keyworker.testing import allocate, make_child, make_family

pytestmark = pytest.mark.django_db

PROPOSE, APPLY = "/api/v1/allocations/propose/", "/api/v1/allocations/apply/"


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    def client_for(staff):
        client = APIClient()
        client.force_authenticate(user=staff.user)
        return client

    return client_for


def test_propose_returns_a_row_per_family_without_a_key_worker(world, api):
    make_child(world.family_unallocated, world.school, world.class_a, protection_status=ProtectionStatus.CHILD_IN_NEED)
    r = api(world.headteacher).post(PROPOSE, {"setting": world.school.pk}, format="json")
    assert r.status_code == 200, r.content
    [row] = r.json()["rows"]
    assert row["family"] == world.family_unallocated.pk and row["child_protection"] is True
    assert row["proposed"] == world.teacher_a.pk and row["caseload_after"] == 1
    assert row["options"] == [{"id": world.teacher_a.pk, "name": "Tara Teacher", "teacher": True}]
    assert {c["class_name"] for c in row["children"]} == {"Ash"}
    assert not KeyWorkerAllocation.objects.filter(family=world.family_unallocated).exists()  # nothing saved


def test_apply_allocates_and_reports_families_allocated_meanwhile(world, api):
    other = make_family(world.org, "The Dunn family")
    make_child(other, world.school, world.class_b)
    allocate(other, world.school, world.teacher_b)
    r = api(world.headteacher).post(APPLY, {"setting": world.school.pk, "reason": "First day", "rows": [
        {"family": world.family_unallocated.pk, "staff": world.ta_a.pk},
        {"family": other.pk, "staff": world.safeguarding_lead.pk},
    ]}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert [(a["family"], a["staff"]) for a in body["allocated"]] == [(world.family_unallocated.pk, world.ta_a.pk)]
    assert body["skipped"][0]["family"] == other.pk and "Ben Teacher" in body["skipped"][0]["message"]


def test_apply_is_all_or_nothing_with_a_message_per_row(world, api):
    other = make_family(world.org, "The Dunn family")
    make_child(other, world.school, world.class_b)
    r = api(world.headteacher).post(APPLY, {"setting": world.school.pk, "reason": "First day", "rows": [
        {"family": world.family_unallocated.pk, "staff": world.teacher_b.pk},
        {"family": other.pk, "staff": world.teacher_b.pk},
    ]}, format="json")
    assert r.status_code == 400
    body = r.json()
    assert body["rule"] == "rows"
    assert body["errors"]["rows"] == [f"family {world.family_unallocated.pk}: " + body["row_errors"][str(world.family_unallocated.pk)]]
    assert "not on the class team" in body["row_errors"][str(world.family_unallocated.pk)]
    assert not KeyWorkerAllocation.objects.filter(family__in=[other, world.family_unallocated]).exists()


def test_apply_needs_a_reason_and_rows(world, api):
    r = api(world.headteacher).post(APPLY, {"setting": world.school.pk, "rows": []}, format="json")
    assert r.status_code == 400 and {"reason", "rows"} <= set(r.json()["errors"])


def test_an_outsider_gets_404_and_a_key_worker_403(world, api):
    rows = [{"family": world.family_unallocated.pk, "staff": world.ta_a.pk}]
    assert api(world.outsider).post(PROPOSE, {"setting": world.school.pk}, format="json").status_code == 404
    assert api(world.outsider).post(APPLY, {"setting": world.school.pk, "reason": "Mine", "rows": rows}, format="json").status_code == 404
    assert api(world.ta_a).post(PROPOSE, {"setting": world.school.pk}, format="json").status_code == 403
    assert api(world.ta_a).post(APPLY, {"setting": world.school.pk, "reason": "Mine", "rows": rows}, format="json").status_code == 403
    assert not KeyWorkerAllocation.objects.filter(family=world.family_unallocated).exists()


def test_the_routes_are_in_the_schema(world, api):
    schema = api(world.headteacher).get("/api/v1/schema/").content.decode()
    assert "/api/v1/allocations/propose/" in schema and "/api/v1/allocations/apply/" in schema
