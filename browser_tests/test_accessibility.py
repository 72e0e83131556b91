"""Every page, for the persona it is for: no axe-core WCAG 2.2 A/AA violations, no sideways scrolling.

A full-page screenshot of each lands in artifacts/screenshots/<name>.png for people to look at.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser


def _key_aspect_change(world):
    from keyworker.people.services import key_aspects_update

    key_aspects_update(actor=world.actor(world.ta_a), child=world.child_a, changes={"allergies": "Peanuts"})


def _child_protection(world):
    from keyworker.caseload.services import child_protection_status_set

    child_protection_status_set(actor=None, child=world.child_a, status="child_protection_plan")


def _second_organisation(world):
    from browser_tests.helpers import join_other_organisation

    join_other_organisation(world, world.headteacher)


def _no_membership(world):
    from keyworker.accounts.models import User
    from keyworker.testing import PASSWORD

    User.objects.create_user("newcomer@example.org", PASSWORD, full_name="Nia Newcomer")


def _role(world, code: str):
    from keyworker.accounts.models import Role

    return Role.objects.get(organisation=world.org, code=code)


def _submit(page: Page, button: str = "Save"):
    page.locator("main").get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


def _too_long_first_language(page: Page, world):
    field = page.get_by_label("First language")
    field.evaluate("el => el.removeAttribute('maxlength')")
    field.fill("English and " * 10)
    _submit(page)


def _wrong_password(page: Page, world):
    page.get_by_label("E-mail address").fill(world.ta_a.user.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()


def _reassign_caseload(page: Page, world):
    page.get_by_role("textbox", name="Reason").fill("Leaving at Christmas")
    page.get_by_role("button", name=re.compile("^Reassign")).click()
    expect(page.get_by_role("heading", name="Result")).to_be_visible()


def _obligations(world):
    """Two standards with obligations in every state for the key worker's families (an in-memory evidence source)."""
    import datetime as dt

    from keyworker.core import clock
    from keyworker.standards import engine
    from keyworker.standards import testing as standards_testing

    # Stays registered for the live server's thread; the code is this module's own, so no other test sees it.
    contacts = standards_testing.register_fake("browser_contact")
    standards_testing.make_standard(world.org, "browser_contact")
    standards_testing.make_standard(world.org, "browser_contact", clause="SCH-2", title="Half-termly data check",
                                    cadence="half_termly", subject="child", escalate_after_days=None)
    contacts.append((world.family_a.pk, None, dt.date(2026, 11, 10)))
    engine.recompute(organisation_id=world.org.pk, as_of=clock.today())


def _policy(world):
    from keyworker.core import clock
    from keyworker.standards.services import policy_adopt_builtin

    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=clock.today())


def _policy_being_worked_out(world):
    from keyworker.core import clock
    from keyworker.standards.models import EngineRun
    from keyworker.standards.services import add_months, policy_adopt

    policy_adopt(actor=None, organisation=world.org, template_code="school_key_worker", effective_from=clock.today(),
                 review_on=add_months(clock.today(), 12))
    EngineRun.objects.create(organisation=world.org, started_at=clock.now(), updated_at=clock.now(), families_done=4000,
                             families_total=16000)


def _obligation_url(world) -> str:
    from keyworker.standards.models import Obligation

    return f"/obligations/{Obligation.objects.filter(family=world.family_a).order_by('id').first().pk}/"


def _policy_url(world) -> str:
    from keyworker.standards.models import Policy

    return f"/policies/{Policy.objects.get(organisation=world.org).pk}/"


def _standard_url(world) -> str:
    from keyworker.standards.models import Standard

    return f"/policies/standards/{Standard.objects.get(organisation=world.org, clause='SCH-4').pk}/"


def _notification(world):
    from django.db import transaction

    from keyworker.notifications.services import notification_send

    with transaction.atomic():
        notification_send(recipient=world.headteacher.user, organisation_id=world.org.pk, kind="escalation",
                          subject="Escalated: SCH-4 Weekly contact – The Adams family",
                          body="Due Fri 13 November 2026, 5 days overdue.", link=f"/families/{world.family_a.pk}/",
                          dedupe_key="browser-test")


def _contact(world):
    import datetime as dt

    from keyworker.contacts.services import contact_record

    contact_record(actor=world.actor(world.ta_a), family=world.family_a, happened_on=dt.date(2026, 11, 17), channel="phone",
                   tone="positive", write_up="Phoned mum about the school trip; she was pleased and will send the form.")


def _contact_url(world) -> str:
    from keyworker.contacts.models import ContactLog

    return f"/contacts/{ContactLog.objects.get(family=world.family_a).pk}/"


