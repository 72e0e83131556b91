"""Allocation actions: assign, reassign, end; the rules' refusals as field errors with their codes; filters."""

import pytest

from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.people.models import Child, ProtectionStatus

from .helpers import PERSONAS, VISIBLE_FAMILIES, assert_error, ids

pytestmark = pytest.mark.django_db

ALLOCATORS = {"headteacher", "deputy", "outsider"}


def assign(client, world, family, staff, reason="Joined class A in September"):
    return client.post(
        "/api/v1/allocations/assign/", {"family": family.pk, "setting": world.school.pk, "staff": staff.pk, "reason": reason},
        format="json",
    )


def current_of(family):
    return KeyWorkerAllocation.objects.filter(family=family, ends_at__isnull=True).first()


@pytest.mark.parametrize("persona", PERSONAS)
def test_assign_permission_matrix(world, api, persona):
    response = assign(api(getattr(world, persona)), world, world.family_unallocated, world.teacher_a)
    if persona == "outsider":
        # Allowed to allocate in their own organisation, but none of these ids exist there.
        body = assert_error(response, "family")
        assert body["errors"] == {"family": ["Not found."], "setting": ["Not found."], "staff": ["Not found."]}
    elif persona in ALLOCATORS:
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["family"] == world.family_unallocated.pk and body["staff"] == world.teacher_a.pk
        assert body["is_current"] is True and body["reason"] == "Joined class A in September"
        assert body["allocated_by_name"] == getattr(world, persona).user.full_name
    else:
        # The admin office manages people but does not allocate; nor do teachers, assistants or the DSL.
        assert response.status_code == 403
    assert (current_of(world.family_unallocated) is not None) is (response.status_code == 201)


def test_assign_refused_when_not_on_the_class_team(world, api):
    body = assert_error(assign(api(world.headteacher), world, world.family_unallocated, world.teacher_b), "staff")
    assert body["rule"] == "class_team"
    assert body["codes"] == {"staff": ["class_team"]}
    assert "class team" in body["errors"]["staff"][0]
    assert current_of(world.family_unallocated) is None


def test_assign_teaching_assistant_refused_under_child_protection(world, api):
    Child.objects.filter(family=world.family_unallocated).update(protection_status=ProtectionStatus.CHILD_PROTECTION_PLAN)
    client = api(world.headteacher)
    body = assert_error(assign(client, world, world.family_unallocated, world.ta_a), "staff")
    assert body["rule"] == "teacher_for_child_protection"
    assert body["codes"]["staff"] == ["teacher_for_child_protection"]
    assert assign(client, world, world.family_unallocated, world.teacher_a).status_code == 201


def test_assign_refusals_of_other_rules(world, api):
    client = api(world.headteacher)
    body = assert_error(assign(client, world, world.family_unallocated, world.admin_office), "staff")
    assert body["rule"] == "eligible_role"
    body = assert_error(assign(client, world, world.family_a, world.ta_a), "staff")
    assert body["rule"] == "unchanged"
    body = assert_error(assign(client, world, world.family_unallocated, world.ta_a, reason="x"), "reason")
    assert body["rule"] == "reason"


def test_assign_ids_of_another_organisation_are_not_found(world, api):
    client = api(world.headteacher)
    other_setting = world.outsider.staff_roles.first().setting
    for field, value in (("family", world.other_family.pk), ("setting", other_setting.pk), ("staff", world.outsider.pk)):
        data = {"family": world.family_unallocated.pk, "setting": world.school.pk, "staff": world.teacher_a.pk,
                "reason": "Testing tenancy", field: value}
        body = assert_error(client.post("/api/v1/allocations/assign/", data, format="json"), field)
        assert body["errors"][field] == ["Not found."]
    assert not KeyWorkerAllocation.objects.filter(organisation=world.org, staff=world.outsider).exists()
    assert not KeyWorkerAllocation.objects.filter(family=world.other_family).exists()


