"""Saved mappings of the nightly sync, for the office at tablet width (768 px): axe-core WCAG 2.2 A/AA, no sideways
scrolling, a screenshot each. The list with a mapping's columns and last run, its edit page with a threshold out of
range, and a key worker's 404."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser


def _mapping(world):
    from keyworker.imports.models import SavedMapping

    world.saved_mapping = SavedMapping.objects.create(
        organisation=world.org, name="Nightly SIMS export", setting=world.school, created_by=world.admin_office.user,
        columns={"legal_first_name": "Legal Forename", "legal_last_name": "Legal Surname", "date_of_birth": "DOB",
                 "upn": "UPN", "group": "Reg Group"},
        last_run_at=dt.datetime(2026, 11, 17, 2, 10, tzinfo=dt.UTC),
        last_report={"file": "sims_children.csv", "created": 2, "updated": [["Alfie", ["class: Ash → Beech"]]],
                     "unchanged": 118, "leavers": [], "errors": [], "stopped": ""})


def _too_high(page: Page, world):
    page.get_by_label("Stop when more than this share of the roll would leave (%)").fill("150")
    page.locator("main").get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


SCREENS = [
    Screen("saved-mappings", "admin_office", lambda w: "/import/mappings/", "Saved mappings for nightly imports",
           prepare=_mapping),
    Screen("saved-mappings-empty", "headteacher", lambda w: "/import/mappings/", "Saved mappings for nightly imports"),
    Screen("saved-mapping-threshold-error", "admin_office", lambda w: f"/import/mappings/{w.saved_mapping.pk}/",
           "Mapping “Nightly SIMS export”", prepare=_mapping, act=_too_high),
    Screen("saved-mappings-key-worker", "ta_a", lambda w: "/import/mappings/", None, status=404),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_saved_mappings_screen(world, open_page, screen: Screen):
    check_screen(world, open_page, screen, "tablet")
