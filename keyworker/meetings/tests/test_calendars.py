"""Calendars: one appointment as .ics, and the private feeds of staff and carers, parsed back with icalendar."""

import datetime as dt

import pytest
from icalendar import Calendar

from keyworker.meetings.models import CalendarFeed, Invitee
from keyworker.people.models import ContactRestriction
from keyworker.testing import carer_account, make_family, portal_client

from .reminder_world import appointment, carer_of

pytestmark = pytest.mark.django_db
T = dt.timedelta


def parse(response) -> Calendar:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(cal: Calendar) -> list:
    return list(cal.walk("VEVENT"))


def feed_path(client, url="/meetings/calendar/address/", new=False) -> str:
    client.post(url, {"new": "1"} if new else {})
    feed = CalendarFeed.objects.filter(revoked_at__isnull=True).order_by("-id").first()
    return f"/meetings/feed/{feed.token}.ics"


def test_an_appointment_downloads_as_valid_ics_with_uid_sequence_timezone_and_no_notes(world, client_for):
    a = appointment(world, family=world.family_a, staff=[world.ta_a], place="", video_link="https://meet.example.org/abc")
    a.sequence = 2
    a.save()
    response = client_for(world.ta_a).get(f"/meetings/{a.pk}/appointment.ics")
    assert "attachment" in response["Content-Disposition"] and ".ics" in response["Content-Disposition"]
    cal = parse(response)
    assert str(cal["VERSION"]) == "2.0" and str(cal["METHOD"]) == "PUBLISH" and cal["PRODID"]
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/London"
    [e] = events(cal)
    assert str(e["UID"]) == f"{a.uid}@keyworker" and int(e["SEQUENCE"]) == 2 and e["DTSTAMP"]
    assert e["DTSTART"].dt == a.starts_at and e["DTSTART"].params["TZID"] == "Europe/London"
    assert e["DTEND"].dt == a.ends_at and str(e["STATUS"]) == "CONFIRMED"
    assert str(e["URL"]) == "https://meet.example.org/abc" and str(e["LOCATION"]) == "https://meet.example.org/abc"
    text = response.content.decode()
    assert "Staff only" not in text and "EHCP" not in text


def test_a_cancelled_appointment_is_status_cancelled_with_a_higher_sequence(world, client_for):
    a = appointment(world, family=world.family_a, staff=[world.ta_a])
    client = client_for(world.ta_a)
    path = feed_path(client)
    before = events(parse(client.get(path)))[0]
    a.status, a.sequence = "cancelled", a.sequence + 1
    a.save()
    after = events(parse(client.get(path)))[0]
    assert str(after["UID"]) == str(before["UID"]) and int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert str(after["STATUS"]) == "CANCELLED"
    assert "Staff only reason" not in client.get(path).content.decode()


def test_the_staff_feed_shows_only_what_they_are_invited_to_or_made(world, client_for):
    mine = appointment(world, family=world.family_a, staff=[world.ta_a], title="Mine")
    made = appointment(world, family=world.family_a, created_by=world.ta_a, title="Made")
    appointment(world, family=world.family_b, staff=[world.teacher_b], created_by=world.teacher_b, title="Not mine")
    path = feed_path(client_for(world.ta_a))
    cal = parse(client_for(world.ta_a).get(path))
    assert sorted(str(e["UID"]) for e in events(cal)) == sorted(f"{x.uid}@keyworker" for x in (mine, made))
    # The address needs no sign-in: a calendar program fetches it.
    from django.test import Client

    assert len(events(parse(Client().get(path)))) == 2


def test_a_new_address_revokes_the_old_and_a_guessed_one_is_404(world, client_for):
    from django.test import Client

    client = client_for(world.ta_a)
    client.get("/meetings/calendar/")
    old = feed_path(client)
    assert client.post("/meetings/calendar/address/").status_code == 302  # asking again keeps the same
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 1
    new = feed_path(client, new=True)
    assert new != old
    anon = Client()
    assert anon.get(old).status_code == 404
    assert anon.get(new).status_code == 200
    assert anon.get("/meetings/feed/guessed-token-1234.ics").status_code == 404
    assert anon.get("/meetings/feed/" + "x" * 80 + ".ics").status_code == 404
    page = client.get("/meetings/calendar/").content.decode()
    assert new.split("/")[-1].removesuffix(".ics") in page and "Make a new address" in page


