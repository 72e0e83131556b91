"""Briefing screens, for the persona each is for: axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot each."""

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser


def _changes(world):
    """Two changes to Alfie's key aspects by the headteacher (the key worker and class teacher are briefed), one to Bella's."""
    from keyworker.people.services import key_aspects_update

    head = world.actor(world.headteacher)
    key_aspects_update(actor=head, child=world.child_a, changes={
        "allergies": "Peanuts and tree nuts: EpiPen in the class first aid bag, a spare in the office",
        "medical_needs": "Asthma: blue inhaler in class",
    })
    key_aspects_update(actor=head, child=world.child_a, changes={"first_language": "Polish"})
    key_aspects_update(actor=world.actor(world.teacher_b), child=world.child_b, changes={"religion": "Sikh"})


def _read_one(world):
    from keyworker.briefings.models import Briefing
    from keyworker.briefings.services import briefing_acknowledge

    _changes(world)
    briefing_acknowledge(actor=world.actor(world.ta_a), briefing=Briefing.objects.filter(child=world.child_a).order_by("id").first())


def _briefing_url(world):
    from keyworker.briefings.models import Briefing

    return f"/briefings/{Briefing.objects.filter(child=world.child_a).order_by('id').first().pk}/"


def _acknowledge_first(page: Page, world):
    page.locator("main").get_by_role("button", name="I have read this").first.click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")


SCREENS = [
    Screen("briefings", "ta_a", lambda w: "/briefings/", "Briefings to acknowledge", prepare=_changes),
    Screen("briefings-acknowledged", "ta_a", lambda w: "/briefings/", "Briefings to acknowledge", prepare=_changes,
           act=_acknowledge_first),
    Screen("briefings-read", "ta_a", lambda w: "/briefings/?show=acknowledged", "Briefings to acknowledge", prepare=_read_one),
    Screen("briefings-empty", "teacher_b", lambda w: "/briefings/", "Briefings to acknowledge"),
    Screen("briefing-detail", "ta_a", _briefing_url, "Change to Alfie Adams's key aspects", prepare=_changes),
    Screen("briefing-classes", "teacher_a", lambda w: "/briefings/classes/", "What changed in your classes", prepare=_changes),
    Screen("class-changes", "teacher_a", lambda w: f"/briefings/classes/{w.class_a.pk}/", "What changed in Ash", prepare=_changes),
    Screen("class-changes-30-days", "teacher_a", lambda w: f"/briefings/classes/{w.class_a.pk}/?period=30", "What changed in Ash",
           prepare=_changes),
    Screen("class-changes-none", "teacher_b", lambda w: f"/briefings/classes/{w.class_a.pk}/", "Page not found", status=404),
    Screen("class-progress", "deputy", lambda w: f"/briefings/classes/{w.class_a.pk}/progress/", "Who has read what in Ash",
           prepare=_changes),
    Screen("my-week-briefings", "ta_a", lambda w: "/my-week/", "My week", prepare=_changes),
]

# The two screens a key worker opens most, checked again at phone width.
MAIN = {"briefings", "class-changes"}

CASES = [pytest.param(s, "tablet", id=s.name) for s in SCREENS] + [
    pytest.param(s, "phone", id=f"{s.name}-phone") for s in SCREENS if s.name in MAIN
]


@pytest.mark.parametrize(("screen", "viewport"), CASES)
def test_briefing_screen(world, open_page, screen: Screen, viewport: str):
    check_screen(world, open_page, screen, viewport)
