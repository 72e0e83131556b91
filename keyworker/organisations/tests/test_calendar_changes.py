"""Adjusting the term calendar: change a term's, a half term's or a closure's dates, remove a closure; each audited,
refused with a message per field when the dates do not fit, and a 404 for anyone outside the organisation."""

import datetime as dt

import pytest

from keyworker.core.models import AuditEvent
from keyworker.organisations.models import Closure, ClosureKind, HalfTerm, Term

pytestmark = pytest.mark.django_db


@pytest.fixture
def spring(world):
    term = Term.objects.create(organisation_id=world.org.pk, setting=world.school, name="Spring 2027",
                               school_year="2026/27", starts_on=dt.date(2027, 1, 4), ends_on=dt.date(2027, 3, 26))
    half = HalfTerm.objects.create(organisation_id=world.org.pk, setting=world.school, term=term, name="Spring 1",
                                   starts_on=dt.date(2027, 1, 4), ends_on=dt.date(2027, 2, 12))
    closure = Closure.objects.create(organisation_id=world.org.pk, setting=world.school, kind=ClosureKind.HOLIDAY,
                                     name="February half term", starts_on=dt.date(2027, 2, 15), ends_on=dt.date(2027, 2, 19))
    return term, half, closure


def url(world, kind, pk):
    return f"/setup/settings/{world.school.pk}/{kind}/{pk}/"


def test_the_setting_page_links_each_entry_to_its_change_page(world, client_for, spring):
    term, half, closure = spring
    html = client_for(world.admin_office).get(f"/setup/settings/{world.school.pk}/").content.decode()
    for kind, entry in (("term", term), ("half-term", half), ("closure", closure)):
        assert f'href="{url(world, kind, entry.pk)}"' in html
    assert "<h2 id=\"groups-h\">Classes</h2>" in html


def test_a_copied_year_is_adjusted_a_term_moves_a_day(world, client_for, spring):
    term, half, _ = spring
    client = client_for(world.admin_office)
    page = client.get(url(world, "term", term.pk))
    assert page.status_code == 200 and "Change the term: Spring 2027" in page.content.decode()
    r = client.post(url(world, "term", term.pk), {"name": "Spring 2027", "school_year": "2026/27",
                                                  "starts_on": "2027-01-04", "ends_on": "2027-03-25"})
    assert r.status_code == 302 and r["Location"].endswith("#term")
    term.refresh_from_db()
    assert term.ends_on == dt.date(2027, 3, 25)
    event = AuditEvent.objects.filter(event_type="term.changed").get()
    assert event.data["before"]["ends_on"] == "2027-03-26" and event.data["after"]["ends_on"] == "2027-03-25"


def test_a_term_that_would_leave_its_half_term_outside_is_refused_and_nothing_changes(world, client_for, spring):
    term, _, _ = spring
    r = client_for(world.admin_office).post(url(world, "term", term.pk), {
        "name": "Spring 2027", "school_year": "2026/27", "starts_on": "2027-01-11", "ends_on": "2027-03-26"})
    assert r.status_code == 400 and "A half term of this term would lie outside it" in r.content.decode()
    term.refresh_from_db()
    assert term.starts_on == dt.date(2027, 1, 4)


def test_a_half_term_outside_its_term_and_backwards_dates_are_field_errors(world, client_for, spring):
    term, half, _ = spring
    client = client_for(world.admin_office)
    r = client.post(url(world, "half-term", half.pk), {"term": term.pk, "name": "Spring 1", "starts_on": "2027-01-04",
                                                       "ends_on": "2027-04-30"})
    assert r.status_code == 400 and "A half term must lie inside its term" in r.content.decode()
    r = client.post(url(world, "half-term", half.pk), {"term": term.pk, "name": "Spring 1", "starts_on": "2027-02-12",
                                                       "ends_on": "2027-01-04"})
    assert r.status_code == 400 and "The last day is before the first day." in r.content.decode()
    half.refresh_from_db()
    assert half.ends_on == dt.date(2027, 2, 12)


def test_a_closure_is_changed_or_removed(world, client_for, spring):
    *_, closure = spring
    client = client_for(world.admin_office)
    r = client.post(url(world, "closure", closure.pk), {"kind": "inset", "name": "INSET day", "starts_on": "2027-02-15",
                                                        "ends_on": "2027-02-15"})
    assert r.status_code == 302
    closure.refresh_from_db()
    assert (closure.kind, closure.ends_on) == ("inset", dt.date(2027, 2, 15))
    r = client.post(url(world, "closure", closure.pk), {"action": "remove"})
    assert r.status_code == 302 and not Closure.objects.filter(pk=closure.pk).exists()
    assert AuditEvent.objects.filter(event_type="closure.removed").count() == 1


def test_only_those_who_set_up_may_and_outsiders_get_404(world, client_for, spring):
    term, _, closure = spring
    assert client_for(world.ta_a).get(url(world, "term", term.pk)).status_code in (403, 404)
    assert client_for(world.outsider).get(url(world, "term", term.pk)).status_code == 404
    assert client_for(world.admin_office).get(url(world, "nonsense", term.pk)).status_code == 404
    assert client_for(world.admin_office).get(url(world, "closure", term.pk + 999)).status_code == 404
    r = client_for(world.outsider).post(url(world, "closure", closure.pk), {"action": "remove"})
    assert r.status_code == 404 and Closure.objects.filter(pk=closure.pk).exists()