def test_a_feed_stops_when_its_owner_leaves(world, client_for):
    from django.test import Client

    path = feed_path(client_for(world.ta_a))
    world.ta_a.is_active = False
    world.ta_a.save()
    assert Client().get(path).status_code == 404


@pytest.mark.parametrize("persona", ["teacher_b", "outsider"])
def test_an_appointment_outside_scope_is_404(world, client_for, persona):
    a = appointment(world, family=world.family_a, staff=[world.ta_a])
    assert client_for(world.personas[persona]).get(f"/meetings/{a.pk}/appointment.ics").status_code == 404


def test_a_leader_and_the_key_worker_may_download(world, client_for):
    a = appointment(world, family=world.family_a)
    for staff in (world.headteacher, world.ta_a):
        assert client_for(staff).get(f"/meetings/{a.pk}/appointment.ics").status_code == 200


def test_the_carers_feed_shows_their_invitations_in_families_they_may_see(world):
    carer = carer_of(world.family_a, email="amy@example.org")
    invited = appointment(world, family=world.family_a, carers=[carer])
    appointment(world, family=world.family_a, staff=[world.ta_a], title="Staff only meeting")
    client = portal_client(carer)
    assert client.get("/family/calendar/").status_code == 200
    client.post("/family/calendar/address/")
    feed = CalendarFeed.objects.get(user=carer.user, revoked_at__isnull=True)
    assert feed.staff_id is None
    from django.test import Client

    cal = parse(Client().get(f"/meetings/feed/{feed.token}.ics"))
    assert [str(e["UID"]) for e in events(cal)] == [f"{invited.uid}@keyworker"]
    # A "no contact" restriction closes it.
    carer.contact_restriction = ContactRestriction.NO_CONTACT
    carer.save()
    empty = parse(Client().get(f"/meetings/feed/{feed.token}.ics"))
    assert events(empty) == [] and [str(t["TZID"]) for t in empty.walk("VTIMEZONE")] == ["Europe/London"]


def test_a_carer_downloads_their_appointment_and_nothing_else(world):
    carer = carer_of(world.family_a, email="amy@example.org")
    invited = appointment(world, family=world.family_a, carers=[carer])
    other = appointment(world, family=world.family_b, carers=[carer_of(world.family_b)])
    client = portal_client(carer)
    page = client.get("/family/calendar/").content.decode()
    assert f"/family/appointments/{invited.pk}/calendar.ics" in page and "Add to my calendar" in page
    [e] = events(parse(client.get(f"/family/appointments/{invited.pk}/calendar.ics")))
    assert str(e["UID"]) == f"{invited.uid}@keyworker"
    assert client.get(f"/family/appointments/{other.pk}/calendar.ics").status_code == 404
    assert client.get("/family/appointments/999999/calendar.ics").status_code == 404


