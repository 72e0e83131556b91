"""Every page, for the persona it is for: no axe-core WCAG 2.2 A/AA violations, no sideways scrolling.

A full-page screenshot of each lands in artifacts/screenshots/<name>.png for people to look at.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Screen:
    name: str
    persona: str | None           # attribute of the world, or None for a signed-out visitor
    path: Callable                # world -> URL path
    heading: str | None           # the page's h1; None where the page is still being built
    status: int = 200
    prepare: Callable | None = None   # world -> None: data the page needs
    act: Callable | None = None       # (page, world) -> None: what the visitor does on the page before the check


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
    Screen("import", "admin_office", lambda w: "/import/", None),
]

# The pages a key worker or a leader opens most, checked again at phone and desktop widths.
MAIN = {"my-families", "family-list", "family-detail", "child-profile", "key-aspects-form", "allocation", "family-allocation"}

CASES = [pytest.param(s, "tablet", id=s.name) for s in SCREENS] + [
    pytest.param(s, viewport, id=f"{s.name}-{viewport}") for viewport in ("phone", "desktop") for s in SCREENS if s.name in MAIN
]


def _visit(page: Page, world, screen: Screen):
    if screen.persona == "newcomer":
        from keyworker.accounts.models import User

        sign_in(page, User.objects.get(email="newcomer@example.org"))
    elif screen.persona:
        sign_in(page, getattr(world, screen.persona))
    return page.goto(screen.path(world))


@pytest.mark.parametrize(("screen", "viewport"), CASES)
def test_page_is_accessible(world, open_page, screen: Screen, viewport: str):
    if screen.prepare:
        screen.prepare(world)
    page = open_page(viewport)
    response = _visit(page, world, screen)

    assert response.status == screen.status, f"{screen.name}: HTTP {response.status}"
    if screen.heading is not None:
        expect(page.get_by_role("heading", level=1)).to_have_text(screen.heading)
    if screen.act:
        screen.act(page, world)
        page.wait_for_load_state("load")  # the page a form posted to, stylesheet and all

    name = screen.name if viewport == "tablet" else f"{screen.name}-{viewport}"
    screenshot(page, name)
    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append(f"axe-core found {len(violations)} WCAG violation(s) on {name} ({page.url}):\n"
                        + describe_violations(violations))
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if width[0] > width[1]:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                 .filter(el => !el.closest('.table-scroll') || ['absolute', 'fixed'].includes(getComputedStyle(el).position))
                 .slice(0, 5).map(el => el.outerHTML.slice(0, 120))"""
        )
        problems.append(f"{name} scrolls sideways: {width[0]}px of content in {width[1]}px. Too wide: {wide}")
    assert not problems, "\n\n".join(problems)