def test_assign_needs_every_field(world, api):
    body = assert_error(api(world.headteacher).post("/api/v1/allocations/assign/", {}, format="json"), "family")
    assert set(body["errors"]) == {"family", "setting", "staff", "reason"}
    assert body["codes"]["family"] == ["required"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_reassign_permission_matrix(world, api, persona):
    old = current_of(world.family_a)
    response = api(getattr(world, persona)).post(
        f"/api/v1/allocations/{old.pk}/reassign/", {"staff": world.teacher_a.pk, "reason": "Teacher now key worker"}, format="json"
    )
    if "family_a" not in VISIBLE_FAMILIES[persona]:
        assert response.status_code == 404
    elif persona in ALLOCATORS:
        assert response.status_code == 201, response.content
        new = response.json()
        assert new["id"] != old.pk and new["staff"] == world.teacher_a.pk and new["is_current"]
        old.refresh_from_db()
        assert old.ends_at is not None and old.end_reason == "Teacher now key worker"
    else:
        assert response.status_code == 403
    assert current_of(world.family_a).staff_id == (world.teacher_a.pk if response.status_code == 201 else world.ta_a.pk)


def test_reassign_refusals(world, api):
    client = api(world.headteacher)
    allocation = current_of(world.family_a)
    url = f"/api/v1/allocations/{allocation.pk}/reassign/"
    assert assert_error(client.post(url, {"staff": world.teacher_b.pk, "reason": "Moving"}, format="json"), "staff")["rule"] == "class_team"
    assert assert_error(client.post(url, {"staff": world.outsider.pk, "reason": "Moving"}, format="json"), "staff")["errors"]["staff"] == ["Not found."]
    assert_error(client.post(url, {"reason": "Moving"}, format="json"), "staff")
    assert current_of(world.family_a).pk == allocation.pk
    # An ended allocation cannot be handed on.
    assert client.post(f"/api/v1/allocations/{allocation.pk}/end/", {"reason": "Left the class"}, format="json").status_code == 200
    body = assert_error(client.post(url, {"staff": world.teacher_a.pk, "reason": "Moving"}, format="json"), "non_field_errors")
    assert body["rule"] == "ended"


@pytest.mark.parametrize("persona", PERSONAS)
def test_end_permission_matrix(world, api, persona):
    allocation = current_of(world.family_b)
    response = api(getattr(world, persona)).post(
        f"/api/v1/allocations/{allocation.pk}/end/", {"reason": "Family moved away"}, format="json"
    )
    if "family_b" not in VISIBLE_FAMILIES[persona]:
        assert response.status_code == 404
    elif persona in ALLOCATORS:
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["is_current"] is False and body["end_reason"] == "Family moved away"
        assert body["ended_by_name"] == getattr(world, persona).user.full_name
        assert body["ends_at"] == "2026-11-18T10:30:00Z"
    else:
        assert response.status_code == 403
    assert (current_of(world.family_b) is None) is (response.status_code == 200)


def test_end_twice_and_without_reason(world, api):
    client = api(world.headteacher)
    allocation = current_of(world.family_b)
    url = f"/api/v1/allocations/{allocation.pk}/end/"
    assert_error(client.post(url, {}, format="json"), "reason")
    assert assert_error(client.post(url, {"reason": "no"}, format="json"), "reason")["rule"] == "reason"
    assert client.post(url, {"reason": "Family moved away"}, format="json").status_code == 200
    assert assert_error(client.post(url, {"reason": "Family moved away"}, format="json"), "non_field_errors")["rule"] == "ended"
    family = client.get(f"/api/v1/families/{world.family_b.pk}/").json()
    assert family["key_workers"] == []


def test_actions_are_the_only_writes(world, api):
    client = api(world.headteacher)
    allocation = current_of(world.family_a)
    assert client.post("/api/v1/allocations/", {}, format="json").status_code == 405
    assert client.patch(f"/api/v1/allocations/{allocation.pk}/", {"staff": world.teacher_a.pk}, format="json").status_code == 405
    assert client.delete(f"/api/v1/allocations/{allocation.pk}/").status_code == 405
    assert client.get("/api/v1/allocations/assign/").status_code == 405


def test_allocation_filters(world, api):
    client = api(world.headteacher)
    first = current_of(world.family_a)
    client.post(f"/api/v1/allocations/{first.pk}/reassign/", {"staff": world.teacher_a.pk, "reason": "Teacher takes over"}, format="json")
    everything = ids(client.get("/api/v1/allocations/"))
    assert len(everything) == 3
    assert len(ids(client.get(f"/api/v1/allocations/?family={world.family_a.pk}"))) == 2
    assert ids(client.get(f"/api/v1/allocations/?family={world.family_a.pk}&current=false")) == {first.pk}
    assert ids(client.get(f"/api/v1/allocations/?staff={world.ta_a.pk}")) == {first.pk}
    assert ids(client.get(f"/api/v1/allocations/?staff={world.ta_a.pk}&current=true")) == set()
    assert ids(client.get(f"/api/v1/allocations/?setting={world.school.pk}")) == everything
    assert len(ids(client.get("/api/v1/allocations/?current=true"))) == 2
    assert ids(client.get("/api/v1/allocations/?family=999999")) == set()
    for bad in ("family=abc", "staff=-3", "setting=1.5", "current=maybe", f"family={10**30}"):
        assert client.get(f"/api/v1/allocations/?{bad}").status_code == 400, bad
    # The key worker's view is still limited to their scope whatever the filter.
    assert ids(api(world.teacher_b).get(f"/api/v1/allocations/?family={world.family_a.pk}")) == set()
