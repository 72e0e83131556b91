"""Families, carers, children and key aspects: who may write, what is validated, and tenancy of the ids sent."""

import pytest

from keyworker.core.models import AuditEvent
from keyworker.organisations.models import SettingKind
from keyworker.people.models import Carer, Child, Family, KeyAspectChange
from keyworker.testing import make_group, make_setting

from .helpers import PERSONAS, VISIBLE_FAMILIES, assert_error

pytestmark = pytest.mark.django_db

MANAGE_PEOPLE = {"headteacher", "deputy", "admin_office", "outsider"}


def child_payload(world, **overrides):
    data = {
        "legal_first_name": "Dora", "legal_last_name": "Adams", "preferred_name": "Dot", "date_of_birth": "2019-03-14",
        "family": world.family_a.pk, "setting": world.school.pk, "class": world.class_a.pk, "year_group": "Year 2",
        "enrolled_on": "2024-09-04", "has_ehcp": True,
    }
    data.update(overrides)
    return data


def carer_payload(world, **overrides):
    data = {"family": world.family_a.pk, "first_name": "Ann", "last_name": "Adams", "relationship": "mother",
            "phone": "07700 900456", "preferred_contact_method": "phone"}
    data.update(overrides)
    return data


# Families ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_family_create(world, api, persona):
    staff = getattr(world, persona)
    response = api(staff).post("/api/v1/families/", {"name": "The Dale family", "address": "1 High St"}, format="json")
    if persona in MANAGE_PEOPLE:
        assert response.status_code == 201, response.content
        family = Family.objects.get(pk=response.json()["id"])
        assert family.organisation_id == staff.organisation_id
        assert response.json()["children"] == [] and response.json()["key_workers"] == []
        assert AuditEvent.objects.filter(event_type="family.created", object_id=family.pk).exists()
    else:
        assert response.status_code == 403
        assert response.json() == {"detail": "You do not have permission to do this."}


@pytest.mark.parametrize("persona", PERSONAS)
def test_family_update(world, api, persona):
    client = api(getattr(world, persona))
    url = f"/api/v1/families/{world.family_a.pk}/"
    response = client.patch(url, {"name": "The Adams-Smith family", "version": 1}, format="json")
    if "family_a" not in VISIBLE_FAMILIES[persona]:
        assert response.status_code == 404
    elif persona in MANAGE_PEOPLE:
        assert response.status_code == 200
        assert response.json()["name"] == "The Adams-Smith family"
        assert response.json()["key_workers"][0]["staff"] == world.ta_a.pk
    else:
        assert response.status_code == 403
    world.family_a.refresh_from_db()
    assert (world.family_a.name == "The Adams-Smith family") is (response.status_code == 200)


