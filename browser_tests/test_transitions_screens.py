"""Year 6 transitions screens: the cohort view and a plan page at tablet width for staff, the family's pages on a
360 px phone; axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot each."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot
from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser

PHONE_360 = {"width": 360, "height": 740}
WRITE_UP = ("Alfie was quiet on the bus but soon joined in. We toured the science labs and the library, met Mrs Okafor "
            "and had lunch in the hall. Next time we will practise the walk from the gate to the Year 7 area.")


def _plan(world):
    """Alfie's plan: a visit held on Monday (written up and shared), one coming, the dates shared; Bella in Year 6
    without a plan."""
    from keyworker.people.models import Child
    from keyworker.transitions import services
    from keyworker.transitions.models import TransitionVisit
    from keyworker.transitions.tests.helpers import at, plan_for, visit

    Child.objects.filter(pk=world.child_b.pk).update(year_group="Year 6")
    plan = plan_for(world)
    held = visit(world, plan, dt.date(2026, 11, 30), staff=[world.ta_a, world.teacher_a])
    visit(world, plan, dt.date(2026, 12, 7), start=13, end=15, staff=[world.ta_a])
    services.transition_dates_share(actor=world.actor(world.ta_a), plan=plan)
    TransitionVisit.objects.filter(pk=held.pk).update(starts_at=at(dt.date(2026, 11, 16), 9),
                                                      ends_at=at(dt.date(2026, 11, 16), 11))
    held.refresh_from_db()
    services.transition_write_up_save_and_share(actor=world.actor(world.ta_a), visit=held, text=WRITE_UP)
    world.plan = plan
    return plan


def _bad_visit(page: Page, world):
    page.get_by_label("Date", exact=True).fill("2026-11-30")
    page.get_by_label("Starts", exact=True).fill("11:00")
    page.get_by_label("Ends", exact=True).fill("09:00")
    page.locator("main").get_by_role("button", name="Add the visit").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


SCREENS = [
    Screen("transitions-cohort", "headteacher", lambda w: "/transitions/", "Year 6 transitions", prepare=_plan),
    Screen("transitions-plan", "ta_a", lambda w: f"/transitions/{w.plan.pk}/", "Transition plan of Alfie Adams",
           prepare=_plan),
    Screen("transitions-plan-problem", "ta_a", lambda w: f"/transitions/{w.plan.pk}/", "Transition plan of Alfie Adams",
           prepare=_plan, act=_bad_visit),
    Screen("transitions-new", "ta_a", lambda w: "/transitions/new/", "New transition plan"),
    Screen("transitions-plan-outsider", "outsider", lambda w: f"/transitions/{w.plan.pk}/", None, status=404,
           prepare=_plan),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_transitions_screen(world, open_page, screen: Screen):
    check_screen(world, open_page, screen, "tablet")


def test_the_family_reads_the_dates_and_the_write_up_on_a_phone(world, browser, live_server):
    from django.test import Client

    from keyworker.testing import carer_account

    plan = _plan(world)
    client = Client()
    client.force_login(carer_account(world.family_a.carers.order_by("contact_order", "id").first()))
    context = browser.new_context(viewport=PHONE_360, base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    try:
        for path, heading, name in (("/family/transitions/", "Moving to secondary school", "transitions-portal-list-360"),
                                    (f"/family/transitions/{plan.pk}/", "Alfie's visits to Hillside High School",
                                     "transitions-portal-plan-360")):
            page.goto(path)
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            violations = axe_violations(page)
            assert not violations, describe_violations(violations)
            assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
            screenshot(page, name)
        expect(page.get_by_text("science labs")).to_be_visible()
    finally:
        context.close()
