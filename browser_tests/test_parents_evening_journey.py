"""A carer books a parents' evening slot on a phone (360 px), then moves it; the key worker sees the family on
their timetable. No JavaScript needed; axe-core WCAG 2.2 A/AA on each screen; screenshots to look at."""

import pytest
from playwright.sync_api import expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser


def _as_carer(page, live_server, carer):
    from keyworker.testing import portal_client

    client = portal_client(carer)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_carer_books_and_moves_a_slot_and_the_key_worker_sees_it(world, open_page, live_server):
    from keyworker.meetings.tests.evening_helpers import carer_of, open_evening

    evening = open_evening(world)
    carer = carer_of(world.family_a)
    phone = open_page("phone")
    _as_carer(phone, live_server, carer)
    phone.goto("/family/bookings/")
    phone.get_by_role("link", name="Autumn parents' evening").click()
    expect(phone.get_by_role("heading", name="Autumn parents' evening")).to_be_visible()
    section = phone.locator("section", has=phone.get_by_role("heading", name=world.ta_a.user.full_name))
    section.get_by_text("16:20", exact=True).click()
    assert not axe_violations(phone), describe_violations(axe_violations(phone))
    _no_sideways_scroll(phone)
    screenshot(phone, "parents-evening-carer-choose")
    section.get_by_role("button", name="Book this time").click()
    expect(phone.get_by_text("Booked: 16:20")).to_be_visible()
    expect(section.get_by_text("Your appointment: 16:20")).to_be_visible()
    section.get_by_text("16:40", exact=True).click()
    section.get_by_role("button", name="Change the time").click()
    expect(phone.get_by_text("Moved: now 16:40")).to_be_visible()
    violations = axe_violations(phone)
    assert not violations, describe_violations(violations)
    _no_sideways_scroll(phone)
    screenshot(phone, "parents-evening-carer-booked")

    tablet = open_page("tablet")
    sign_in(tablet, world.ta_a)
    tablet.goto(f"/meetings/evenings/{evening.pk}/timetable/")
    row = tablet.locator("tr", has_text="16:40–16:50")
    expect(row).to_contain_text("Alfie")
    expect(row).to_contain_text(carer.full_name)
    violations = axe_violations(tablet)
    assert not violations, describe_violations(violations)
    screenshot(tablet, "parents-evening-timetable")


def test_a_leader_opens_an_evening_and_the_office_books_for_a_family(world, open_page):
    tablet = open_page("tablet")
    sign_in(tablet, world.headteacher)
    tablet.goto("/meetings/evenings/")
    tablet.get_by_role("link", name="Open a parents' evening").click()
    expect(tablet.get_by_label(world.ta_a.user.full_name)).to_be_checked()
    tablet.get_by_label("Day").fill("2026-12-03")
    tablet.get_by_label("Ends at").fill("17:00")
    tablet.get_by_label("Break starts").fill("16:30")
    violations = axe_violations(tablet)
    assert not violations, describe_violations(violations)
    screenshot(tablet, "parents-evening-open-form")
    tablet.get_by_role("button", name="Open the evening").click()
    expect(tablet.locator(".error-message", has_text="Enter both the start and the end of the break")).to_be_visible()
    tablet.get_by_label("Break ends").fill("16:40")
    tablet.get_by_role("button", name="Open the evening").click()
    expect(tablet.get_by_text("is open for booking")).to_be_visible()
    url = tablet.url

    office = open_page("tablet")
    sign_in(office, world.admin_office)
    office.goto(url)
    column = office.locator("section", has=office.get_by_role("heading", name=world.ta_a.user.full_name))
    column.get_by_role("link", name=f"Book 16:10 with {world.ta_a.user.full_name}").click()
    office.get_by_label("Child").select_option(label=f"Alfie Adams ({world.family_a.name}, Ash)")
    office.get_by_role("button", name="Book").click()
    expect(office.get_by_text("Booked 16:10")).to_be_visible()
    expect(column).to_contain_text("Alfie Adams")
    violations = axe_violations(office)
    assert not violations, describe_violations(violations)
    screenshot(office, "parents-evening-board")
