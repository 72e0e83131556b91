"""Messages: a carer (phone, 360 px) writes to the key worker, the key worker (tablet) replies from My week, the carer
reads the reply. axe-core on each screen; screenshots to look at."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser
PHONE_360 = {"width": 360, "height": 780}


def _carer_page(browser, live_server, carer):
    """A 360 px wide page signed in to the portal as the carer (a session as the portal's sign-in leaves it)."""
    from django.test import Client

    from keyworker.testing import carer_account

    client = Client()
    client.force_login(carer_account(carer))
    context = browser.new_context(viewport=PHONE_360, base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    return context, context.new_page()


def _no_violations(page, name):
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{name} scrolls sideways"


def test_carer_writes_key_worker_replies_from_my_week_carer_reads_it(world, browser, live_server, open_page):
    from keyworker.people.models import Carer

    carer = Carer.objects.filter(family=world.family_a).order_by("id").first()
    context, phone = _carer_page(browser, live_server, carer)
    try:
        phone.goto("/family/messages/")
        expect(phone.get_by_role("heading", level=1)).to_have_text("Messages")
        phone.get_by_label("Your message").fill("Alfie is nervous about swimming on Thursday. Any tips?")
        phone.get_by_role("button", name="Send message").click()
        expect(phone.get_by_text("Message sent.")).to_be_visible()
        expect(phone.get_by_text("Not read yet")).to_be_visible()
        screenshot(phone, "portal-messages-sent-phone")
        _no_violations(phone, "portal messages")

        tablet = open_page("tablet")
        sign_in(tablet, world.ta_a)
        tablet.goto("/my-week/")
        panel = tablet.get_by_role("region", name="Messages waiting for a reply")
        expect(panel).to_contain_text("Alfie is nervous about swimming")
        screenshot(tablet, "my-week-messages-waiting")
        _no_violations(tablet, "My week")
        panel.get_by_label(f"Reply to {carer.full_name}").fill("We will visit the pool together on Wednesday first.")
        panel.get_by_role("button", name=f"Send reply to {carer.full_name}").click()
        expect(tablet.get_by_text(f"Reply sent to {carer.full_name}.")).to_be_visible()
        expect(tablet.get_by_role("region", name="Messages waiting for a reply")).to_have_count(0)

        tablet.goto(f"/contacts/messages/{world.family_a.pk}/")
        expect(tablet.get_by_role("heading", level=1)).to_have_text(f"Messages with {world.family_a.name}")
        screenshot(tablet, "staff-family-messages")
        _no_violations(tablet, "family messages")

        phone.goto("/family/messages/")
        expect(phone.get_by_text("We will visit the pool together on Wednesday first.")).to_be_visible()
        expect(phone.get_by_text("Read ").first).to_be_visible()  # the key worker read it
        screenshot(phone, "portal-messages-reply-phone")
        _no_violations(phone, "portal messages with the reply")
    finally:
        context.close()
