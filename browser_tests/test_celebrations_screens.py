"""Celebration screens, for the persona each is for: axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot each."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser
TODAY = dt.date(2026, 11, 18)


def _contacts(world):
    """Three concerns in a row with the Adams family (flagged), a celebration with the Browns."""
    from keyworker.contacts.services import contact_record

    ta = world.actor(world.ta_a)
    for days, text in ((8, "Mum says Alfie is upset at bedtime and reluctant to come in."),
                       (5, "Alfie had a hard afternoon at play; talked it through with mum."),
                       (1, "Mum is worried Alfie is not eating lunch; we will keep an eye on it.")):
        contact_record(actor=ta, family=world.family_a, happened_on=TODAY - dt.timedelta(days=days), channel="phone",
                       tone="concern", write_up=text)
    contact_record(actor=world.actor(world.teacher_b), family=world.family_b, happened_on=TODAY, channel="messaging_app",
                   tone="celebration", write_up="Bella was Star of the week for her kindness in class.")


def _celebrations(world):
    from keyworker.celebrations.services import celebration_record

    _contacts(world)
    celebration_record(actor=world.actor(world.ta_a), child=world.child_a, kind="star_of_the_week", title="Kind to everyone all week",
                       celebrated_on=TODAY - dt.timedelta(days=2), shared_how="face_to_face")
    celebration_record(actor=world.actor(world.ta_a), child=world.child_a, kind="dojo_points", points=5, title="Great focus in maths",
                       celebrated_on=TODAY, note="A real step forward after a tricky start to the term.")
    celebration_record(actor=world.actor(world.teacher_b), child=world.child_b, kind="well_done_postcard",
                       title="Read a whole page aloud to the class", celebrated_on=TODAY, shared_how="postcard_home")


def _detail_url(world):
    from keyworker.celebrations.models import Celebration

    return f"/celebrations/{Celebration.objects.filter(kind='dojo_points').get().pk}/"


def _submit_empty(page: Page, world):
    page.locator("main").get_by_role("button", name="Save celebration").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


def _record_and_share(page: Page, world):
    page.get_by_label("Star of the week").check()
    page.get_by_label("What it is for").fill("Helped a new friend settle in")
    page.get_by_label("Postcard home").check()
    page.locator("main").get_by_role("button", name="Save celebration").click()
    expect(page.get_by_role("status")).to_contain_text("shared with the family")


SCREENS = [
    Screen("celebration-choose", "ta_a", lambda w: "/celebrations/new/", "Record a celebration"),
    Screen("celebration-record", "ta_a", lambda w: f"/celebrations/new/?child={w.child_a.pk}&kind=star_of_the_week&next=/my-week/",
           "Record a celebration for Alfie Adams"),
    Screen("celebration-record-errors", "ta_a", lambda w: f"/celebrations/new/?child={w.child_a.pk}",
           "Record a celebration for Alfie Adams", act=_submit_empty),
    Screen("celebration-recorded", "ta_a", lambda w: f"/celebrations/new/?child={w.child_a.pk}",
           "Record a celebration for Alfie Adams", act=_record_and_share),
    Screen("celebrations-list", "headteacher", lambda w: "/celebrations/", "Celebrations", prepare=_celebrations),
    Screen("celebrations-mine", "ta_a", lambda w: "/celebrations/?mine=1", "Celebrations you recorded", prepare=_celebrations),
    Screen("celebrations-empty", "teacher_b", lambda w: "/celebrations/", "Celebrations"),
    Screen("celebration-detail", "deputy", _detail_url, "5 Dojo Points for Alfie Adams", prepare=_celebrations),
    Screen("positivity", "headteacher", lambda w: "/celebrations/positivity/", "Positivity in Test Primary", prepare=_celebrations),
    Screen("positivity-empty", "deputy", lambda w: "/celebrations/positivity/", "Positivity in Test Primary"),
    Screen("positivity-forbidden", "ta_a", lambda w: "/celebrations/positivity/", None, status=403),
    Screen("positivity-rule", "admin_office", lambda w: "/celebrations/positivity/rule/", "Positivity rule"),
    Screen("my-week-celebrate", "ta_a", lambda w: "/my-week/", "My week", prepare=_contacts),
]

# What a key worker does on a tablet or phone, and what a leader reads, checked again at phone width.
MAIN = {"celebration-record", "positivity", "my-week-celebrate"}

CASES = [pytest.param(s, "tablet", id=s.name) for s in SCREENS] + [
    pytest.param(s, "phone", id=f"{s.name}-phone") for s in SCREENS if s.name in MAIN
]


@pytest.mark.parametrize(("screen", "viewport"), CASES)
def test_celebration_screen(world, open_page, screen: Screen, viewport: str):
    check_screen(world, open_page, screen, viewport)
