"""Every page of the carers' portal on a phone 360 px wide, for a carer with full access and something on every page
(keyworker.portal.testing): the door (sign in, link sent, the link's page, a used link, an expired one), each page of
each section, the calendar after "Get my calendar address" and the portal's own "not found". Each passes axe-core
(WCAG 2.2 A/AA), does not scroll sideways and leaves a screenshot; then the same pages in a browser with JavaScript
switched off, signed in through the same forms, each showing its main heading."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 780}
# Files, not pages: served (checked for 200) but not drawn.
FILES = {"key_worker_photo", "appointment_ics", "review_booklet", "journal_photo", "journal_wow_photo"}


def _link_from_outbox(address: str) -> str:
    from django.core import mail
    from django.utils import timezone

    from keyworker.notifications.services import deliveries_run

    deliveries_run(now=timezone.now(), worker_id="browser")
    body = next(m.body for m in reversed(mail.outbox) if address in m.to)
    return re.search(r"(/family/sign-in/link/\?sesame=[\w\-]+)", body).group(1)


def _sign_in(page, address: str, check=None) -> str:
    """Ask for a link, open it from the e-mail, press Sign in; returns the (now used) link."""
    page.goto("/family/sign-in/")
    check and check(page, "sign-in")
    page.get_by_label("Your e-mail address").fill(address)
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(page.get_by_text("If the address is known, a link is on its way.")).to_be_visible()
    check and check(page, "sign-in-sent")
    link = _link_from_outbox(address)
    page.goto(link)
    check and check(page, "sign-in-link")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your family")).to_be_visible()
    return link


def _problems(page, name: str) -> list[str]:
    """axe-core and the width at 360 px; a screenshot either way."""
    screenshot(page, f"portal-sweep-{name}-360")
    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append(f"{name} ({page.url}): axe-core found {len(violations)}:\n{describe_violations(violations)}")
    if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
        wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 60))""")
        problems.append(f"{name} ({page.url}): scrolls sideways at 360 px: {wide}")
    return problems


def test_every_portal_page_at_360_px_with_axe_and_without_javascript(world, open_page, browser, live_server, settings,
                                                                      tmp_path, clock):
    from keyworker.portal.testing import world_portal_family

    settings.MEDIA_ROOT = tmp_path
    family = world_portal_family(world)
    address = family.carer.email
    headings: dict[str, str] = {}
    problems: list[str] = []

    def check(page, name):
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_be_visible()
        headings[name] = heading.inner_text()
        problems.extend(_problems(page, name))

    page = open_page("phone")
    page.set_viewport_size(PHONE)
    used_link = _sign_in(page, address, check)
    urls = {}
    for name, url in family.pages.items():
        if name in FILES:
            assert page.request.get(url).status == 200, url
            continue
        response = page.goto(url)
        assert response.status == 200, (name, url, response.status)
        urls[name] = url
        check(page, name)

    # The calendar once the carer has asked for its private address.
    page.goto("/family/calendar/")
    page.get_by_role("button", name="Get my calendar address").click()
    expect(page.get_by_text("Keep it to yourself")).to_be_visible()
    expect(page.locator("code.calendar-address")).to_contain_text("/meetings/feed/")
    check(page, "calendar-address")
    # The portal's own "not found", signed in.
    assert page.goto("/family/reviews/999999/").status == 404
    check(page, "not-found")
    urls["not-found"] = "/family/reviews/999999/"
    # A used link, opened again after signing out.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to your family's pages")).to_be_visible()
    assert page.goto(used_link).status == 400
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    check(page, "sign-in-link-used")
    assert problems == [], "\n\n".join(problems)

    # Without JavaScript: signing in by the same forms, then every page shows its main heading.
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="en-GB", timezone_id="Europe/London",
                                  java_script_enabled=False)
    try:
        bare = context.new_page()
        _sign_in(bare, address)
        for name, url in urls.items():
            bare.goto(url)
            expect(bare.get_by_role("heading", level=1)).to_have_text(headings[name])
        bare.goto("/family/calendar/")
        expect(bare.get_by_role("heading", level=1)).to_have_text(headings["calendar-address"])
        screenshot(bare, "portal-sweep-calendar-no-javascript-360")
    finally:
        context.close()

    # An expired link: asked for, then opened after its 15 minutes.
    page.goto("/family/sign-in/")
    page.get_by_label("Your e-mail address").fill(address)
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(page.get_by_text("If the address is known, a link is on its way.")).to_be_visible()
    link = _link_from_outbox(address)
    clock.shift(dt.timedelta(minutes=16))
    assert page.goto(link).status == 400
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    expired = _problems(page, "sign-in-link-expired")
    assert expired == [], "\n\n".join(expired)
