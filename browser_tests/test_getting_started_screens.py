"""The getting-started checklist at 768 px (a tablet held upright): axe-core WCAG 2.2 A/AA, no sideways scrolling,
a screenshot; copying a typical school year and inviting the staff from it."""

import pytest
from playwright.sync_api import Page, expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser

WIDTH = {"width": 768, "height": 1024}


def _check(page: Page, name: str) -> None:
    screenshot(page, name)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, f"{name} scrolls sideways: {scroll}px in {client}px"


def _fresh_setting_and_held_emails(world):
    from keyworker.accounts.models import StaffMember
    from keyworker.testing import make_group, make_setting

    new = make_setting(world.org, name="New Juniors")
    make_group(new, "Elm")
    StaffMember.objects.filter(pk__in=[world.teacher_a.pk, world.ta_a.pk]).update(sign_in_email_held=True)
    for staff in (world.teacher_a, world.ta_a):  # imported: no password until they choose one
        staff.user.set_unusable_password()
        staff.user.save()


def test_getting_started_checklist(world, open_page):
    _fresh_setting_and_held_emails(world)
    page = open_page("tablet")
    page.set_viewport_size(WIDTH)
    sign_in(page, world.headteacher)
    page.goto("/getting-started/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Getting started")
    expect(page.get_by_text("0 of 7 done")).to_be_visible()
    _check(page, "getting-started-768")

    page.get_by_role("button", name="Copy a typical English school year (2026/27) to adjust").click()
    expect(page.get_by_role("status").first).to_contain_text("Copied a typical school year 2026/27 to New Juniors")
    expect(page.get_by_text("3 terms entered, up to 23 July 2027.")).to_be_visible()

    page.get_by_role("button", name="Send the sign-in e-mails to 2 members of staff").click()
    expect(page.get_by_role("status").first).to_contain_text("Sign-in e-mails sent to 2 members of staff.")
    expect(page.get_by_text("2 of 7 done")).to_be_visible()
    _check(page, "getting-started-768-after")


def test_my_week_banner_for_a_leader(world, open_page):
    page = open_page("tablet")
    page.set_viewport_size(WIDTH)
    sign_in(page, world.headteacher)
    page.goto("/my-week/")
    banner = page.get_by_role("region", name="Getting started: 5 of 7 done")
    expect(banner).to_contain_text("Next: Adopt your key worker policy")
    _check(page, "my-week-getting-started-banner-768")
    banner.get_by_role("link", name="Continue setting up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Getting started")
