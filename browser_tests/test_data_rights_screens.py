"""Data rights screens, as the data protection officer (the headteacher) at tablet width: a child's subject access
pack, a carer's, and erasing a carer's personal data (a reason too short first). axe-core, no sideways scrolling."""

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser


def _carer(world):
    return world.family_a.carers.first()


def _too_short(page: Page, world) -> None:
    page.get_by_label("Why").fill("asked")
    page.get_by_role("button", name="Erase the personal data").click()
    expect(page.locator("main")).to_contain_text("Say why")


SCREENS = [
    Screen("subject-access-child", "headteacher", lambda w: f"/families/children/{w.child_a.pk}/subject-access/",
           "Subject access: Alfie Adams"),
    Screen("subject-access-carer", "headteacher", lambda w: f"/families/carers/{_carer(w).pk}/subject-access/", None),
    Screen("carer-erase", "headteacher", lambda w: f"/families/carers/{_carer(w).pk}/erase/", None),
    Screen("carer-erase-reason", "headteacher", lambda w: f"/families/carers/{_carer(w).pk}/erase/", None, act=_too_short),
    Screen("family-data-protection", "headteacher", lambda w: f"/families/{w.family_a.pk}/", None),
]


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
def test_data_rights_screen(world, open_page, screen: Screen):
    check_screen(world, open_page, screen, "tablet")