def test_family_put_needs_every_required_field(world, api):
    client = api(world.admin_office)
    assert_error(client.put(f"/api/v1/families/{world.family_a.pk}/", {"address": "x", "version": 1}, format="json"), "name")
    response = client.put(f"/api/v1/families/{world.family_a.pk}/", {"name": "The Adams family", "address": "2 Low Rd", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["address"] == "2 Low Rd"


def test_family_validation(world, api):
    client = api(world.admin_office)
    assert_error(client.post("/api/v1/families/", {"name": ""}, format="json"), "name")
    assert_error(client.post("/api/v1/families/", {"name": "x" * 151}, format="json"), "name")
    assert_error(client.post("/api/v1/families/", {}, format="json"), "name")


# Carers ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_carer_create(world, api, persona):
    response = api(getattr(world, persona)).post("/api/v1/carers/", carer_payload(world), format="json")
    if persona == "outsider":
        body = assert_error(response, "family")
        assert body["errors"]["family"] == ["Not found."]
    elif persona in MANAGE_PEOPLE:
        assert response.status_code == 201, response.content
        assert response.json()["family"] == world.family_a.pk
        assert response.json()["full_name"] == "Ann Adams"
    else:
        assert response.status_code == 403
    assert Carer.objects.filter(first_name="Ann").count() == (1 if response.status_code == 201 else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_carer_update(world, api, persona):
    carer = Carer.objects.filter(family=world.family_b).first()
    response = api(getattr(world, persona)).patch(f"/api/v1/carers/{carer.pk}/", {"title": "Dr", "version": 1}, format="json")
    if "family_b" not in VISIBLE_FAMILIES[persona]:
        assert response.status_code == 404
    elif persona in MANAGE_PEOPLE:
        assert response.status_code == 200
        assert response.json()["full_name"].startswith("Dr ")
    else:
        assert response.status_code == 403


def test_carer_validation(world, api):
    client = api(world.admin_office)
    assert_error(client.post("/api/v1/carers/", carer_payload(world, phone=""), format="json"), "phone")
    assert_error(client.post("/api/v1/carers/", carer_payload(world, preferred_contact_method="email"), format="json"), "email")
    assert_error(client.post("/api/v1/carers/", carer_payload(world, contact_restriction="court_order"), format="json"), "restriction_notes")
    assert_error(client.post("/api/v1/carers/", carer_payload(world, relationship="alien"), format="json"), "relationship")
    assert_error(client.post("/api/v1/carers/", carer_payload(world, email="not-an-address"), format="json"), "email")
    assert_error(client.post("/api/v1/carers/", carer_payload(world, family=world.other_family.pk), format="json"), "family")
    carer = Carer.objects.filter(family=world.family_a).first()
    # A PATCH is checked against what is stored: clearing the phone of a carer contacted by phone is refused.
    assert_error(client.patch(f"/api/v1/carers/{carer.pk}/", {"phone": "", "version": 1}, format="json"), "phone")
    body = assert_error(client.patch(f"/api/v1/carers/{carer.pk}/", {"family": world.family_b.pk, "version": 1}, format="json"), "family")
    assert "cannot move" in body["errors"]["family"][0]
    carer.refresh_from_db()
    assert carer.family_id == world.family_a.pk and carer.phone


def test_carer_filter_by_family(world, api):
    rows = api(world.headteacher).get(f"/api/v1/carers/?family={world.family_b.pk}").json()["results"]
    assert {r["family"] for r in rows} == {world.family_b.pk}


# Children ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_child_create(world, api, persona):
    response = api(getattr(world, persona)).post("/api/v1/children/", child_payload(world), format="json")
    if persona == "outsider":
        body = assert_error(response, "family")
        assert body["errors"]["family"] == ["Not found."]
        assert body["errors"]["setting"] == ["Not found."]
        assert body["errors"]["class"] == ["Not found."]
    elif persona in MANAGE_PEOPLE:
        assert response.status_code == 201, response.content
        child = response.json()
        assert child["display_name"] == "Dot Adams"
        assert child["class"] == world.class_a.pk and child["family"] == world.family_a.pk
        assert child["date_of_birth"] == "2019-03-14"
        assert child["key_aspects"]["medical_needs"] == ""
    else:
        assert response.status_code == 403
    assert Child.objects.filter(legal_first_name="Dora").count() == (1 if response.status_code == 201 else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_child_update(world, api, persona):
    response = api(getattr(world, persona)).patch(f"/api/v1/children/{world.child_a.pk}/", {"preferred_name": "Alf", "version": 1}, format="json")
    if "family_a" not in VISIBLE_FAMILIES[persona]:
        assert response.status_code == 404
    elif persona in MANAGE_PEOPLE:
        assert response.status_code == 200
        assert response.json()["display_name"] == "Alf Adams"
    else:
        assert response.status_code == 403


def test_child_ids_of_another_organisation_are_not_found(world, api):
    client = api(world.admin_office)
    other_setting = world.other_family.children.first().setting
    other_class = world.other_family.children.first().group
    for field, value in (("family", world.other_family.pk), ("setting", other_setting.pk), ("class", other_class.pk)):
        body = assert_error(client.post("/api/v1/children/", child_payload(world, **{field: value}), format="json"), field)
        assert body["errors"][field] == ["Not found."]
        assert body["codes"][field] == ["does_not_exist"]
        body = assert_error(client.patch(f"/api/v1/children/{world.child_a.pk}/", {field: value, "version": 1}, format="json"), field)
    world.child_a.refresh_from_db()
    assert world.child_a.organisation_id == world.org.pk and world.child_a.family_id == world.family_a.pk
    assert not Child.objects.filter(legal_first_name="Dora").exists()


def test_child_class_must_belong_to_the_setting(world, api):
    nursery = make_setting(world.org, kind=SettingKind.EARLY_YEARS, name="Little Acorns")
    room = make_group(nursery, "Caterpillars", year_group="")
    client = api(world.admin_office)
    body = assert_error(client.post("/api/v1/children/", child_payload(world, **{"class": room.pk}), format="json"), "class")
    assert "is not a class of Test Primary" in body["errors"]["class"][0]
    # Moving the child to another setting without a new room is refused too.
    assert_error(client.patch(f"/api/v1/children/{world.child_a.pk}/", {"setting": nursery.pk, "version": 1}, format="json"), "class")
    response = client.patch(f"/api/v1/children/{world.child_a.pk}/", {"setting": nursery.pk, "class": room.pk, "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["class"] == room.pk


def test_child_dates_are_checked(world, api):
    client = api(world.admin_office)
    assert_error(client.post("/api/v1/children/", child_payload(world, enrolled_on="2018-01-01"), format="json"), "enrolled_on")
    assert_error(client.post("/api/v1/children/", child_payload(world, left_on="2024-01-01"), format="json"), "left_on")
    assert_error(client.patch(f"/api/v1/children/{world.child_a.pk}/", {"left_on": "2020-01-01", "version": 1}, format="json"), "left_on")
    assert_error(client.post("/api/v1/children/", child_payload(world, date_of_birth="14/03/2019"), format="json"), "date_of_birth")
    response = client.patch(f"/api/v1/children/{world.child_a.pk}/", {"left_on": "2026-07-22", "version": 1}, format="json")
    assert response.json()["left_on"] == "2026-07-22"


def test_child_upn_warning_and_duplicate_rule(world, api):
    client = api(world.admin_office)
    response = client.post("/api/v1/children/", child_payload(world, upn="a12345678901x"), format="json")
    assert response.status_code == 201
    assert response.json()["upn"] == "A12345678901X"
    assert response.json()["upn_warning"]
    response = client.patch(f"/api/v1/children/{world.child_a.pk}/", {"upn": "A12345678901X", "version": 1}, format="json")
    body = assert_error(response, "upn")
    assert body["rule"] == "duplicate_upn"
    assert body["codes"]["upn"] == ["duplicate_upn"]


def test_child_rule_on_group_is_reported_as_class(world):
    from keyworker.api.views import ChildViewSet
    from keyworker.core.api.errors import rule_violation_response
    from keyworker.core.errors import RuleViolation

    response = rule_violation_response(RuleViolation("Wrong room.", rule="group_setting", field="group"), ChildViewSet())
    assert response.status_code == 400
    assert response.data == {"errors": {"class": ["Wrong room."]}, "codes": {"class": ["group_setting"]}, "rule": "group_setting"}


# Key aspects -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_key_aspects_update_records_history(world, api, persona):
    staff = getattr(world, persona)
    client = api(staff)
    url = f"/api/v1/children/{world.child_a.pk}/key-aspects/"
    response = client.patch(url, {"medical_needs": "Asthma: inhaler in the class bag", "first_language": "English", "version": 1},
                            format="json")
    if "family_a" not in VISIBLE_FAMILIES[persona]:
        assert response.status_code == 404
        assert not KeyAspectChange.objects.exists()
        return
    # Every role may edit key aspects of the children it sees.
    assert response.status_code == 200, response.content
    assert response.json()["medical_needs"] == "Asthma: inhaler in the class bag"
    history = client.get(f"/api/v1/children/{world.child_a.pk}/key-aspect-changes/").json()
    assert history["count"] == 1  # first_language did not change
    change = history["results"][0]
    assert change["field"] == "medical_needs" and change["before"] == "" and change["after"].startswith("Asthma")
    assert change["changed_by"] == staff.user.pk and change["changed_by_name"] == staff.user.full_name
    assert change["changed_at"] == "2026-11-18T10:30:00Z"
    assert client.get(f"/api/v1/children/{world.child_a.pk}/").json()["key_aspects"]["medical_needs"].startswith("Asthma")


def test_key_aspects_validation(world, api):
    client = api(world.ta_a)
    url = f"/api/v1/children/{world.child_a.pk}/key-aspects/"
    body = assert_error(client.patch(url, {"shoe_size": "12", "version": 1}, format="json"), "shoe_size")
    assert body["errors"]["shoe_size"] == ["Unknown key aspect."]
    assert_error(client.patch(url, {"version": 1}, format="json"), "non_field_errors")
    assert_error(client.patch(url, {"allergies": "Nuts"}, format="json"), "version")
    assert_error(client.patch(url, {"religion": "x" * 61, "version": 1}, format="json"), "religion")
    assert_error(client.patch(url, {"allergies": None, "version": 1}, format="json"), "allergies")
    assert_error(client.patch(url, ["allergies"], format="json"), "non_field_errors")
    assert client.put(url, {"allergies": "Nuts"}, format="json").status_code == 405
    assert not KeyAspectChange.objects.exists()


def test_a_childs_ehcp_dates_are_checked_per_field(world, api):
    client = api(world.headteacher)
    url = f"/api/v1/children/{world.child_a.pk}/"
    assert_error(client.patch(url, {"ehcp_issued_on": "2099-01-01", "version": 1}, format="json"), "ehcp_issued_on")
    assert_error(client.patch(url, {"has_ehcp": True, "ehcp_issued_on": "2025-05-01", "ehcp_last_reviewed_on": "2025-04-01",
                                    "version": 1}, format="json"), "ehcp_last_reviewed_on")
    response = client.patch(url, {"has_ehcp": True, "ehcp_issued_on": "2025-05-01", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["ehcp_issued_on"] == "2025-05-01"
    assert api(world.outsider).patch(url, {"ehcp_issued_on": "2025-05-01", "version": 2}, format="json").status_code == 404
