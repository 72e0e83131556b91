"""Safeguarding screens, for the persona each is for: axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot each."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser
TODAY = dt.date(2026, 11, 18)
WORDS = "Alfie said his uncle hit him with a wooden spoon last night and showed me a red mark on his arm."


def _concern(world):
    from keyworker.core import clock
    from keyworker.safeguarding import services

    return services.concern_raise(actor=world.actor(world.ta_a), child=world.child_a, category="physical_abuse",
                                  what_happened=WORDS, happened_at=clock.now() - dt.timedelta(hours=2),
                                  present="Mrs Quill, lunchtime supervisor", lead_told=True)


def _chronology(world):
    from keyworker.safeguarding import services

    concern = _concern(world)
    lead = world.actor(world.safeguarding_lead)
    services.concern_addendum(actor=lead, concern=concern, text="Correction: the mark was on the left arm, not the right.")
    services.entry_add(actor=lead, child=world.child_a, kind="decision", concern=concern, text="Refer to children's services today.",
                       reason="A disclosure of physical harm by an adult at home.")
    services.entry_add(actor=lead, child=world.child_a, kind="referral", concern=concern, text="Referral made to the front door by phone.",
                       agency="childrens_services", made_on=TODAY, reference="MASH-40012")
    services.entry_add(actor=lead, child=world.child_a, kind="action", concern=concern, text="Check in with Alfie every morning this week.",
                       assigned_to=world.teacher_a, due_on=TODAY + dt.timedelta(days=2))
    services.protection_status_change(actor=lead, child=world.child_b, status="child_in_need",
                                      reason="Child in need plan agreed at the meeting today.")


def _concern_url(world) -> str:
    from keyworker.safeguarding.models import Concern

    return f"/safeguarding/concerns/{Concern.objects.order_by('id').first().pk}/"


def _confirm(page: Page, world):
    page.get_by_label("Your password").fill("correct-horse-battery")
    page.locator("main").get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Confirm your password")


def _submit_empty(page: Page, world):
    page.get_by_label("What did you see or hear?").fill("Bruise")
    page.locator("main").get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


def _raise(page: Page, world):
    page.get_by_label("Physical abuse").check()
    page.get_by_label("What did you see or hear?").fill(WORDS)
    page.get_by_label("Time it happened").fill("09:15")
    page.get_by_label("Who else was present?").fill("Mrs Quill")
    page.get_by_label("I have told a safeguarding lead in person").check()
    page.locator("main").get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sent to the safeguarding team")


SCREENS = [
    Screen("safeguarding-raise", "ta_a", lambda w: f"/safeguarding/raise/?child={w.child_a.pk}", "Raise a safeguarding concern"),
    Screen("safeguarding-raise-errors", "ta_a", lambda w: f"/safeguarding/raise/?child={w.child_a.pk}", "Raise a safeguarding concern",
           act=_submit_empty),
    Screen("safeguarding-raise-sent", "ta_a", lambda w: f"/safeguarding/raise/?child={w.child_a.pk}", "Raise a safeguarding concern",
           act=_raise),
    Screen("safeguarding-raise-choose", "teacher_b", lambda w: "/safeguarding/raise/", "Raise a safeguarding concern"),
    Screen("safeguarding-start", "teacher_a", lambda w: "/safeguarding/", "Safeguarding"),
    Screen("safeguarding-dashboard", "safeguarding_lead", lambda w: "/safeguarding/", "Safeguarding", prepare=_chronology),
    Screen("safeguarding-confirm", "safeguarding_lead", lambda w: "/safeguarding/confirm/", "Confirm your password"),
    Screen("safeguarding-concern", "safeguarding_lead", _concern_url, "Confirm your password", prepare=_chronology, act=_confirm),
    Screen("safeguarding-chronology", "safeguarding_lead", lambda w: f"/safeguarding/children/{w.child_a.pk}/", "Confirm your password",
           prepare=_chronology, act=_confirm),
    Screen("safeguarding-search", "headteacher", lambda w: "/safeguarding/search/?q=spoon", "Confirm your password",
           prepare=_chronology, act=_confirm),
    Screen("safeguarding-access-log", "safeguarding_lead", lambda w: "/safeguarding/access-log/", "Confirm your password",
           prepare=_chronology, act=_confirm),
    Screen("safeguarding-placeholder", "teacher_a", _concern_url, "Restricted record", prepare=_concern),
    Screen("safeguarding-timeline", "ta_a", lambda w: f"/families/{w.family_a.pk}/timeline/", None, prepare=_concern),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_screen(world, open_page, screen):
    check_screen(world, open_page, screen)


def test_raise_on_a_phone(world, open_page):
    check_screen(world, open_page, SCREENS[0], viewport="phone")
