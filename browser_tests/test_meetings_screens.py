"""Meetings in the browser: a key worker arranges an appointment from the family's page (tablet), and the carer
answers it in the portal at 360 px; axe-core WCAG 2.2 A/AA on each screen, no sideways scrolling, screenshots."""

import re

import pytest
from playwright.sync_api import Page, expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser

PHONE_360 = {"width": 360, "height": 780}


def _accessible(page: Page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{name} scrolls sideways"
    screenshot(page, name)


def _carer_page(browser, live_server, carer) -> Page:
    """A 360 px wide page signed in to the portal as the carer (their session, as a magic link leaves it)."""
    from django.test import Client

    from keyworker.testing import carer_account

    client = Client()
    client.force_login(carer_account(carer))
    context = browser.new_context(viewport=PHONE_360, base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context.new_page()


def test_a_key_worker_arranges_an_appointment_and_the_carer_answers(world, open_page, browser, live_server):
    carer = world.family_a.carers.get()
    page = sign_in(open_page("tablet"), world.ta_a)
    page.goto(f"/families/{world.family_a.pk}/")
    expect(page.get_by_role("heading", name="Upcoming appointments")).to_be_visible()
    page.get_by_role("link", name="Arrange an appointment with this family").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Arrange an appointment with The Adams family")
    page.get_by_label("Kind").select_option("review_meeting")
    page.get_by_label("Title").fill("Termly support review")
    page.get_by_label("Date").fill("2026-11-24")
    page.get_by_label("Starts").fill("15:30")
    page.get_by_label("Ends").fill("15:00")
    page.get_by_label("Place").fill("Family room")
    expect(page.get_by_label(re.compile(carer.full_name))).to_be_checked()
    page.get_by_role("button", name="Arrange the appointment").click()
    expect(page.get_by_text("The end must be after the start").first).to_be_visible()
    _accessible(page, "meetings-new-error-tablet")
    page.get_by_label("Ends").fill("16:15")
    page.get_by_role("button", name="Arrange the appointment").click()
    expect(page.get_by_role("status")).to_contain_text("Appointment arranged: Termly support review.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Termly support review")
    expect(page.locator(".summary")).to_contain_text("Tue 24 November 2026, 15:30–16:15")
    _accessible(page, "meetings-detail-tablet")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My week").click()
    page.get_by_role("link", name="All my meetings").click()
    expect(page.get_by_role("link", name="Termly support review")).to_be_visible()
    _accessible(page, "meetings-list-tablet")

    phone = _carer_page(browser, live_server, carer)
    phone.goto("/family/appointments/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Appointments")
    expect(phone.get_by_text("Tue 24 November 2026, 15:30 to 16:15")).to_be_visible()
    expect(phone.get_by_text("Termly support review")).to_have_count(0)
    _accessible(phone, "portal-appointments-360")
    phone.get_by_role("button", name="Coming", exact=True).click()
    expect(phone.get_by_role("status")).to_contain_text("we have your answer, “Coming”")
    expect(phone.locator(".appointment-card").first).to_contain_text("Your answer")
    expect(phone.get_by_role("button", name="Coming", exact=True)).to_have_attribute("aria-pressed", "true")
    _accessible(phone, "portal-appointments-answered-360")
    phone.context.close()

    page.reload()
    page.get_by_role("link", name="Termly support review").click()
    expect(page.get_by_role("row").filter(has_text=carer.full_name)).to_contain_text("Coming")
