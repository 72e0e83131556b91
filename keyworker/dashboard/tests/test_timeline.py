"""A family's timeline: every source's entries merged newest first, filtered by kind, paged, in fixed queries."""

import datetime as dt

import pytest

from keyworker.contacts.services import contact_record
from keyworker.core.extensions import (
    TimelineEntry,
    TimelineSource,
    register_timeline_source,
    unregister_timeline_source,
)
from keyworker.people.services import key_aspects_update

pytestmark = pytest.mark.django_db
D = dt.date
WRITE_UP = "Phoned mum about the school trip; she is happy for Alfie to go."


def _contact(world, on, tone="positive", write_up=WRITE_UP):
    return contact_record(actor=world.actor(world.ta_a), family=world.family_a, happened_on=on, channel="phone", tone=tone,
                          write_up=write_up)


def test_the_key_worker_sees_contacts_and_key_aspects_changes_newest_first(world, client_for):
    _contact(world, D(2026, 11, 2), tone="concern", write_up="Mum worried about the bus; agreed to ring transport today.")
    key_aspects_update(actor=world.actor(world.ta_a), child=world.child_a, changes={"allergies": "Peanuts"})
    _contact(world, D(2026, 11, 16))
    r = client_for(world.ta_a).get(f"/families/{world.family_a.pk}/timeline/")
    assert r.status_code == 200
    entries = r.context["page"].entries
    assert [e.kind for e in entries] == ["key_aspects", "contacts", "contacts"]  # the change is today, 18 November
    assert entries[0].label == "Allergies changed" and "Peanuts" in entries[0].summary
    html = r.content.decode()
    assert "Timeline: The Adams family" in html and "Phone call, positive" in html and "Phone call, concern" in html
    assert html.index("Phone call, positive") < html.index("Phone call, concern")


def test_an_empty_timeline_says_what_will_appear(world, client_for):
    r = client_for(world.teacher_b).get(f"/families/{world.family_b.pk}/timeline/")
    assert r.status_code == 200
    assert "Nothing recorded yet" in r.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "teacher_b"])
def test_a_family_outside_scope_has_no_timeline(world, client_for, persona):
    assert client_for(getattr(world, persona)).get(f"/families/{world.family_a.pk}/timeline/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(world, client):
    r = client.get(f"/families/{world.family_a.pk}/timeline/")
    assert r.status_code == 302 and "/accounts/sign-in/" in r.headers["Location"]


def test_kinds_filter_the_timeline(world, client_for):
    _contact(world, D(2026, 11, 16))
    key_aspects_update(actor=world.actor(world.ta_a), child=world.child_a, changes={"religion": "Sikh"})
    r = client_for(world.ta_a).get(f"/families/{world.family_a.pk}/timeline/?kind=contacts")
    assert [e.kind for e in r.context["page"].entries] == ["contacts"]
    assert 'value="contacts" checked' in r.content.decode()
    r = client_for(world.ta_a).get(f"/families/{world.family_a.pk}/timeline/?kind=no-such&page=x")
    assert r.status_code == 200


def test_pages_hold_25_entries_and_link_older_and_newer(world, client_for):
    for i in range(30):
        _contact(world, D(2026, 11, 17) - dt.timedelta(days=i))
    r = client_for(world.ta_a).get(f"/families/{world.family_a.pk}/timeline/")
    page = r.context["page"]
    assert len(page.entries) == 25 and page.has_next and not page.has_previous
    r2 = client_for(world.ta_a).get(f"/families/{world.family_a.pk}/timeline/?page=2")
    page2 = r2.context["page"]
    assert len(page2.entries) == 5 and not page2.has_next and page2.has_previous
    days = [e.at.date() for e in page.entries + page2.entries]
    assert days == sorted(days, reverse=True) and len(set(days)) == 30


def test_a_registered_source_appears_with_its_entries(world, client_for):
    at = dt.datetime(2026, 11, 17, 9, tzinfo=dt.UTC)

    def fetch(actor, family, limit):
        return [TimelineEntry(at=at, kind="visits", label="Home visit", summary="Visited at home.", tone="info")][:limit]

    register_timeline_source(TimelineSource("visits", "Visits", fetch))
    try:
        r = client_for(world.ta_a).get(f"/families/{world.family_a.pk}/timeline/")
    finally:
        unregister_timeline_source("visits")
    assert "Home visit" in r.content.decode() and "Visits" in r.content.decode()


def test_fixed_number_of_queries_at_3_and_30_contacts(world, client_for):
    client = client_for(world.ta_a)
    url = f"/families/{world.family_a.pk}/timeline/"
    for i in range(3):
        _contact(world, D(2026, 11, 16) - dt.timedelta(days=i))
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(3, 30):
        _contact(world, D(2026, 11, 16) - dt.timedelta(days=i))
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)
