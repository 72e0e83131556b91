"""Personal care plan screens: the plan page, the review form (and its errors), the history and the list for staff at
tablet width; the carer's plan page at 360 px. axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot each."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot
from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser
PHONE_360 = {"width": 360, "height": 780}


def _club(world):
    from keyworker.care.models_plans import ChildChose
    from keyworker.care.plans_services import care_plan_comment_add, care_plan_review_record, care_plan_save
    from keyworker.care.tests.plans_helpers import SECTIONS, make_club

    club = make_club(world)
    world.club = club
    world.club_key_contact = club.key_contact
    world.club_manager = club.manager
    actor = world.actor(club.key_contact)
    care_plan_save(actor=actor, child=club.child, sections=SECTIONS, summary="First plan, with Gina and her mum",
                   as_of=dt.date(2026, 9, 10))
    care_plan_review_record(actor=actor, child=club.child, reviewed_on=dt.date(2026, 10, 7), child_chose=ChildChose.STAFF,
                            chosen_staff=club.other_staff, done_by=club.other_staff, notes="Gina chose Olly today.",
                            sections={**SECTIONS, "interests": "Football and the new bikes"}, summary="New interests")
    care_plan_comment_add(link=club.carer, child=club.child, asks_review=True,
                          body="Gina has started waking at night. Could we talk about the evening routine?")
    return club


def _bad_review(page: Page, world):
    page.get_by_label("Date of the review").fill("2026-12-01")
    page.get_by_label("Their key contact").check()
    page.locator("main").get_by_role("button", name="Record the review").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.locator("main")).to_contain_text("The review's date cannot be in the future")


SCREENS = [
    Screen("care-plans-list", "club_manager", lambda w: "/care/plans/", "Personal care plans", prepare=_club),
    Screen("care-plan", "club_key_contact", lambda w: f"/care/plans/children/{w.club.child.pk}/",
           "Personal care plan of Gina Grant", prepare=_club),
    Screen("care-plan-review", "club_key_contact", lambda w: f"/care/plans/children/{w.club.child.pk}/review/",
           "Review the care plan of Gina Grant", prepare=_club),
    Screen("care-plan-review-problem", "club_key_contact", lambda w: f"/care/plans/children/{w.club.child.pk}/review/",
           "Review the care plan of Gina Grant", prepare=_club, act=_bad_review),
    Screen("care-plan-history", "club_key_contact", lambda w: f"/care/plans/children/{w.club.child.pk}/history/",
           "History of the care plan of Gina Grant", prepare=_club),
    Screen("care-plan-edit", "club_key_contact", lambda w: f"/care/plans/children/{w.club.child.pk}/edit/",
           "Change the care plan of Gina Grant", prepare=_club),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_care_plan_screen(world, open_page, screen: Screen):
    check_screen(world, open_page, screen, "tablet")


def test_the_carer_reads_the_plan_on_a_phone_and_asks_for_a_review(world, browser, live_server):
    from django.conf import settings
    from django.test import Client

    from keyworker.testing import carer_account

    club = _club(world)
    client = Client()
    client.force_login(carer_account(club.carer))
    context = browser.new_context(viewport=PHONE_360, base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    page = context.new_page()
    try:
        for path, heading, name in (("/family/care-plans/", "Care plans", "portal-care-plans-phone"),
                                    (f"/family/care-plans/{club.child.pk}/", "Gina's care plan", "portal-care-plan-phone")):
            page.goto(path)
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            violations = axe_violations(page)
            assert violations == [], describe_violations(violations)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} scrolls sideways"
            screenshot(page, name)
        page.get_by_label("Your comment").fill("Thank you. Her new inhaler is in the red bag now.")
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_text("Thank you: your comment is with the setting.")).to_be_visible()
        screenshot(page, "portal-care-plan-sent-phone")
    finally:
        context.close()
