"""Data check screens, for the persona each is for: axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot each."""

import re

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser


def _checks(world):
    """Alfie's check complete; Bella's carer confirmed with a new phone number and a new allergy waiting."""
    from keyworker.datachecks.tests.helpers import carer_confirm, complete

    complete(world)
    carer = world.family_b.carers.first()
    carer_confirm(world, child=world.child_b, staff=world.teacher_b, differences=[
        (f"carer.{carer.pk}.phone", "07700 900456", "New mobile"), ("key_aspects.allergies", "Peanuts: EpiPen in the office"),
    ])


def _check_url(world):
    from keyworker.datachecks.models import DataCheck

    return f"/data-checks/{DataCheck.objects.get(child=world.child_b).pk}/"


def _complete_url(world):
    from keyworker.datachecks.models import DataCheck

    return f"/data-checks/{DataCheck.objects.get(child=world.child_a).pk}/"


def _something_different(page: Page, world):
    page.get_by_label("Something is different (say what below)").check()
    page.locator("summary", has_text="Something is different").click()
    page.get_by_label("What it should be").first.fill("31/02/2019")
    page.get_by_role("button", name="Save the carer's confirmation").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


def _record_all_correct(page: Page, world):
    page.get_by_label("By phone").check()
    page.get_by_label("All correct").check()
    page.get_by_role("button", name="Save the carer's confirmation").click()
    expect(page.get_by_role("status")).to_contain_text("Carer's confirmation recorded for Alfie Adams")


def _reject_without_reason(page: Page, world):
    page.locator("main summary").first.click()
    page.locator("main").get_by_role("button", name=re.compile("^Reject")).first.click()
    expect(page.get_by_role("alert").first).to_contain_text("Enter why the correction is rejected")


def _apply_phone(page: Page, world):
    page.locator("main").get_by_role("button", name=re.compile("^Apply Phone")).click()
    expect(page.get_by_role("status")).to_contain_text("Applied")


SCREENS = [
    Screen("datachecks-progress", "admin_office", lambda w: "/data-checks/", "Data checks", prepare=_checks),
    Screen("datachecks-progress-class", "headteacher", lambda w: f"/data-checks/?group={w.class_a.pk}", "Data checks",
           prepare=_checks),
    Screen("datachecks-progress-empty", "admin_office", lambda w: "/data-checks/", "Data checks"),
    Screen("datachecks-mine", "ta_a", lambda w: "/data-checks/mine/", "My data checks"),
    Screen("datachecks-confirm", "ta_a", lambda w: f"/data-checks/children/{w.child_a.pk}/confirm/", "Data check: Alfie Adams"),
    Screen("datachecks-confirm-error", "ta_a", lambda w: f"/data-checks/children/{w.child_a.pk}/confirm/", "Data check: Alfie Adams",
           act=_something_different),
    Screen("datachecks-confirm-recorded", "ta_a", lambda w: f"/data-checks/children/{w.child_a.pk}/confirm/",
           "Data check: Alfie Adams", act=_record_all_correct),
    Screen("datachecks-corrections", "admin_office", lambda w: "/data-checks/corrections/", "Corrections to apply", prepare=_checks),
    Screen("datachecks-corrections-error", "admin_office", lambda w: "/data-checks/corrections/", "Corrections to apply",
           prepare=_checks, act=_reject_without_reason),
    Screen("datachecks-corrections-applied", "admin_office", lambda w: "/data-checks/corrections/", "Corrections to apply",
           prepare=_checks, act=_apply_phone),
    Screen("datachecks-corrections-forbidden", "ta_a", lambda w: "/data-checks/corrections/", "You cannot do this", status=403),
    Screen("datachecks-detail", "admin_office", _check_url, "Data check: Bella Brown", prepare=_checks),
    Screen("datachecks-detail-complete", "ta_a", _complete_url, "Data check: Alfie Adams", prepare=_checks),
    Screen("datachecks-not-found", "outsider", lambda w: f"/data-checks/children/{w.child_a.pk}/confirm/", "Page not found",
           status=404),
    Screen("my-week-datachecks", "ta_a", lambda w: "/my-week/", "My week"),
]

# What a key worker (on a tablet or phone) and the admin office open most, checked again at phone width.
PHONE = {"datachecks-progress", "datachecks-confirm", "datachecks-corrections"}

CASES = [pytest.param(s, "tablet", id=s.name) for s in SCREENS] + [
    pytest.param(s, "phone", id=f"{s.name}-phone") for s in SCREENS if s.name in PHONE
]


@pytest.mark.parametrize(("screen", "viewport"), CASES)
def test_datachecks_screen(world, open_page, screen: Screen, viewport: str):
    check_screen(world, open_page, screen, viewport)
