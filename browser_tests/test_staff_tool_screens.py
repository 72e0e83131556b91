"""Pages that read like a staff tool on a tablet held upright (768 px): My week as cards with large targets, the
heatmap's names in view while it scrolls sideways, and the policy editor in plain words. axe-core and a screenshot
for each."""

import re

import pytest
from playwright.sync_api import expect

from browser_tests.helpers import sign_in
from browser_tests.screens import Screen, check_screen
from browser_tests.test_accessibility import _obligations, _policy, _policy_url, _standard_url
from browser_tests.test_week_screens import _duties

pytestmark = pytest.mark.browser

SCREENS = [
    Screen("my-week-cards", "ta_a", lambda w: "/my-week/", "My week", prepare=_duties),
    Screen("policy-plain-words", "headteacher", _policy_url, "Key worker role: minimum standards", prepare=_policy),
    Screen("standard-plain-words", "headteacher", _standard_url, re.compile(r"\(SCH-4\)$"), prepare=_policy),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_screen_at_768(world, open_page, screen: Screen):
    check_screen(world, open_page, screen, "tablet-portrait")


def test_my_week_cards_have_the_preferred_method_and_large_targets(world, open_page):
    _duties(world)
    page = sign_in(open_page("tablet-portrait"), world.ta_a)
    page.goto("/my-week/")
    card = page.locator(".week-card").filter(has_text="The Adams family").first
    expect(card).to_contain_text("Prefers: Phone call")
    actions = page.locator(".duty__action")
    assert actions.count() >= 3
    for i in range(actions.count()):
        box = actions.nth(i).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, actions.nth(i).inner_text()
    for link in (card.locator(".week-card__name a"), card.locator(".duty__what > a").first):
        assert link.bounding_box()["height"] >= 44
    # Each duty offers one action, named for whom and which clause.
    duty = card.locator(".duty").filter(has_text="Weekly contact (SCH-4)").first
    expect(duty.locator(".duty__action")).to_have_count(1)
    expect(duty.get_by_role("link", name="Log contact for The Adams family (SCH-4)")).to_be_visible()


def test_the_heatmap_keeps_the_key_workers_names_in_view_when_scrolled_sideways(world, open_page):
    _obligations(world)
    page = sign_in(open_page("phone"), world.headteacher)
    page.goto("/compliance/")
    region = page.locator(".table-scroll", has=page.locator("table.heatmap"))
    name = page.locator("table.heatmap tbody th[scope=row]").first
    assert name.evaluate("e => getComputedStyle(e).position") == "sticky"
    left = region.bounding_box()["x"]
    region.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    page.wait_for_timeout(50)
    assert abs(name.bounding_box()["x"] - left) <= 2
