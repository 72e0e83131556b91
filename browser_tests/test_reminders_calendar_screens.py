"""Reminders and calendars in the browser: a key worker ticks off "remind by phone" on My week (tablet), and a carer
downloads an appointment's .ics on their phone (360 px). axe-core WCAG 2.2 A/AA and a screenshot of each."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser
T = dt.timedelta


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_key_worker_ticks_off_a_phone_reminder_on_my_week(world, page):
    from keyworker.meetings.models import AppointmentReminder
    from keyworker.meetings.reminders import reminders_run
    from keyworker.meetings.tests.reminder_world import NOW, TODAY, appointment, carer_of
    from keyworker.people.models import ContactMethod

    carer = carer_of(world.family_a, preferred_contact_method=ContactMethod.PHONE, first_name="Amy", last_name="Adams")
    appointment(world, family=world.family_a, carers=[carer], starts_in=T(days=3), title="Review meeting")
    reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=NOW)

    sign_in(page, world.ta_a)
    page.goto("/my-week/")
    panel = page.get_by_role("region", name="Reminders to give before appointments")
    expect(panel).to_contain_text("Remind Amy Adams (The Adams family) by phone: Review meeting on Sat 21 November 2026")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    _no_sideways_scroll(page)
    screenshot(page, "reminders-my-week-task")
    panel.get_by_role("button", name="Done").click()
    expect(page.get_by_role("status")).to_contain_text("Done: Remind Amy Adams")
    expect(page.get_by_role("region", name="Reminders to give before appointments")).to_have_count(0)
    assert AppointmentReminder.objects.get().state == "done"
    screenshot(page, "reminders-my-week-done")


def test_a_carer_downloads_an_appointment_to_their_phone_calendar(world, open_page, live_server):
    from django.test import Client
    from icalendar import Calendar

    from keyworker.meetings.tests.reminder_world import appointment, carer_of
    from keyworker.testing import carer_account

    carer = carer_of(world.family_a, email="amy.adams@example.org", first_name="Amy", last_name="Adams")
    a = appointment(world, family=world.family_a, carers=[carer], starts_in=T(days=3), title="Review meeting",
                    place="The blue room, Test Primary")
    client = Client()
    client.force_login(carer_account(carer))
    page = open_page("phone")
    page.set_viewport_size({"width": 360, "height": 780})
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page.goto("/family/calendar/")
    expect(page.get_by_role("heading", name="Your calendar")).to_be_visible()
    page.get_by_role("button", name="Get my calendar address").click()
    expect(page.locator(".calendar-address")).to_contain_text("/meetings/feed/")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    _no_sideways_scroll(page)
    screenshot(page, "portal-calendar-phone")
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar").click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".ics")
    [event] = Calendar.from_ical(open(path, "rb").read()).walk("VEVENT")
    assert str(event["UID"]) == f"{a.uid}@keyworker" and str(event["LOCATION"]) == "The blue room, Test Primary"


def test_a_member_of_staff_gets_and_renews_their_calendar_address(world, page):
    sign_in(page, world.ta_a)
    page.goto("/accounts/")
    page.get_by_role("link", name="Get my calendar address").click()
    page.get_by_role("button", name="Get my calendar address").click()
    address = page.locator(".calendar-address")
    expect(address).to_contain_text("/meetings/feed/")
    first = address.inner_text()
    page.get_by_role("button", name="Make a new address").click()
    expect(page.get_by_role("status")).to_contain_text("The old one no longer works")
    assert page.locator(".calendar-address").inner_text() != first
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    _no_sideways_scroll(page)
    screenshot(page, "staff-calendar-address")
