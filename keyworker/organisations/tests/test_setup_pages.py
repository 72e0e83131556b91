"""Set-up pages: settings, classes, terms, half terms, closures, and the school-day check."""

import pytest

from keyworker.organisations.models import Closure, Group, HalfTerm, Setting, Term

pytestmark = pytest.mark.django_db


def test_adding_a_setting(world, client_for):
    r = client_for(world.admin_office).post("/setup/", {
        "name": "Little Acorns", "kind": "early_years", "jurisdiction": "england", "time_zone": "Europe/London",
    })
    assert r.status_code == 302
    assert Setting.objects.filter(organisation=world.org, name="Little Acorns").exists()


def test_a_wrong_time_zone_is_a_field_error(world, client_for):
    r = client_for(world.admin_office).post("/setup/", {"name": "X", "kind": "school", "jurisdiction": "england", "time_zone": "Mars/Olympus"})
    assert "is not a known time zone" in r.content.decode()


def test_adding_a_class_and_refusing_a_duplicate(world, client_for):
    client = client_for(world.admin_office)
    url = f"/setup/settings/{world.school.pk}/"
    client.post(url, {"form": "group", "group-name": "Cedar", "group-year_group": "Year 5"})
    assert Group.objects.filter(setting=world.school, name="Cedar").exists()
    r = client.post(url, {"form": "group", "group-name": "cedar", "group-year_group": "Year 5"})
    assert r.status_code == 400 and "already has a class called cedar" in r.content.decode()


def test_adding_terms_half_terms_and_closures(world, client_for):
    client = client_for(world.admin_office)
    url = f"/setup/settings/{world.school.pk}/"
    client.post(url, {"form": "term", "term-name": "Spring 2027", "term-school_year": "2026/27",
                      "term-starts_on": "2027-01-04", "term-ends_on": "2027-03-25"})
    term = Term.objects.get(setting=world.school, name="Spring 2027")
    client.post(url, {"form": "half_term", "half_term-term": term.pk, "half_term-name": "Spring 1",
                      "half_term-starts_on": "2027-01-04", "half_term-ends_on": "2027-02-12"})
    assert HalfTerm.objects.filter(term=term, name="Spring 1").exists()
    client.post(url, {"form": "closure", "closure-kind": "inset", "closure-name": "INSET day",
                      "closure-starts_on": "2027-01-04", "closure-ends_on": "2027-01-04"})
    assert Closure.objects.filter(setting=world.school, kind="inset").exists()
    html = client.get(url + "?day=2027-01-04").content.decode()
    assert "Not a school day" in html and "INSET day" in html


def test_term_dates_are_validated(world, client_for):
    client = client_for(world.admin_office)
    url = f"/setup/settings/{world.school.pk}/"
    r = client.post(url, {"form": "term", "term-name": "Backwards", "term-school_year": "2026/27",
                          "term-starts_on": "2027-03-25", "term-ends_on": "2027-01-04"})
    assert "The last day is before the first day" in r.content.decode()
    r = client.post(url, {"form": "term", "term-name": "Overlap", "term-school_year": "2026/27",
                          "term-starts_on": "2026-12-01", "term-ends_on": "2027-01-10"})
    assert "This overlaps the term Autumn 2026" in r.content.decode()
    term = Term.objects.get(setting=world.school)
    r = client.post(url, {"form": "half_term", "half_term-term": term.pk, "half_term-name": "Outside",
                          "half_term-starts_on": "2027-01-04", "half_term-ends_on": "2027-01-20"})
    assert "A half term must lie inside its term" in r.content.decode()
    assert client.post(url, {"form": "bogus"}).status_code == 404


def test_school_day_check(world, client_for):
    html = client_for(world.admin_office).get(f"/setup/settings/{world.school.pk}/?day=2026-11-18").content.decode()
    assert "School day" in html and "Autumn 2" in html
    html = client_for(world.admin_office).get(f"/setup/settings/{world.school.pk}/?day=notadate").content.decode()
    assert "Enter a valid date" in html


def test_a_new_organisation_starts_with_the_default_roles():
    from keyworker.accounts.models import Role
    from keyworker.organisations.services import organisation_create

    org = organisation_create(name="Oak Trust", slug="oak-trust")
    codes = set(Role.objects.filter(organisation=org).values_list("code", flat=True))
    assert {"headteacher", "teacher", "admin_office"} <= codes


def test_the_setup_page_links_to_the_audit_log_only_for_those_who_may_search_it(world, client_for):
    from keyworker.accounts.models import Role, Scope
    from keyworker.testing import make_staff

    audit = '<a href="/setup/audit/">Audit log: who did what, and when</a>'
    assert audit in client_for(world.admin_office).get("/setup/").content.decode()
    Role.objects.create(organisation=world.org, code="site_manager", name="Site manager", scope=Scope.SETTING,
                        capabilities=["setup.manage"])
    site_manager = make_staff(world.org, world.school, ["site_manager"])
    r = client_for(site_manager).get("/setup/")
    assert r.status_code == 200 and "Setup of" in r.content.decode() and audit not in r.content.decode()


def test_adding_several_classes_at_once_all_or_nothing(world, client_for):
    client = client_for(world.admin_office)
    url = f"/setup/settings/{world.school.pk}/"
    r = client.post(url, {"form": "groups", "groups-lines": "Oak, Year 5\n\nRowan, Year 5\nWillow"})
    assert r.status_code == 302
    assert set(Group.objects.filter(setting=world.school, name__in=["Oak", "Rowan", "Willow"]).values_list("name", "year_group")) == {
        ("Oak", "Year 5"), ("Rowan", "Year 5"), ("Willow", "")}
    before = Group.objects.count()
    r = client.post(url, {"form": "groups", "groups-lines": "Yew, Year 6\noak, Year 5\nYew\n, Year 2"})
    html = r.content.decode()
    assert r.status_code == 400 and Group.objects.count() == before  # nothing added
    assert "Line 2: Test Primary already has a class called oak." in html
    assert "Line 3: Yew is named twice." in html and "Line 4: give the class&#x27;s name before the comma." in html
    assert "Yew, Year 6" in html  # what was typed is kept
    r = client.post(url, {"form": "groups", "groups-lines": "  \n"})
    assert r.status_code == 400 and "Enter at least one class, one per line." in r.content.decode()
