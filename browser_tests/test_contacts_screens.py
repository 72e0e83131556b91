"""Contact screens beyond the shared ones (test_accessibility.py): the safeguarding flag on the record form, the
restricted placeholder as others see it, the team's reading of the record, and the key worker and class lists.
Each for the persona it is for: axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot each."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser
TODAY = dt.date(2026, 11, 18)
PLACEHOLDER = "A restricted record exists. Talk to the safeguarding lead, Sam Safeguarding."


def _contacts(world):
    """An ordinary contact and a safeguarding concern with the Adams family, a contact with the Browns."""
    from keyworker.contacts.services import contact_record

    ta = world.actor(world.ta_a)
    contact_record(actor=ta, family=world.family_a, happened_on=TODAY - dt.timedelta(days=2), channel="phone", tone="positive",
                   write_up="Phoned mum about the school trip; she was pleased and will send the form.", children=[world.child_a])
    contact_record(actor=ta, family=world.family_a, happened_on=TODAY, channel="face_to_face", tone="concern",
                   write_up="Alfie said he did not want to go home tonight and had a mark on his cheek.", children=[world.child_a],
                   safeguarding_category="physical_abuse")
    contact_record(actor=world.actor(world.teacher_b), family=world.family_b, happened_on=TODAY, channel="messaging_app",
                   tone="celebration", write_up="Bella was Star of the week for her kindness in class.")


def _flagged_url(world) -> str:
    from keyworker.contacts.models import ContactLog

    return f"/contacts/{ContactLog.objects.get(flagged_at__isnull=False).pk}/"


def _ordinary_url(world) -> str:
    from keyworker.contacts.models import ContactLog

    return f"/contacts/{ContactLog.objects.filter(family=world.family_a, flagged_at__isnull=True).get().pk}/"


def _flag_without_category(page: Page, world):
    page.get_by_label("Write-up").fill("Alfie said something worrying about home at lunchtime today.")
    page.get_by_label("Concern", exact=True).check()
    page.get_by_label("This is a safeguarding concern").check()
    page.locator("main").get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the kind of safeguarding concern")


def _flag_and_save(page: Page, world):
    page.get_by_label("Write-up").fill("Alfie said something worrying about home at lunchtime today.")
    page.get_by_label("Concern", exact=True).check()
    page.get_by_label("This is a safeguarding concern").check()
    page.get_by_label("Kind of concern").select_option("emotional_abuse")
    page.locator("main").get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("status")).to_contain_text("the safeguarding team has been told")
    expect(page.locator("main")).to_contain_text(PLACEHOLDER)
    expect(page.locator("main")).not_to_contain_text("worrying about home")


def _placeholder_shown(page: Page, world):
    expect(page.locator("main")).to_contain_text(PLACEHOLDER)
    expect(page.locator("main")).not_to_contain_text("mark on his cheek")


def _team_reads(page: Page, world):
    page.get_by_label("Your password").fill("correct-horse-battery")  # asked once every 15 minutes
    page.locator("main").get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact with The Adams family")
    expect(page.locator("main")).to_contain_text("mark on his cheek")
    expect(page.locator("main")).to_contain_text("Safeguarding concern: Physical abuse")


SCREENS = [
    Screen("contact-new-safeguarding-error", "ta_a", lambda w: f"/contacts/new/?family={w.family_a.pk}",
           "Log contact with The Adams family", act=_flag_without_category),
    Screen("contact-new-safeguarding-saved", "ta_a",
           lambda w: f"/contacts/new/?family={w.family_a.pk}&next=/families/{w.family_a.pk}/",
           "Log contact with The Adams family", act=_flag_and_save),
    Screen("contact-restricted-author", "ta_a", _flagged_url, "Restricted record", prepare=_contacts, act=_placeholder_shown),
    Screen("contact-restricted-teacher", "teacher_a", _flagged_url, "Restricted record", prepare=_contacts),
    Screen("contact-restricted-team", "safeguarding_lead", _flagged_url, "Confirm your password", prepare=_contacts,
           act=_team_reads),
    Screen("contact-restricted-elsewhere", "teacher_b", _flagged_url, None, status=404, prepare=_contacts),
    Screen("contact-flag-form", "ta_a", _ordinary_url, "Contact with The Adams family", prepare=_contacts),
    Screen("contacts-with-restricted", "admin_office", lambda w: "/contacts/", "Contacts", prepare=_contacts,
           act=_placeholder_shown),
    Screen("contacts-team", "deputy", lambda w: "/contacts/", "Contacts", prepare=_contacts),
    Screen("contacts-key-worker", "headteacher", lambda w: f"/contacts/?staff={w.ta_a.pk}", "Contacts by or for Kim Keyworker",
           prepare=_contacts),
    Screen("contacts-class", "teacher_a", lambda w: f"/contacts/?class={w.class_a.pk}", "Contacts of class Ash", prepare=_contacts),
    Screen("family-restricted", "teacher_a", lambda w: f"/families/{w.family_a.pk}/", None, prepare=_contacts,
           act=_placeholder_shown),
    Screen("family-timeline-restricted", "ta_a", lambda w: f"/families/{w.family_a.pk}/timeline/", "Timeline: The Adams family",
           prepare=_contacts, act=_placeholder_shown),
]

# What a key worker does on a tablet or phone, checked again at phone width.
MAIN = {"contact-new-safeguarding-error", "contact-restricted-author", "contacts-with-restricted"}

CASES = [pytest.param(s, "tablet", id=s.name) for s in SCREENS] + [
    pytest.param(s, "phone", id=f"{s.name}-phone") for s in SCREENS if s.name in MAIN
]


@pytest.mark.parametrize(("screen", "viewport"), CASES)
def test_contact_screen(world, open_page, screen: Screen, viewport: str):
    check_screen(world, open_page, screen, viewport)
