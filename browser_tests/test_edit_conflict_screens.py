"""The conflict screen: someone else saves a record while a person has it open; their save shows who saved, when,
and each field, theirs against yours, with the person's input still on the form. axe-core WCAG 2.2 A/AA, no
sideways scrolling, a screenshot each; then saving again keeps the person's version."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser
TODAY = dt.date(2026, 11, 18)
WRITE_UP = "Phoned mum about the school trip; she was pleased and will send the form."


def _key_aspects_saved_meanwhile(page: Page, world):
    from keyworker.people.services import key_aspects_update

    # Kim saves the allergies after the teacher opened the page.
    key_aspects_update(actor=world.actor(world.ta_a), child=world.child_a, changes={"allergies": "Peanuts (EpiPen in class)"},
                       expected_version=1)
    page.get_by_label("Allergies").fill("None known")
    page.get_by_label("Medical needs").fill("Asthma: inhaler in the class bag")
    page.locator("main").get_by_role("button", name="Save").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This record changed while you were editing")
    expect(alert).to_contain_text("Kim Keyworker saved this")
    expect(alert.get_by_role("row", name="Allergies")).to_contain_text("Peanuts (EpiPen in class)")
    expect(page.get_by_label("Allergies")).to_have_value("None known")  # the teacher's input is kept


def _contact(world):
    from keyworker.contacts.services import contact_record

    contact_record(actor=world.actor(world.ta_a), family=world.family_a, happened_on=TODAY, channel="phone",
                   tone="positive", write_up=WRITE_UP, children=[world.child_a])


def _contact_url(world) -> str:
    from keyworker.contacts.models import ContactLog

    return f"/contacts/{ContactLog.objects.get(family=world.family_a).pk}/edit/"


def _contact_saved_elsewhere(page: Page, world):
    from keyworker.contacts.models import ContactLog
    from keyworker.contacts.services import contact_edit

    contact = ContactLog.objects.get(family=world.family_a)
    # The same key worker saved a correction on another device meanwhile.
    contact_edit(actor=world.actor(world.ta_a), contact=contact, happened_on=TODAY, channel="phone", tone="neutral",
                 write_up=WRITE_UP, children=[world.child_a], expected_version=1)
    page.get_by_label("Write-up").fill("Phoned mum: the trip is on Friday and she will pay online.")
    page.locator("main").get_by_role("button", name="Save").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Kim Keyworker saved this")
    expect(alert.get_by_role("row", name="Tone")).to_contain_text("Neutral")


SCREENS = [
    Screen("key-aspects-conflict", "teacher_a", lambda w: f"/families/children/{w.child_a.pk}/key-aspects/",
           "Key aspects of Alfie Adams", act=_key_aspects_saved_meanwhile),
    Screen("contact-edit-conflict", "ta_a", _contact_url, "Edit contact with The Adams family", prepare=_contact,
           act=_contact_saved_elsewhere),
]
CASES = [pytest.param(s, "tablet", id=s.name) for s in SCREENS] + [
    pytest.param(SCREENS[1], "phone", id="contact-edit-conflict-phone"),
]


@pytest.mark.parametrize(("screen", "viewport"), CASES)
def test_conflict_screen(world, open_page, screen: Screen, viewport: str):
    check_screen(world, open_page, screen, viewport)


def test_saving_again_after_the_conflict_keeps_mine(world, page: Page):
    from browser_tests.helpers import sign_in
    from keyworker.people.models import KeyAspectChange, KeyAspects

    sign_in(page, world.teacher_a)
    page.goto(f"/families/children/{world.child_a.pk}/key-aspects/")
    _key_aspects_saved_meanwhile(page, world)
    page.locator("main").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved 2 changes")
    aspects = KeyAspects.objects.get(child=world.child_a)
    assert (aspects.allergies, aspects.medical_needs) == ("None known", "Asthma: inhaler in the class bag")
    assert KeyAspectChange.objects.filter(child=world.child_a, field="allergies").count() == 2
