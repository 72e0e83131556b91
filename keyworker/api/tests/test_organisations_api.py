"""/api/v1/organisations/: the installation's administrator lists every organisation and adds one (the page's
fields and rules, per-field errors); staff list their own and may not add; /me/ names the organisation's slug."""

import pytest

from keyworker.accounts.models import Role, StaffMember, StaffRole
from keyworker.api.tests.helpers import assert_error
from keyworker.notifications.models import Notification
from keyworker.organisations.models import Organisation

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations/"
NEW = {"name": "Ash Grove Nursery", "kind": "early_years", "jurisdiction": "england", "time_zone": "Europe/London",
       "leader_name": "Mia Manager", "leader_email": "mia@ash.example.org"}


@pytest.fixture
def administrator(world):
    user = world.admin_office.user
    user.is_superuser = user.is_staff = True
    user.save()
    return world.admin_office


def test_the_administrator_adds_an_organisation(world, administrator, api):
    r = api(administrator).post(URL, NEW, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["slug"] == "ash-grove-nursery" and body["name"] == "Ash Grove Nursery"
    assert body["settings"] == [{"id": body["settings"][0]["id"], "name": "Ash Grove Nursery", "kind": "early_years"}]
    assert body["leader"]["role"] == "manager" and body["leader"]["password_link_sent"] is True
    org = Organisation.objects.get(pk=body["id"])
    assert {"headteacher", "manager", "practitioner"} <= set(Role.objects.filter(organisation=org).values_list("code", flat=True))
    leader = StaffMember.objects.get(organisation=org)
    assert StaffRole.objects.get(staff=leader).role.code == "manager"
    assert Notification.objects.filter(recipient=leader.user, kind="account.password_set").exists()


def test_every_problem_is_reported_per_field(world, administrator, api):
    r = api(administrator).post(URL, {**NEW, "slug": world.org.slug, "kind": "castle", "time_zone": "Mars/Olympus",
                                      "leader_email": "nope", "name": ""}, format="json")
    body = assert_error(r, "slug")
    assert "already the short name" in body["errors"]["slug"][0]
    for field in ("kind", "time_zone", "leader_email", "name"):
        assert field in body["errors"], body
    assert body["codes"]["kind"] == ["invalid_choice"]
    r = api(administrator).post(URL, {**NEW, "slug": "Ash Grove"}, format="json")
    assert "Use only small letters" in assert_error(r, "slug")["errors"]["slug"][0]
    assert Organisation.objects.count() == 2


@pytest.mark.parametrize("persona", ["headteacher", "admin_office", "ta_a", "outsider"])
def test_staff_may_not_add_an_organisation(world, api, persona):
    r = api(getattr(world, persona)).post(URL, NEW, format="json")
    assert r.status_code == 403
    assert "installation's administrator" in r.json()["detail"]
    assert not Organisation.objects.filter(slug="ash-grove-nursery").exists()


def test_signed_out_is_refused(world, api):
    assert api(None).get(URL).status_code in (401, 403)
    assert api(None).post(URL, NEW, format="json").status_code in (401, 403)


def test_staff_list_their_own_organisations_the_administrator_all(world, administrator, api):
    rows = api(world.ta_a).get(URL).json()["results"]
    assert [(o["id"], o["slug"]) for o in rows] == [(world.org.pk, world.org.slug)]
    assert [s["name"] for s in rows[0]["settings"]] == [world.school.name]
    assert api(world.outsider).get(f"{URL}{world.org.pk}/").status_code == 404
    assert api(world.ta_a).get(f"{URL}{world.org.pk}/").json()["slug"] == world.org.slug
    every = {o["id"] for o in api(administrator).get(URL).json()["results"]}
    assert every == {world.org.pk, world.other_org.pk}


def test_a_superuser_without_an_organisation_may_still_add_one(world, api):
    from keyworker.accounts.models import User

    operator = User.objects.create_superuser("op@example.org", "a long enough passphrase", full_name="Olu Operator")
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(operator)
    assert client.post(URL, {**NEW, "kind": "school"}, format="json").status_code == 201
    assert len(client.get(URL).json()["results"]) == 3


def test_the_list_keeps_to_a_fixed_number_of_queries(world, administrator, api, django_assert_max_num_queries):
    client = api(administrator)
    for n in range(4):
        client.post(URL, {**NEW, "name": f"Elm {n}", "leader_email": f"e{n}@example.org"}, format="json")
    with django_assert_max_num_queries(8):
        assert len(client.get(URL).json()["results"]) == 6


def test_me_names_the_organisation_s_slug(world, api):
    body = api(world.ta_a).get("/api/v1/me/").json()
    assert body["organisation"] == {"id": world.org.pk, "name": world.org.name, "slug": world.org.slug}
    assert body["organisations"][0]["slug"] == world.org.slug


def test_the_schema_has_the_organisations(world):
    from rest_framework.test import APIClient

    paths = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/organisations/"])
    assert "/api/v1/organisations/{id}/" in paths
