"""The pages hardening added: signing in paused after too many wrong passwords, and the "try again" page of a busy
database. axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot each (tablet width)."""

import pytest
from django.db import OperationalError
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen
from keyworker.testing import PASSWORD

pytestmark = pytest.mark.browser


def _many_failures(world):
    from axes.models import AccessAttempt
    from django.utils import timezone

    for address in ("127.0.0.1", "::1"):
        AccessAttempt.objects.create(
            username=world.ta_a.user.email, ip_address=address, user_agent="", get_data="", post_data="",
            http_accept="", path_info="/accounts/sign-in/", failures_since_start=10, attempt_time=timezone.now(),
        )


def _right_password(page: Page, world):
    page.get_by_label("E-mail address").fill(world.ta_a.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signing in is paused")
    expect(page.get_by_role("alert")).to_contain_text("Try again in")


LOCKED_OUT = Screen("sign-in-locked-out", None, lambda w: "/accounts/sign-in/", "Sign in to Keyworker",
                    prepare=_many_failures, act=_right_password)


def test_locked_out_sign_in(world, open_page):
    check_screen(world, open_page, LOCKED_OUT)


def test_database_busy_page(world, open_page, monkeypatch):
    from keyworker.dashboard import views_week

    def busy(*args, **kwargs):
        raise OperationalError("database is locked")

    def open_my_week_while_busy(page: Page, w):
        monkeypatch.setattr(views_week, "my_week", busy)  # after signing in: sign-in lands on My week
        response = page.goto("/my-week/")
        assert response.status == 503
        expect(page.get_by_role("heading", level=1)).to_have_text("Please try again")

    check_screen(world, open_page, Screen("database-busy", "ta_a", lambda w: "/families/", "My families",
                                          act=open_my_week_while_busy))
