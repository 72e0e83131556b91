"""The carer's forms at 360 px: the carer corrects a phone number in the portal, and it lands in the admin office's
queue (tablet). The enrolment form and the contact preference too. axe-core WCAG 2.2 A/AA and a screenshot each."""

import pytest
from playwright.sync_api import Page, expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser

PHONE_360 = {"width": 360, "height": 780}


def _carer_page(browser, live_server, carer) -> Page:
    """A 360 px page signed in to the portal as this carer (the session a sign-in link leaves)."""
    from django.conf import settings
    from django.test import Client

    from keyworker.testing import carer_account

    client = Client()
    client.force_login(carer_account(carer))
    context = browser.new_context(viewport=PHONE_360, base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    return context.new_page()


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_360["width"], f"the page scrolls sideways: {width}px"


def _accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)


def test_the_carer_corrects_a_phone_number_and_the_office_sees_it(world, browser, live_server, open_page):
    carer = world.family_a.carers.first()
    page = _carer_page(browser, live_server, carer)
    try:
        page.goto("/family/forms/")
        expect(page.get_by_role("heading", name="Forms")).to_be_visible()
        _accessible(page)
        page.get_by_role("link", name="Check your family's details").click()
        expect(page.get_by_role("heading", name="Check your family's details")).to_be_visible()
        _accessible(page)
        _fits(page)
        screenshot(page, "portal-forms-details-360")

        born = page.locator(f"details:has(input[name='change-child.{world.child_a.pk}.date_of_birth'])")  # a bad date first: the error is on it
        born.locator("summary").click()
        born.get_by_label("It should be").fill("not a date")
        page.get_by_role("button", name="Send my changes").click()
        expect(page.get_by_role("alert")).to_contain_text("There is a problem")
        expect(page.get_by_text("Enter the date of birth as a date")).to_have_count(2)  # in the summary and on the field
        _accessible(page)
        screenshot(page, "portal-forms-details-error-360")
        page.locator(f"input[name='change-child.{world.child_a.pk}.date_of_birth']").fill("")

        phone = page.locator(f"details:has(input[name='change-carer.{carer.pk}.phone'])")
        phone.locator("summary").click()
        phone.get_by_label("It should be").fill("07700 900999")
        page.get_by_role("button", name="Send my changes").click()
        expect(page.get_by_role("status")).to_contain_text("your changes are waiting for the office")
        expect(page.get_by_text("Waiting for the office", exact=True)).to_be_visible()
        _accessible(page)
        _fits(page)
        screenshot(page, "portal-forms-details-sent-360")

        # Confirmed for this half term, and then the e-mail address changes: the carer tells the office all the same.
        expect(page.get_by_role("heading", name="Something changed since?")).to_be_visible()
        expect(page.get_by_role("button", name="Confirm, this is right")).to_have_count(0)
        email = page.locator(f"details:has(input[name='change-carer.{carer.pk}.email'])")
        email.locator("summary").click()
        email.get_by_label("It should be").fill("amy.adams.our.new.family.address@example.org")
        page.get_by_role("button", name="Send my changes").click()
        expect(page.get_by_role("status")).to_contain_text("your changes are waiting for the office")
        expect(page.get_by_text("Waiting for the office", exact=True)).to_have_count(2)
        _accessible(page)
        _fits(page)
        screenshot(page, "portal-forms-details-changed-since-360")
    finally:
        page.context.close()

    office = sign_in(open_page("tablet"), world.admin_office)
    office.goto("/data-checks/corrections/")
    expect(office.get_by_role("heading", name="Corrections to apply")).to_be_visible()
    expect(office.get_by_text("07700 900999")).to_be_visible()
    expect(office.get_by_text("amy.adams.our.new.family.address@example.org")).to_be_visible()
    expect(office.get_by_text("(carers' portal)")).to_have_count(2)  # each change says it came from the portal
    _accessible(office)
    screenshot(office, "office-corrections-from-portal-tablet")


def test_the_enrolment_form_and_contact_preference_at_360(world, browser, live_server):
    from keyworker.enrolment.tests.helpers import make_nursery

    nursery = make_nursery(world)
    page = _carer_page(browser, live_server, nursery.carer)
    try:
        page.goto(f"/family/forms/children/{nursery.child.pk}/enrolment/")
        expect(page.get_by_role("heading", name="Enrolment form for Eli")).to_be_visible()
        page.get_by_label("Allergies").fill("Peanuts")
        page.get_by_role("button", name="Send to the setting").click()
        expect(page.get_by_role("alert")).to_contain_text("There is a problem")
        _accessible(page)
        _fits(page)
        screenshot(page, "portal-enrolment-errors-360")
        page.get_by_role("button", name="Save and come back later").click()
        expect(page.get_by_role("status")).to_contain_text("Saved")
        screenshot(page, "portal-enrolment-saved-360")

        page.goto(f"/family/forms/{nursery.family.pk}/contact/")
        page.get_by_label("E-mail").check()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_contain_text("Saved")
        _accessible(page)
        _fits(page)
        screenshot(page, "portal-contact-preference-360")
    finally:
        page.context.close()


def test_the_key_person_reviews_and_accepts_the_form(world, open_page):
    from keyworker.enrolment.services import enrolment_save, enrolment_send
    from keyworker.enrolment.tests.helpers import ANSWERS, make_nursery

    nursery = make_nursery(world)
    enrolment_save(link=nursery.carer, child=nursery.child, answers=ANSWERS)
    form = enrolment_send(link=nursery.carer, child=nursery.child)
    page = sign_in(open_page("tablet"), nursery.key_person)
    page.goto("/enrolment/?state=sent")
    expect(page.get_by_role("heading", name="Enrolment forms")).to_be_visible()
    _accessible(page)
    screenshot(page, "staff-enrolment-list-tablet")
    page.goto(f"/enrolment/{form.pk}/")
    expect(page.get_by_text("Peanuts: EpiPen in the bag")).to_be_visible()
    _accessible(page)
    screenshot(page, "staff-enrolment-review-tablet")
    page.get_by_role("button", name="Accept the form").click()
    expect(page.get_by_role("status")).to_contain_text("accepted")
    _accessible(page)
    page.goto(f"/families/{nursery.family.pk}/")
    expect(page.get_by_role("heading", name="Enrolment forms")).to_be_visible()
    _accessible(page)
    screenshot(page, "staff-family-enrolment-tablet")
