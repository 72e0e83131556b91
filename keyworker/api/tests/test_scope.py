"""Who sees what: every read endpoint for every persona, anonymous callers, non-members and X-Organisation."""

import pytest

from keyworker.accounts.models import Role, StaffMember, StaffRole, User
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.people.models import Carer, Child

from .helpers import ORG_FAMILIES, ORG_PERSONAS, PERSONAS, VISIBLE_FAMILIES, family_ids, ids

pytestmark = pytest.mark.django_db


def all_urls(world) -> list[tuple[str, str]]:
    allocation = KeyWorkerAllocation.objects.filter(family=world.family_a).first()
    carer = Carer.objects.filter(family=world.family_a).first()
    return [
        ("get", "/api/v1/"),
        ("get", "/api/v1/me/"),
        ("get", "/api/v1/settings/"),
        ("get", f"/api/v1/settings/{world.school.pk}/"),
        ("get", "/api/v1/classes/"),
        ("get", f"/api/v1/classes/{world.class_a.pk}/"),
        ("get", "/api/v1/staff/"),
        ("get", f"/api/v1/staff/{world.ta_a.pk}/"),
        ("get", "/api/v1/children/"),
        ("post", "/api/v1/children/"),
        ("get", f"/api/v1/children/{world.child_a.pk}/"),
        ("patch", f"/api/v1/children/{world.child_a.pk}/"),
        ("get", f"/api/v1/children/{world.child_a.pk}/key-aspects/"),
        ("patch", f"/api/v1/children/{world.child_a.pk}/key-aspects/"),
        ("get", f"/api/v1/children/{world.child_a.pk}/key-aspect-changes/"),
        ("get", "/api/v1/families/"),
        ("post", "/api/v1/families/"),
        ("get", f"/api/v1/families/{world.family_a.pk}/"),
        ("put", f"/api/v1/families/{world.family_a.pk}/"),
        ("get", "/api/v1/carers/"),
        ("post", "/api/v1/carers/"),
        ("get", f"/api/v1/carers/{carer.pk}/"),
        ("patch", f"/api/v1/carers/{carer.pk}/"),
        ("get", "/api/v1/allocations/"),
        ("get", f"/api/v1/allocations/{allocation.pk}/"),
        ("post", "/api/v1/allocations/assign/"),
        ("post", f"/api/v1/allocations/{allocation.pk}/reassign/"),
        ("post", f"/api/v1/allocations/{allocation.pk}/end/"),
    ]


def test_anonymous_gets_401_everywhere(world, api):
    for method, url in all_urls(world):
        response = getattr(api(None), method)(url, {}, format="json")
        assert response.status_code == 401, (method, url, response.status_code)
        assert "detail" in response.json()


def test_user_without_staff_membership_gets_403_everywhere(world, api):
    from rest_framework.test import APIClient

    stranger = User.objects.create_user("stranger@example.org", "a-long-password-1", full_name="Stranger")
    client = APIClient()
    client.force_authenticate(stranger)
    for method, url in all_urls(world):
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == 403, (method, url, response.status_code)
        assert response.json() == {"detail": "You are not a member of staff of any organisation."}


def test_staff_member_who_has_left_gets_403(world, api):
    StaffMember.objects.filter(pk=world.teacher_a.pk).update(is_active=False)
    assert api(world.teacher_a).get("/api/v1/families/").status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_families_list_and_detail(world, api, persona):
    client = api(getattr(world, persona))
    assert ids(client.get("/api/v1/families/")) == family_ids(world, persona)
    for name in [*ORG_FAMILIES, "other_family"]:
        response = client.get(f"/api/v1/families/{getattr(world, name).pk}/")
        expected = 200 if name in VISIBLE_FAMILIES[persona] else 404
        assert response.status_code == expected, (persona, name)
        if expected == 404:
            assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("persona", PERSONAS)
def test_children_list_and_detail(world, api, persona):
    client = api(getattr(world, persona))
    visible = family_ids(world, persona)
    rows = client.get("/api/v1/children/").json()["results"]
    assert {r["family"] for r in rows} == visible
    assert {r["id"] for r in rows} == set(Child.objects.filter(family_id__in=visible).values_list("id", flat=True))
    for child in Child.objects.all():
        response = client.get(f"/api/v1/children/{child.pk}/")
        assert response.status_code == (200 if child.family_id in visible else 404), (persona, child)
        for sub in ("key-aspects", "key-aspect-changes"):
            response = client.get(f"/api/v1/children/{child.pk}/{sub}/")
            assert response.status_code == (200 if child.family_id in visible else 404), (persona, child, sub)


@pytest.mark.parametrize("persona", PERSONAS)
def test_carers_list_and_detail(world, api, persona):
    client = api(getattr(world, persona))
    visible = family_ids(world, persona)
    assert ids(client.get("/api/v1/carers/")) == set(Carer.objects.filter(family_id__in=visible).values_list("id", flat=True))
    for carer in Carer.objects.all():
        response = client.get(f"/api/v1/carers/{carer.pk}/")
        assert response.status_code == (200 if carer.family_id in visible else 404), (persona, carer)


@pytest.mark.parametrize("persona", PERSONAS)
def test_allocations_list_and_detail(world, api, persona):
    client = api(getattr(world, persona))
    visible = family_ids(world, persona)
    expected = set(KeyWorkerAllocation.objects.filter(family_id__in=visible).values_list("id", flat=True))
    assert ids(client.get("/api/v1/allocations/")) == expected
    for allocation in KeyWorkerAllocation.objects.all():
        response = client.get(f"/api/v1/allocations/{allocation.pk}/")
        assert response.status_code == (200 if allocation.family_id in visible else 404), (persona, allocation)