def test_the_carer_never_sees_the_title_staff_wrote_in_the_calendar_page_feed_or_ics(world, client_for):
    """Staff write the title for themselves ("Concerns raised by the social worker"); the family's calendar, like the
    portal's appointments page, names the appointment by its kind and the child's first name."""
    carer = carer_of(world.family_a, email="amy@example.org")
    child = world.family_a.children.order_by("id").first()
    a = appointment(world, family=world.family_a, carers=[carer], staff=[world.ta_a],
                    title="Concerns raised by the social worker")
    a.child = child
    a.save()
    name = child.preferred_name or child.legal_first_name
    client = portal_client(carer)
    page = client.get("/family/calendar/").content.decode()
    assert "Concerns raised" not in page and f"Review meeting for {name}" in page
    [e] = events(parse(client.get(f"/family/appointments/{a.pk}/calendar.ics")))
    assert str(e["SUMMARY"]) == f"Review meeting for {name} – {world.school.name}"
    client.post("/family/calendar/address/")
    feed = CalendarFeed.objects.get(user=carer.user, revoked_at__isnull=True)
    from django.test import Client

    response = Client().get(f"/meetings/feed/{feed.token}.ics")
    assert "Concerns raised" not in response.content.decode()
    assert [str(e["SUMMARY"]) for e in events(parse(response))] == [f"Review meeting for {name} – {world.school.name}"]
    # The staff member's own feed and download keep the title they wrote.
    staff = client_for(world.ta_a)
    [mine] = events(parse(staff.get(f"/meetings/{a.pk}/appointment.ics")))
    assert str(mine["SUMMARY"]).startswith("Concerns raised by the social worker")
    assert "Concerns raised" in staff.get(feed_path(staff)).content.decode()


def test_staff_get_404_on_the_carers_pages(world, client_for):
    a = appointment(world, family=world.family_a, staff=[world.ta_a])
    client = client_for(world.ta_a)
    assert client.get("/family/calendar/").status_code == 404
    assert client.get(f"/family/appointments/{a.pk}/calendar.ics").status_code == 404


def test_the_account_page_links_to_the_calendar_address(world, client_for):
    assert "/meetings/calendar/" in client_for(world.ta_a).get("/accounts/").content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_a_feed_takes_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries, size):
    carer = carer_of(world.family_a, email="amy@example.org")
    carer_account(carer)
    for i in range(size):
        family = make_family(world.org)
        appointment(world, family=family, staff=[world.ta_a], carers=[carer], starts_in=T(days=i % 20, hours=i))
    staff_path = feed_path(client_for(world.ta_a))
    client = portal_client(carer)
    client.post("/family/calendar/address/")
    carer_path = f"/meetings/feed/{CalendarFeed.objects.get(user=carer.user, revoked_at__isnull=True).token}.ics"
    from django.test import Client

    anon = Client()
    # A carer's feed also asks each registered calendar source (transition visits: two queries).
    for path, most in ((staff_path, 4), (carer_path, 6)):
        with django_assert_max_num_queries(most):
            assert len(events(parse(anon.get(path)))) == size
    assert Invitee.objects.count() == 2 * size


def test_a_signed_in_carer_opens_their_own_feed_in_the_same_browser_and_nothing_else(world, client_for):
    carer = carer_of(world.family_a, email="amy@example.org")
    invited = appointment(world, family=world.family_a, carers=[carer])
    client = portal_client(carer)
    client.post("/family/calendar/address/")
    own = CalendarFeed.objects.get(user=carer.user, revoked_at__isnull=True)
    cal = parse(client.get(f"/meetings/feed/{own.token}.ics"))
    assert [str(e["UID"]) for e in events(cal)] == [f"{invited.uid}@keyworker"]
    assert client.get(f"/family/appointments/{invited.pk}/calendar.ics").status_code == 200
    # Another carer's address, a member of staff's, a guessed or revoked one, and the staff pages: 404 as before.
    other = carer_of(world.family_b, email="bea@example.org")
    portal_client(other).post("/family/calendar/address/")
    theirs = CalendarFeed.objects.get(user=other.user, revoked_at__isnull=True)
    staff_feed = feed_path(client_for(world.ta_a))
    for path in (f"/meetings/feed/{theirs.token}.ics", staff_feed, "/meetings/feed/guessed-token-1234.ics",
                 f"/meetings/{invited.pk}/appointment.ics", "/meetings/calendar/", "/my-week/"):
        response = client.get(path)
        assert response.status_code == 404 and not response["Content-Type"].startswith("text/calendar"), path
    client.post("/family/calendar/address/", {"new": "1"})
    assert client.get(f"/meetings/feed/{own.token}.ics").status_code == 404
    new = CalendarFeed.objects.get(user=carer.user, revoked_at__isnull=True)
    assert client.get(f"/meetings/feed/{new.token}.ics").status_code == 200
