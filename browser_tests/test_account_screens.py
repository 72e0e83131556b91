"""The account page (API tokens, sign out everywhere) and the restricted-records confirmation with a second factor:
axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot each, at tablet width."""

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _tokens(world):
    import datetime as dt

    from keyworker.accounts.models import ApiToken
    from keyworker.accounts.tokens import api_token_issue
    from keyworker.core import clock

    token, _key = api_token_issue(user=world.safeguarding_lead.user, name="Case notes export", second_factor_at=clock.now())
    api_token_issue(user=world.safeguarding_lead.user, name="Timetable sync")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now() + dt.timedelta(minutes=3))


def _second_factor(world):
    from keyworker.testing import give_second_factor

    give_second_factor(world.safeguarding_lead.user)


def _revoke(page: Page, world):
    page.get_by_role("button", name="Revoke Timetable sync").click()
    expect(page.get_by_role("status")).to_contain_text("Timetable sync")


def _stale_second_factor(page: Page, world):
    """The second factor proved at sign-in counts for 15 minutes: make it 16 minutes old, so the code is asked."""
    from django.contrib.sessions.models import Session

    from keyworker.accounts import mfa

    for session in Session.objects.all():
        data = session.get_decoded()
        if mfa.SESSION_VERIFIED_AT in data:
            data[mfa.SESSION_VERIFIED_AT] -= 16 * 60
            Session.objects.save(session.session_key, data, session.expire_date)
    page.reload()
    expect(page.get_by_label("Code from your authenticator app, or a recovery code")).to_be_visible()


def _wrong_code(page: Page, world):
    _stale_second_factor(page, world)
    page.get_by_label("Your password").fill("correct-horse-battery")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill("000000")
    page.locator("main").get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")


def _photo(world):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    from keyworker.accounts.photos import staff_photo_set

    image = Image.new("RGB", (600, 600), (236, 240, 244))
    ImageDraw.Draw(image).ellipse([60, 60, 540, 540], fill=(42, 111, 92))
    out = io.BytesIO()
    image.save(out, "JPEG")
    staff_photo_set(actor=world.actor(world.ta_a), staff=world.ta_a, file=SimpleUploadedFile("me.jpg", out.getvalue()))


def _not_a_photo(page: Page, world):
    page.get_by_label("Your photo").set_input_files({"name": "notes.jpg", "mimeType": "image/jpeg",
                                                     "buffer": b"These are my notes, not a photo."})
    page.get_by_role("button", name="Add your photo").click()
    expect(page.get_by_text("This file is not a photo we can read").first).to_be_visible()


SCREENS = [
    Screen("account-photo", "ta_a", lambda w: "/accounts/", "Your account", prepare=_photo),
    Screen("account-photo-refused", "ta_a", lambda w: "/accounts/", "Your account", act=_not_a_photo),
    Screen("account", "safeguarding_lead", lambda w: "/accounts/", "Your account", prepare=_tokens),
    Screen("account-revoked", "safeguarding_lead", lambda w: "/accounts/", "Your account", prepare=_tokens, act=_revoke),
    Screen("account-no-tokens", "teacher_a", lambda w: "/accounts/", "Your account"),
    Screen("confirm-second-factor", "safeguarding_lead", lambda w: "/accounts/confirm/?next=/safeguarding/",
           "Confirm your password", prepare=_second_factor, act=_stale_second_factor),
    Screen("confirm-second-factor-wrong", "safeguarding_lead", lambda w: "/accounts/confirm/?next=/safeguarding/",
           "Confirm your password", prepare=_second_factor, act=_wrong_code),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_screen(world, open_page, screen):
    check_screen(world, open_page, screen)
