"""Screens of the enrolment checklist, first-week induction, introductions and chat sessions, for the persona each is
for, at tablet width: axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot each."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser


def _care(world):
    """The nursery and the club (keyworker/care/tests/checklists_helpers.py), with a few records, their people on the
    world."""
    from keyworker.care.chats_services import chat_session_record
    from keyworker.care.checklists_services import checklist_item_add, checklist_tick
    from keyworker.care.tests.checklists_helpers import MONDAY, TODAY, make_care

    care = make_care(world, adopt=True)
    manager = world.actor(care.manager)
    checklist_item_add(actor=manager, setting=care.nursery, kind="enrolment", label="Funding form signed",
                       hint="The funded hours form, signed by a carer.", as_of=dt.date(2026, 9, 1))
    checklist_item_add(actor=manager, setting=care.nursery, kind="induction", label="Nappy changing",
                       as_of=dt.date(2026, 9, 1))
    checklist_item_add(actor=manager, setting=care.nursery, kind="enrolment", label="Emergency contacts checked",
                       include_started=True)  # asked of the children who started in the last 42 days too
    kp = world.actor(care.key_person)
    for item in ("allergies", "medical_needs", "outside_agencies", "family_circumstances"):
        checklist_tick(actor=kp, child=care.child, kind="enrolment", item=item, done_on=MONDAY)
    checklist_tick(actor=kp, child=care.child, kind="induction", item="fire_evacuation", done_on=MONDAY,
                   note="Showed Eli and his mum the garden exit.")
    club = world.actor(care.club_staff)
    chat_session_record(actor=club, child=care.club_child, offered_on=dt.date(2026, 11, 10), outcome="held",
                        staff_id=care.club_manager.pk, note="Talked about the new football group.")
    chat_session_record(actor=club, child=care.club_child, offered_on=TODAY, outcome="declined",
                        staff_id=care.club_staff.pk)
    world.care = care
    world.care_manager, world.care_key_person, world.club_staff = care.manager, care.key_person, care.club_staff
    world.club_manager = care.club_manager


def _care_in_scotland(world):
    """As _care, with the club in Scotland: the law's care plan rules, and a significant change's days to choose."""
    from keyworker.organisations.models import Jurisdiction, Setting

    _care(world)
    Setting.objects.filter(pk=world.care.club.pk).update(jurisdiction=Jurisdiction.SCOTLAND)


def _bad_review_days(page: Page, world):
    page.get_by_label("Days to review a plan after the family asks for a review").fill("0")
    page.get_by_label("Days to review a plan after a significant change").fill("29")
    page.get_by_role("button", name="Save the review days").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


def _bad_tick(page: Page, world):
    form = page.locator("form[action$='/enrolment/paperwork/tick/']")
    form.get_by_label("Done on").fill("2026-11-30")
    form.get_by_role("button").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


def _bad_chat(page: Page, world):
    page.get_by_label("Day offered").fill("2026-11-30")
    page.get_by_label("Held").check()
    page.get_by_label("Member of staff the child chose").select_option(label="Cal Clubmanager")
    page.locator("main").get_by_role("button", name="Record the session").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


SCREENS = [
    Screen("checklists-list", "care_key_person", lambda w: "/care/checklists/", "New children's checklists",
           prepare=_care),
    Screen("checklists-child", "care_key_person", lambda w: f"/care/checklists/children/{w.care.child.pk}/",
           "Checklists of Eli Evans", prepare=_care),
    Screen("checklists-child-problem", "care_key_person", lambda w: f"/care/checklists/children/{w.care.child.pk}/",
           "Checklists of Eli Evans", prepare=_care, act=_bad_tick),
    Screen("checklists-setup", "care_manager", lambda w: "/care/checklists/set-up/",
           "Checklists, introductions and care plan reviews set-up", prepare=_care),
    Screen("checklists-setup-scotland-problem", "club_manager", lambda w: "/care/checklists/set-up/",
           "Checklists, introductions and care plan reviews set-up", prepare=_care_in_scotland, act=_bad_review_days),
    Screen("introductions-list", "care_manager", lambda w: "/care/introductions/", "Introductions to new families",
           prepare=_care),
    Screen("introductions-record", "care_manager", lambda w: f"/care/introductions/children/{w.care.child.pk}/",
           "Introduction to Eli Evans's family", prepare=_care),
    Screen("chats-list", "club_staff", lambda w: "/care/chats/", "Chat sessions", prepare=_care),
    Screen("chats-child", "club_staff", lambda w: f"/care/chats/children/{w.care.club_child.pk}/",
           "Chat session sheet of Finn Fox", prepare=_care),
    Screen("chats-child-problem", "club_staff", lambda w: f"/care/chats/children/{w.care.club_child.pk}/",
           "Chat session sheet of Finn Fox", prepare=_care, act=_bad_chat),
    Screen("my-week-checklists", "care_key_person", lambda w: "/my-week/", "My week", prepare=_care),
    Screen("my-week-introductions", "care_manager", lambda w: "/my-week/", "My week", prepare=_care),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_checklists_screen(world, open_page, screen: Screen):
    check_screen(world, open_page, screen, "tablet")
