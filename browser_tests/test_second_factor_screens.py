"""Second-factor screens: axe-core WCAG 2.2 A/AA and a screenshot each at tablet width; adding an app from the QR
page's secret; registering a passkey and signing in with it through Chromium's virtual authenticator."""

import re
from base64 import b32decode

import pytest
from playwright.sync_api import Page, expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot, sign_in
from browser_tests.screens import Screen, check_screen
from keyworker.testing import PASSWORD

pytestmark = pytest.mark.browser


def _make_recovery_codes(page: Page, world):
    page.get_by_role("button", name="Make recovery codes").click()
    expect(page.get_by_role("heading", name="Your new recovery codes")).to_be_visible()


SCREENS = [
    Screen("second-factor-code", "headteacher", lambda w: "/accounts/second-factor/?next=/families/", "Confirm it is you"),
    Screen("second-factor-devices", "headteacher", lambda w: "/accounts/second-factor/devices/", "Second factor"),
    Screen("second-factor-app", "headteacher", lambda w: "/accounts/second-factor/app/", "Add an authenticator app"),
    Screen("second-factor-recovery-codes", "headteacher", lambda w: "/accounts/second-factor/recovery-codes/", "Recovery codes",
           act=_make_recovery_codes),
    Screen("second-factor-passkeys", "headteacher", lambda w: "/accounts/second-factor/passkeys/", "Passkeys"),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_screen(world, open_page, screen):
    check_screen(world, open_page, screen)


def _axe_clean(page: Page, name: str) -> None:
    screenshot(page, name)
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def _password(page: Page, user) -> None:
    page.goto("/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_new_leader_adds_an_app_before_anything_else(world, page):
    from django_otp.oath import totp

    from keyworker.testing import make_staff

    newcomer = make_staff(world.org, world.school, ["deputy_headteacher"], name="Nina New")
    _password(page, newcomer.user)
    expect(page.get_by_role("heading", name="Add a second factor to carry on")).to_be_visible()
    _axe_clean(page, "second-factor-enrol")
    page.goto("/families/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Second factor")  # nothing else opens
    page.get_by_role("link", name="Add an authenticator app").click()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_label("Name").fill("My phone")
    page.get_by_role("button", name="Confirm and add the app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    page.get_by_role("button", name="Make recovery codes").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them: carry on").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Recovery codes")
    page.goto("/families/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Second factor")


def test_a_headteacher_registers_a_passkey_and_signs_in_with_it(world, page, live_server, settings):
    from django_otp_webauthn.models import WebAuthnCredential

    assert live_server.url.startswith("http://localhost:")  # a relying party id is a host name, never an address
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
    }})

    sign_in(page, world.headteacher)
    page.goto("/accounts/second-factor/passkeys/")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Name your passkey")
    _axe_clean(page, "second-factor-passkey-name")
    page.get_by_label("Name of the passkey").fill("Office laptop")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="Office laptop", exact=True)).to_be_visible()
    assert WebAuthnCredential.objects.get(user=world.headteacher.user).name == "Office laptop"

    page.get_by_role("button", name="Sign out").click()
    _password(page, world.headteacher.user)
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).to_have_url(re.compile(r"/compliance/"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert WebAuthnCredential.objects.get(user=world.headteacher.user).last_used_at is not None
