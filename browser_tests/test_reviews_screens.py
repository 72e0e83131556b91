"""Annual reviews in the browser: a carer fills in "All about my family" on a 360 px phone (save and come back, then
done), and the key worker sees "Done" on the review's checklist; axe-core WCAG 2.2 A/AA on each page, a screenshot each."""

import pytest
from playwright.sync_api import expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser

PHONE_360 = {"width": 360, "height": 740}


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


def _carer_page(browser, live_server, carer):
    from django.test import Client

    from keyworker.testing import carer_account

    client = Client()
    client.force_login(carer_account(carer))
    context = browser.new_context(viewport=PHONE_360, base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context, context.new_page()


def test_a_carer_fills_in_all_about_my_family_and_the_key_worker_sees_it_done(world, browser, live_server, open_page):
    from keyworker.meetings.tests.review_helpers import booked

    review = booked(world)
    context, page = _carer_page(browser, live_server, world.family_a.carers.order_by("contact_order", "id").first())
    try:
        page.goto(f"/family/reviews/{review.pk}/")
        expect(page.get_by_role("heading", name="Alfie's annual review")).to_be_visible()
        assert not axe_violations(page), describe_violations(axe_violations(page))
        _no_sideways_scroll(page)
        screenshot(page, "reviews-portal-review-360")

        page.get_by_role("link", name="Fill in All about my family").click()
        page.get_by_label("What is going well").fill("Alfie loves the sensory room and swimming on Fridays.")
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
        _no_sideways_scroll(page)
        screenshot(page, "reviews-portal-family-views-360")
        page.get_by_role("button", name="Save and come back later").click()
        expect(page.get_by_role("status")).to_contain_text("You can come back and finish it later")
        expect(page.get_by_text("Started")).to_be_visible()

        page.get_by_role("link", name="Carry on with All about my family").click()
        expect(page.get_by_label("What is going well")).to_have_value("Alfie loves the sensory room and swimming on Fridays.")
        page.get_by_label("Questions for the meeting").fill("Can we talk about transport next year?")
        page.get_by_role("button", name="Save: it is done").click()
        expect(page.get_by_role("status")).to_contain_text("Thank you")
        assert not axe_violations(page), describe_violations(axe_violations(page))
        screenshot(page, "reviews-portal-done-360")
    finally:
        context.close()

    staff = sign_in(open_page("tablet"), world.ta_a)
    staff.goto(f"/meetings/reviews/{review.pk}/")
    panel = staff.locator("section", has=staff.get_by_role("heading", name="All about my family"))
    expect(panel).to_contain_text("Done")
    expect(panel).to_contain_text("by the family in the portal")
    violations = axe_violations(staff)
    assert not violations, describe_violations(violations)
    _no_sideways_scroll(staff)
    screenshot(staff, "reviews-staff-checklist-tablet")

    staff.goto("/meetings/reviews/")
    expect(staff.get_by_role("heading", name="EHCP annual reviews")).to_be_visible()
    assert not axe_violations(staff), describe_violations(axe_violations(staff))
    screenshot(staff, "reviews-staff-list-tablet")
