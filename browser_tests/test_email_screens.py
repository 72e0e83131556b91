"""The e-mails that did not go out, for the admin office: axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser
NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)


def _outbox(world):
    from keyworker.notifications.models import Delivery, Notification

    def failed(staff, subject, attempts, status, error, next_try=None):
        n = Notification.objects.create(organisation_id=world.org.pk, recipient=staff.user, kind="escalation",
                                        subject=subject, body="…", dedupe_key=subject, created_at=NOW - dt.timedelta(hours=3))
        first = NOW - dt.timedelta(hours=3)
        for attempt in range(1, attempts):
            Delivery.objects.create(notification=n, attempts=attempt, status="failed", last_error=error,
                                    next_attempt_at=first, first_attempt_at=first, created_at=first)
        Delivery.objects.create(notification=n, attempts=attempts, status=status,
                                last_error=error if status == "undeliverable" else "",
                                next_attempt_at=next_try or first, first_attempt_at=first, created_at=NOW - dt.timedelta(hours=1))

    failed(world.ta_a, "Contact due this week: the Ahmed family", 1, "undeliverable",
           "SMTPRecipientsRefused: {'tia.a@school.example': (550, b'5.1.1 No such mailbox here')}")
    failed(world.teacher_b, "Escalated: half-termly data check for the Brown family", 13, "undeliverable",
           "TimeoutError: timed out")
    failed(world.teacher_a, "Key aspects changed: Alfie", 4, "pending", "ConnectionRefusedError: [Errno 111] Connection refused",
           next_try=NOW + dt.timedelta(minutes=45))


def _try_again(page: Page, world):
    page.get_by_role("button", name=re.compile(r"^Try again.*the Ahmed family to Kim Keyworker$")).click()
    expect(page.get_by_role("status")).to_contain_text("sent again")


SCREENS = [
    Screen("email-deliveries", "admin_office", lambda w: "/inbox/deliveries/", "E-mails that did not go out", prepare=_outbox),
    Screen("email-deliveries-empty", "headteacher", lambda w: "/inbox/deliveries/", "E-mails that did not go out"),
    Screen("email-deliveries-try-again", "admin_office", lambda w: "/inbox/deliveries/", "E-mails that did not go out",
           prepare=_outbox, act=_try_again),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_email_screen(world, open_page, screen: Screen):
    check_screen(world, open_page, screen)


def test_email_deliveries_on_a_phone(world, open_page):
    check_screen(world, open_page, SCREENS[0], "phone")
