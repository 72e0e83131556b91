"""Every way of creating an organisation gives it the default roles: the service, the admin site (and, in their own
tests, the first-run page, the installation's page, the setup command and the API); short names are checked."""

import re

import pytest

from keyworker.accounts.models import Role, User
from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.organisations.models import Organisation, Setting
from keyworker.organisations.services import organisation_create
from keyworker.organisations.short_names import slug_problem, slug_suggest

pytestmark = pytest.mark.django_db

LEADERS = {"headteacher", "manager"}


def _codes(org) -> set[str]:
    return set(Role.objects.filter(organisation=org).values_list("code", flat=True))


def test_the_service_gives_every_default_role_and_is_audited():
    org = organisation_create(name="Oak Trust", slug="oak-trust")
    assert LEADERS | {"teacher", "practitioner", "admin_office", "safeguarding_lead"} <= _codes(org)
    assert AuditEvent.objects.filter(organisation_id=org.pk, event_type="organisation.created").exists()


@pytest.mark.parametrize(("slug", "problem"), [
    ("", "Enter a short name"),
    ("Oak School", "Use only small letters"),
    ("oak--school", "Use only small letters"),
    ("-oak", "Use only small letters"),
    ("a" * 51, "at most 50 characters"),
])
def test_a_bad_short_name_is_refused_on_its_field(slug, problem):
    with pytest.raises(RuleViolation) as refused:
        organisation_create(name="Oak Trust", slug=slug)
    assert refused.value.field == "slug" and problem in refused.value.message
    assert not Organisation.objects.exists()


def test_a_short_name_is_unique_whatever_its_case():
    organisation_create(name="Oak Trust", slug="oak-trust")
    assert "already the short name of another organisation" in slug_problem("oak-trust")
    with pytest.raises(RuleViolation, match="already the short name"):
        organisation_create(name="Oak Trust again", slug="oak-trust")


def test_a_short_name_is_suggested_from_the_name():
    assert slug_suggest("St Mary's C of E Primary") == "st-marys-c-of-e-primary"
    assert slug_suggest("Zoë's Nursery & Pre-school") == "zoes-nursery-pre-school"
    assert len(slug_suggest("Very long name " * 10)) <= 50


@pytest.fixture
def operator(client):
    user = User.objects.create_superuser("operator@example.org", "a long enough passphrase", full_name="Olu Operator")
    client.force_login(user)
    return client


def _admin_add(client, data: dict):
    page = client.get("/admin/organisations/organisation/add/").content.decode()
    prefix = re.search(r'name="([^"]+)-TOTAL_FORMS"', page).group(1)
    return client.post("/admin/organisations/organisation/add/", {
        **data, f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000", f"{prefix}-0-name": "Acorn Nursery", f"{prefix}-0-kind": "early_years",
        f"{prefix}-0-jurisdiction": "wales", f"{prefix}-0-time_zone": "Europe/London",
    })


def test_an_organisation_added_on_the_admin_site_gets_its_roles(operator):
    r = _admin_add(operator, {"name": "Acorn Childcare", "slug": "acorn"})
    assert r.status_code == 302, r.content.decode()[:2000]
    org = Organisation.objects.get(slug="acorn")
    assert LEADERS <= _codes(org)
    assert Setting.objects.filter(organisation=org, name="Acorn Nursery", kind="early_years").exists()
    assert AuditEvent.objects.filter(organisation_id=org.pk, event_type="organisation.created").get().actor.email == "operator@example.org"


def test_the_admin_site_checks_names_and_short_names(operator):
    organisation_create(name="Oak Trust", slug="oak-trust")
    r = _admin_add(operator, {"name": "Oak\u202eTrust", "slug": "Oak-Trust"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "hidden text-direction character" in html and "Use only small letters" in html
    assert Organisation.objects.count() == 1


def test_organisations_made_before_without_roles_are_given_them_by_the_migration():
    from importlib import import_module

    from django.apps import apps

    bare = Organisation.objects.create(name="Made on the admin site before", slug="bare")
    kept = organisation_create(name="Oak Trust", slug="oak-trust")
    Role.objects.filter(organisation=kept, code="teacher").delete()  # an organisation's own choice stays
    migration = import_module("keyworker.accounts.migrations.0006_default_roles_for_organisations_without_roles")
    migration.add_default_roles(apps, None)
    assert LEADERS | {"teacher", "practitioner"} <= _codes(bare)
    assert "teacher" not in _codes(kept)
