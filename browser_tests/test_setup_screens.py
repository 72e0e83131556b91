"""Setting up from nothing: the first-run page of a new installation (at 768 px, the short name suggested as the name
is typed, a mistake shown, then everything created), and the installation's page of organisations."""

import pytest
from playwright.sync_api import expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot
from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser

PASSPHRASE = "marble tugboat orchard lantern"


@pytest.fixture
def fresh_installation(transactional_db, clock, live_server, new_installation):
    """No accounts at all: a new installation."""
    from django.urls import get_resolver

    from keyworker.accounts.installation_services import installation_forget_users

    _ = get_resolver().url_patterns
    installation_forget_users()
    yield live_server
    installation_forget_users()


def _check(page, name: str) -> None:
    screenshot(page, name)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{name} scrolls sideways: {width}"


def test_the_first_run_page_at_768_pixels(fresh_installation, browser):
    from keyworker.accounts.models import StaffRole, User

    context = browser.new_context(viewport={"width": 768, "height": 1024}, base_url=fresh_installation.url,
                                  locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/")
        expect(page).to_have_url(fresh_installation.url + "/start/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Set up Keyworker")
        page.get_by_label("Your full name").fill("Helen Head")
        page.get_by_label("Your e-mail address").fill("helen@oak.example.org")
        page.get_by_label("Choose a password").fill(PASSPHRASE)
        page.get_by_label("Type the password again").fill(PASSPHRASE)
        page.get_by_label("Organisation name").fill("St Mary's Primary School")
        expect(page.get_by_label("Short name")).to_have_value("st-marys-primary-school")  # suggested as typed
        page.get_by_label("Kind of setting").select_option("school")
        _check(page, "first-run-768")

        page.get_by_label("Time zone").fill("Mars/Olympus")
        page.get_by_role("button", name="Set up Keyworker").click()
        expect(page.get_by_role("alert")).to_contain_text("is not a known time zone")
        _check(page, "first-run-mistake-768")

        page.get_by_label("Choose a password").fill(PASSPHRASE)
        page.get_by_label("Type the password again").fill(PASSPHRASE)
        page.get_by_label("Time zone").fill("Europe/London")
        page.get_by_role("button", name="Set up Keyworker").click()
        # Signed in; a headteacher adds a second factor before Setup opens.
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        assert "/accounts/second-factor/" in page.url and "next=%2Fsetup%2F" in page.url
        user = User.objects.get()
        assert user.is_superuser
        assert StaffRole.objects.get(staff__user=user).role.code == "headteacher"
        page.goto("/start/")
        expect(page.get_by_role("heading", level=1)).not_to_have_text("Set up Keyworker")
    finally:
        context.close()


def _administrator(world):
    user = world.headteacher.user
    user.is_superuser = user.is_staff = True
    user.save()


def _add_an_organisation(page, world):
    page.get_by_label("Organisation name").fill("Ash Grove Nursery")
    expect(page.get_by_label("Short name")).to_have_value("ash-grove-nursery")
    page.get_by_label("Kind of setting").select_option("early_years")
    page.get_by_label("First leader's full name").fill("Mia Manager")
    page.get_by_label("First leader's e-mail address").fill("mia@ash.example.org")
    page.get_by_role("button", name="Add organisation").click()
    expect(page.get_by_role("status")).to_contain_text("Added Ash Grove Nursery (short name ash-grove-nursery)")


SCREENS = [
    Screen("installation-organisations", "headteacher", lambda w: "/installation/organisations/",
           "Organisations of this installation", prepare=_administrator),
    Screen("installation-organisation-added", "headteacher", lambda w: "/installation/organisations/",
           "Organisations of this installation", prepare=_administrator, act=_add_an_organisation),
    Screen("setup-short-name", "admin_office", lambda w: "/setup/", None),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_screen(world, open_page, screen):
    check_screen(world, open_page, screen)
