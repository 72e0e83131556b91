"""Term dates from a council's iCalendar file, at tablet width: choosing the file, a file that is not a calendar,
the preview, and the setting's page after the import. axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot each."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "term-dates-england-2027-28.ics"


def _choose(page: Page, world) -> None:
    page.get_by_label("iCalendar file (.ics)").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the term dates before importing")


def _not_a_calendar(page: Page, world) -> None:
    page.get_by_label("iCalendar file (.ics)").set_input_files(
        files=[{"name": "dates.ics", "mimeType": "text/calendar", "buffer": b"Term,Starts\nAutumn,2 September\n"}])
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("main")).to_contain_text("This is not an iCalendar file")


def _import(page: Page, world) -> None:
    _choose(page, world)
    page.get_by_role("button", name="Import 3 terms").click()
    expect(page.locator(".messages[role=status]")).to_contain_text("Imported 3 terms, 6 half terms")


SCREENS = [
    Screen("term-dates-import", "headteacher", lambda w: f"/setup/settings/{w.school.pk}/term-dates/import/", "Import term dates"),
    Screen("term-dates-not-a-calendar", "headteacher", lambda w: f"/setup/settings/{w.school.pk}/term-dates/import/",
           "Import term dates", act=_not_a_calendar),
    Screen("term-dates-preview", "headteacher", lambda w: f"/setup/settings/{w.school.pk}/term-dates/import/",
           "Import term dates", act=_choose),
    Screen("term-dates-imported", "headteacher", lambda w: f"/setup/settings/{w.school.pk}/term-dates/import/",
           "Import term dates", act=_import),
]


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
def test_term_dates_screen(world, open_page, screen: Screen):
    check_screen(world, open_page, screen, "tablet")