def _short_write_up(page: Page, world):
    page.get_by_label("Write-up").fill("Called")
    page.locator("main").get_by_role("button", name=re.compile("^Save")).click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


def _spring_term_url(world) -> str:
    import datetime as dt

    from keyworker.organisations.models import Term

    term = Term.objects.create(organisation_id=world.org.pk, setting=world.school, name="Spring 2027", school_year="2026/27",
                               starts_on=dt.date(2027, 1, 4), ends_on=dt.date(2027, 3, 26))
    return f"/setup/settings/{world.school.pk}/term/{term.pk}/"


SCREENS = [
    Screen("sign-in", None, lambda w: "/accounts/sign-in/", "Sign in to Keyworker"),
    Screen("sign-in-error", None, lambda w: "/accounts/sign-in/", "Sign in to Keyworker", act=_wrong_password),
    Screen("no-organisation", "newcomer", lambda w: "/", "You are not a staff member of any organisation yet",
           status=403, prepare=_no_membership),
    Screen("my-families", "ta_a", lambda w: "/families/", "My families"),
    Screen("my-families-empty", "teacher_a", lambda w: "/families/", "My families"),
    Screen("family-list", "headteacher", lambda w: "/families/all/", "Families"),
    Screen("organisation-switcher", "headteacher", lambda w: "/families/all/", "Families", prepare=_second_organisation),
    Screen("family-list-no-results", "headteacher", lambda w: "/families/all/?q=Nobody", "Families"),
    Screen("family-detail", "headteacher", lambda w: f"/families/{w.family_a.pk}/", "The Adams family"),
    Screen("family-detail-unallocated", "ta_a", lambda w: f"/families/{w.family_unallocated.pk}/", "The Cole family"),
    Screen("child-profile", "ta_a", lambda w: f"/families/children/{w.child_a.pk}/", "Alfie Adams",
           prepare=_key_aspect_change),
    Screen("key-aspects-form", "ta_a", lambda w: f"/families/children/{w.child_a.pk}/key-aspects/",
           "Key aspects of Alfie Adams"),
    Screen("key-aspects-form-error", "ta_a", lambda w: f"/families/children/{w.child_a.pk}/key-aspects/",
           "Key aspects of Alfie Adams", act=_too_long_first_language),
    Screen("allocation", "headteacher", lambda w: "/allocation/", "Key workers at Test Primary"),
    Screen("allocation-flagged", "headteacher", lambda w: "/allocation/", "Key workers at Test Primary",
           prepare=_child_protection),
    Screen("family-allocation", "headteacher", lambda w: f"/allocation/families/{w.family_a.pk}/",
           "Key worker for The Adams family"),
    Screen("family-allocation-error", "headteacher", lambda w: f"/allocation/families/{w.family_a.pk}/",
           "Key worker for The Adams family", act=lambda page, w: _submit(page, "Reassign")),
    Screen("family-allocation-unallocated", "headteacher", lambda w: f"/allocation/families/{w.family_unallocated.pk}/",
           "Key worker for The Cole family"),
    Screen("caseload-reassign", "headteacher", lambda w: f"/allocation/staff/{w.ta_a.pk}/reassign/",
           "Reassign the caseload of Kim Keyworker"),
    Screen("caseload-reassign-result", "headteacher", lambda w: f"/allocation/staff/{w.ta_a.pk}/reassign/",
           "Reassign the caseload of Kim Keyworker", act=_reassign_caseload),
    Screen("staff-list", "headteacher", lambda w: "/staff/", "Staff"),
    Screen("staff-detail", "headteacher", lambda w: f"/staff/{w.ta_a.pk}/", "Kim Keyworker"),
    Screen("staff-add", "admin_office", lambda w: "/staff/new/", "Add a staff member"),
    Screen("staff-add-error", "admin_office", lambda w: "/staff/new/", "Add a staff member", act=lambda page, w: _submit(page)),
    Screen("staff-edit", "admin_office", lambda w: f"/staff/{w.ta_a.pk}/edit/", "Edit Kim Keyworker"),
    Screen("staff-leave", "admin_office", lambda w: f"/staff/{w.ta_a.pk}/leave/", "Kim Keyworker is leaving"),
    Screen("setup", "admin_office", lambda w: "/setup/", re.compile(r"^Setup of ")),
    Screen("setting-detail", "admin_office", lambda w: f"/setup/settings/{w.school.pk}/?day=2026-12-25", "Test Primary"),
    Screen("calendar-entry-term", "admin_office", _spring_term_url, "Change the term: Spring 2027"),
    Screen("role-list", "admin_office", lambda w: "/setup/roles/", "Roles"),
    Screen("role-edit", "admin_office", lambda w: f"/setup/roles/{_role(w, 'teacher').pk}/", "Role: Teacher"),
    Screen("family-add", "admin_office", lambda w: "/families/new/", "Add a family"),
    Screen("family-edit", "admin_office", lambda w: f"/families/{w.family_a.pk}/edit/", "Edit The Adams family"),
    Screen("carer-add", "admin_office", lambda w: f"/families/{w.family_a.pk}/carers/new/", "Add a carer to The Adams family"),
    Screen("carer-edit", "admin_office", lambda w: f"/families/carers/{w.family_a.carers.get().pk}/edit/",
           re.compile(r"^Edit Carer0 ")),
    Screen("child-add", "admin_office", lambda w: f"/families/{w.family_a.pk}/children/new/", "Add a child to The Adams family"),
    Screen("child-edit", "admin_office", lambda w: f"/families/children/{w.child_a.pk}/edit/", "Edit Alfie Adams"),
    Screen("child-edit-error", "admin_office", lambda w: f"/families/children/{w.child_a.pk}/edit/", "Edit Alfie Adams",
           act=lambda page, w: (page.get_by_label("Legal first name").fill(""), _submit(page))),
    Screen("not-found", "outsider", lambda w: f"/families/{w.family_a.pk}/", "Page not found", status=404),
    Screen("forbidden", "teacher_a", lambda w: "/allocation/", "You cannot do this", status=403),
    Screen("import", "admin_office", lambda w: "/import/", "Import from your MIS"),
    Screen("my-week", "ta_a", lambda w: "/my-week/", "My week", prepare=_obligations),
    Screen("my-week-empty", "teacher_b", lambda w: "/my-week/", "My week"),
    Screen("team-compliance", "headteacher", lambda w: "/compliance/", "Compliance at Test Primary", prepare=_obligations),
    Screen("org-compliance", "headteacher", lambda w: "/compliance/organisation/", "Compliance per clause", prepare=_obligations),
    Screen("obligation", "headteacher", _obligation_url, re.compile(r"\(SCH-[^)]*\)$"), prepare=_obligations),
    Screen("escalated-obligations", "headteacher", lambda w: "/obligations/escalated/", "Escalated obligations",
           prepare=_obligations),
    Screen("policies-none", "headteacher", lambda w: "/policies/", "Policies"),
    Screen("policies", "teacher_a", lambda w: "/policies/", "Policies", prepare=_policy),
    Screen("policy-detail", "headteacher", _policy_url, "Key worker role: minimum standards", prepare=_policy),
    Screen("policy-being-worked-out", "headteacher", _policy_url, "Key worker role: minimum standards",
           prepare=_policy_being_worked_out),
    Screen("standard-edit", "headteacher", _standard_url, re.compile(r"\(SCH-4\)$"), prepare=_policy),
    Screen("inbox", "headteacher", lambda w: "/inbox/", "Inbox", prepare=_notification),
    Screen("password-reset", None, lambda w: "/accounts/password/", "Set or reset your password"),
    Screen("contact-new", "ta_a", lambda w: f"/contacts/new/?family={w.family_a.pk}", "Log contact with The Adams family"),
    Screen("contact-new-error", "ta_a", lambda w: f"/contacts/new/?family={w.family_a.pk}", "Log contact with The Adams family",
           act=_short_write_up),
    Screen("contacts", "ta_a", lambda w: "/contacts/", "Contacts", prepare=_contact),
    Screen("contact-detail", "headteacher", _contact_url, "Contact with The Adams family", prepare=_contact),
    Screen("family-timeline", "ta_a", lambda w: f"/families/{w.family_a.pk}/timeline/", "Timeline: The Adams family",
           prepare=lambda w: (_contact(w), _key_aspect_change(w))),
    Screen("family-timeline-empty", "teacher_b", lambda w: f"/families/{w.family_b.pk}/timeline/", "Timeline: The Brown family"),
]

# The pages a key worker or a leader opens most, checked again at phone and desktop widths.
MAIN = {"my-families", "family-list", "family-detail", "child-profile", "key-aspects-form", "allocation", "family-allocation",
        "my-week", "team-compliance", "contact-new", "family-timeline"}

CASES = [pytest.param(s, "tablet", id=s.name) for s in SCREENS] + [
    pytest.param(s, viewport, id=f"{s.name}-{viewport}") for viewport in ("phone", "desktop") for s in SCREENS if s.name in MAIN
]


@pytest.mark.parametrize(("screen", "viewport"), CASES)
def test_page_is_accessible(world, open_page, screen: Screen, viewport: str):
    check_screen(world, open_page, screen, viewport)