def test_key_worker_sees_their_family_and_class_but_not_another_class(world, api):
    rows = api(world.ta_a).get("/api/v1/families/").json()["results"]
    by_id = {r["id"]: r for r in rows}
    assert world.family_b.pk not in by_id
    assert [k["staff"] for k in by_id[world.family_a.pk]["key_workers"]] == [world.ta_a.pk]
    assert by_id[world.family_unallocated.pk]["key_workers"] == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_settings_classes_staff_are_those_of_the_callers_organisation(world, api, persona):
    staff = getattr(world, persona)
    client = api(staff)
    org_id = staff.organisation_id
    settings = ids(client.get("/api/v1/settings/"))
    classes = client.get("/api/v1/classes/").json()["results"]
    members = ids(client.get("/api/v1/staff/"))
    assert members == set(StaffMember.objects.filter(organisation_id=org_id).values_list("id", flat=True))
    if persona == "outsider":
        assert world.school.pk not in settings and len(settings) == 1
        assert {c["name"] for c in classes} == {"Oak"}
        for url in (f"/api/v1/settings/{world.school.pk}/", f"/api/v1/classes/{world.class_a.pk}/",
                    f"/api/v1/staff/{world.ta_a.pk}/"):
            assert client.get(url).status_code == 404
    else:
        assert settings == {world.school.pk}
        assert {(c["name"], c["kind"]) for c in classes} == {("Ash", "class"), ("Beech", "class")}
        assert client.get(f"/api/v1/staff/{world.outsider.pk}/").status_code == 404


def test_staff_rows_carry_roles_classes_and_caseload(world, api):
    row = api(world.headteacher).get(f"/api/v1/staff/{world.ta_a.pk}/").json()
    assert row["name"] == "Kim Keyworker"
    assert row["email"] == world.ta_a.user.email
    assert row["roles"] == [{"setting": world.school.pk, "role": "teaching_assistant", "role_name": "Teaching assistant", "scope": "own_group"}]
    assert row["class_ids"] == [world.class_a.pk]
    assert row["caseload"] == 1
    assert row["active"] is True


def test_classes_filter_by_setting(world, api):
    client = api(world.headteacher)
    assert len(ids(client.get(f"/api/v1/classes/?setting={world.school.pk}"))) == 2
    assert ids(client.get("/api/v1/classes/?setting=999999")) == set()


def test_children_filters(world, api):
    client = api(world.headteacher)
    assert ids(client.get(f"/api/v1/children/?family={world.family_a.pk}")) == {world.child_a.pk}
    assert ids(client.get(f"/api/v1/children/?class={world.class_b.pk}")) == {world.child_b.pk}
    assert len(ids(client.get(f"/api/v1/children/?setting={world.school.pk}"))) == 3


def test_family_search(world, api):
    client = api(world.headteacher)
    assert ids(client.get("/api/v1/families/?search=adams")) == {world.family_a.pk}
    assert ids(client.get("/api/v1/families/?search=Bella")) == {world.family_b.pk}
    assert ids(client.get("/api/v1/families/?search=")) == family_ids(world, "headteacher")
    # Search never widens the scope.
    assert ids(api(world.teacher_b).get("/api/v1/families/?search=adams")) == set()


@pytest.mark.parametrize("persona", ORG_PERSONAS)
def test_me(world, api, persona):
    staff = getattr(world, persona)
    me = api(staff).get("/api/v1/me/").json()
    assert me["staff"] == staff.pk
    assert me["organisation"] == {"id": world.org.pk, "name": world.org.name, "slug": world.org.slug}
    assert me["organisations"] == [{"id": world.org.pk, "name": world.org.name, "slug": world.org.slug}]
    can_allocate = persona in ("headteacher", "deputy")
    assert ("allocations.manage" in me["capabilities"]) is can_allocate
    assert ("people.manage" in me["capabilities"]) is (persona in ("headteacher", "deputy", "admin_office"))
    assert [s["id"] for s in me["settings"]] == [world.school.pk]


def test_x_organisation_header_chooses_among_the_users_organisations(world, api):
    user = world.outsider.user
    membership = StaffMember.objects.create(organisation=world.org, user=user)
    StaffRole.objects.create(
        organisation=world.org, staff=membership, setting=world.school, role=Role.objects.get(organisation=world.org, code="headteacher")
    )
    client = api(world.outsider)
    # Without the header: the first organisation by name ("Other School …" before "Test School …").
    assert ids(client.get("/api/v1/families/")) == {world.other_family.pk}
    assert ids(client.get("/api/v1/families/", HTTP_X_ORGANISATION=str(world.org.pk))) == family_ids(world, "headteacher")
    me = client.get("/api/v1/me/", HTTP_X_ORGANISATION=str(world.org.pk)).json()
    assert me["organisation"]["id"] == world.org.pk
    assert {o["id"] for o in me["organisations"]} == {world.org.pk, world.other_org.pk}
    # An organisation the user does not belong to, or nonsense, falls back to the first.
    for header in ("999999", "abc", "9" * 40, "-1", ""):
        assert ids(client.get("/api/v1/families/", HTTP_X_ORGANISATION=header)) == {world.other_family.pk}


def test_x_organisation_header_does_not_open_another_organisation(world, api):
    client = api(world.outsider)
    assert ids(client.get("/api/v1/families/", HTTP_X_ORGANISATION=str(world.org.pk))) == {world.other_family.pk}
    response = client.get(f"/api/v1/families/{world.family_a.pk}/", HTTP_X_ORGANISATION=str(world.org.pk))
    assert response.status_code == 404
