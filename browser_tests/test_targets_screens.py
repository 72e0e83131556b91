"""Learning targets and homework screens (SCH-8): the class team's pages at tablet width, the family's pages in the
carers' portal at 360 px. axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot each."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot
from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser

TODAY = dt.date(2026, 11, 18)
PHONE_360 = {"width": 360, "height": 780}


def _records(world):
    """Alfie's targets (one reviewed, shared in the portal), a note from home, homework with returns and feedback."""
    from keyworker.targets import services
    from keyworker.targets.models import LearningTarget, ShareMethod, TargetStatus

    if LearningTarget.objects.filter(child=world.child_a).exists():
        return
    teacher = world.actor(world.teacher_a)
    first = services.target_create(
        actor=teacher, child=world.child_a, what="Use full stops and capital letters in every sentence",
        why="So that readers can follow my writing.", how_we_know="I find my own missing full stops before handing in.",
        help_at_home="When Alfie writes a card or a list, ask him to read it back and find the full stops.",
        review_on=TODAY + dt.timedelta(days=20))
    services.target_create(actor=teacher, child=world.child_a, what="Know my 3, 4 and 8 times tables",
                           help_at_home="Ask a few facts on the way to school.", review_on=TODAY + dt.timedelta(days=3))
    services.target_review(actor=teacher, target=first, progress="Full stops in nearly every sentence now.",
                           status=TargetStatus.WORKING, next_review_on=TODAY + dt.timedelta(days=30))
    services.targets_share(actor=teacher, child=world.child_a, method=ShareMethod.PORTAL)
    services.home_note_add(link=world.family_a.carers.order_by("id").first(), child=world.child_a,
                           text="We practise the 4s in the car; the 8s are still tricky.")
    hw = services.homework_set(actor=teacher, group=world.class_a, title="Spellings: words ending in -tion",
                               what_to_do="Learn the ten spellings and write each in a sentence.",
                               how_to_help="Test them on three evenings.", set_on=TODAY - dt.timedelta(days=7),
                               due_on=TODAY - dt.timedelta(days=1))
    services.homework_returns_mark(actor=teacher, homework=hw, returned={world.child_a.pk: True})
    services.homework_feedback_give(actor=teacher, homework=hw, child_id=world.child_a.pk, feedback="9 out of 10: well done.")
    services.homework_set(actor=teacher, group=world.class_a, title="Times tables: the 4s and 8s",
                          what_to_do="Fill in the grid.", due_on=TODAY + dt.timedelta(days=3))


def _homework_id(world) -> int:
    from keyworker.targets.models import Homework

    return Homework.objects.filter(group=world.class_a).order_by("due_on").first().pk


def _bad_target(page: Page, world):
    page.get_by_label("The target").fill("")
    page.get_by_role("button", name="Save the target").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


def _bad_homework(page: Page, world):
    page.get_by_label("Title").fill("Reading log")
    page.get_by_label("What to do").fill("Read and sign")
    page.get_by_label("Due on").fill("2026-11-01")
    page.get_by_role("button", name="Set homework").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


SCREENS = [
    Screen("targets-class", "teacher_a", lambda w: f"/targets/?group={w.class_a.pk}", "Learning targets: Ash", prepare=_records),
    Screen("targets-child", "teacher_a", lambda w: f"/targets/children/{w.child_a.pk}/", "Learning targets of Alfie Adams",
           prepare=_records),
    Screen("targets-child-key-worker", "ta_a", lambda w: f"/targets/children/{w.child_a.pk}/", "Learning targets of Alfie Adams",
           prepare=_records),
    Screen("targets-new-problem", "teacher_a", lambda w: f"/targets/children/{w.child_a.pk}/new/",
           "New target for Alfie Adams", act=_bad_target),
    Screen("targets-homework-list", "teacher_a", lambda w: "/targets/homework/", "Homework", prepare=_records),
    Screen("targets-homework-new-problem", "teacher_a", lambda w: "/targets/homework/new/", "Set homework", act=_bad_homework),
    Screen("targets-homework-class", "teacher_a", lambda w: f"/targets/homework/{_homework_id(w)}/",
           "Homework: Spellings: words ending in -tion", prepare=_records),
    Screen("targets-my-week", "teacher_a", lambda w: "/my-week/", "My week", prepare=_records),
]

CASES = [pytest.param(s, id=s.name) for s in SCREENS]


@pytest.mark.parametrize("screen", CASES)
def test_targets_screen(world, open_page, screen: Screen):
    check_screen(world, open_page, screen, "tablet")


def _carer_page(browser, live_server, carer) -> Page:
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


def _check(page: Page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_360["width"], f"{name} scrolls sideways: {width}px"
    screenshot(page, name)


def test_the_family_reads_the_targets_sends_a_note_and_sees_homework_at_360(world, browser, live_server):
    _records(world)
    page = _carer_page(browser, live_server, world.family_a.carers.order_by("id").first())
    try:
        page.goto("/family/")
        expect(page.get_by_text("Alfie's learning targets")).to_be_visible()
        _check(page, "portal-targets-home-360")
        page.goto(f"/family/targets/{world.child_a.pk}/")
        expect(page.get_by_role("heading", name="Alfie's learning targets", level=1)).to_be_visible()
        _check(page, "portal-targets-child-360")
        page.get_by_role("button", name="Send your note").click()
        expect(page.get_by_role("alert")).to_contain_text("There is a problem")
        _check(page, "portal-targets-note-problem-360")
        page.get_by_label("How is it going at home?").fill("Reading every night before bed.")
        page.get_by_role("button", name="Send your note").click()
        expect(page.get_by_role("status")).to_contain_text("Thank you")
        _check(page, "portal-targets-note-sent-360")
        page.goto(f"/family/homework/{world.child_a.pk}/")
        expect(page.get_by_role("heading", name="Alfie's homework", level=1)).to_be_visible()
        _check(page, "portal-homework-child-360")
        page.goto("/family/targets/")
        _check(page, "portal-targets-index-360")
    finally:
        page.context.close()
