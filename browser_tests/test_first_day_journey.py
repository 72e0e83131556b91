"""A real school's first day, from an empty installation to a key worker's My week, through the pages only.

The school's MIS export is `docs/examples/example-school-pupils.csv` (300 pupils in 12 classes) and its staff list
`docs/examples/example-school-staff.csv`; the README's quick start describes the same steps.
"""

import base64
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser_tests.helpers import axe_violations, describe_violations, screenshot

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
PUPILS = EXAMPLES / "example-school-pupils.csv"
STAFF = EXAMPLES / "example-school-staff.csv"
PASSPHRASE = "marble tugboat orchard lantern"
TEACHER_PASSPHRASE = "copper kettle meadow lighthouse"
CLASSES = [("Ash", "Reception"), ("Beech", "Reception"), ("Cedar", "Year 1"), ("Elm", "Year 1"), ("Hazel", "Year 2"),
           ("Holly", "Year 2"), ("Larch", "Year 3"), ("Maple", "Year 4"), ("Oak", "Year 5"), ("Rowan", "Year 5"),
           ("Willow", "Year 6"), ("Yew", "Year 6")]


def _totp_now(secret: str) -> str:
    from django_otp.oath import totp

    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, step=30, t0=0, digits=6, drift=0):06d}"


def _import(page: Page, kind_label: str, path: Path, hold_emails: bool | None = None) -> None:
    page.goto("/import/")
    page.get_by_label(kind_label).check()
    page.get_by_label("File", exact=True).set_input_files(str(path))
    if hold_emails is not None:
        box = page.get_by_role("checkbox", name=re.compile("Hold the sign-in e-mails", re.I))
        box.set_checked(hold_emails)
    page.get_by_role("button", name="Upload and choose the columns").click()
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Import \d+ (children|staff member)")).click()
    expect(page.get_by_role("heading", level=1, name="Import finished")).to_be_visible(timeout=60_000)


def _run_worker_once() -> None:
    """The background worker's pass, as `keyworker worker` beside the server would run it."""
    from django.core.management import call_command

    call_command("worker", "--once", verbosity=0)


def test_a_school_starts_from_nothing_and_a_key_worker_sees_my_week(
    transactional_db, new_installation, clock, live_server, open_page,
):
    from django.urls import get_resolver

    _ = get_resolver().url_patterns  # load every page's module before the first request
    started = time.monotonic()
    page = open_page("tablet")

    # 1. A new installation: every page leads to the first-run page.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/start/$"))
    screenshot(page, "journey-01-first-run")
    page.get_by_label("Your full name").fill("Helen Morris")
    page.get_by_label("E-mail address").fill("helen.morris@example.org")
    page.get_by_label("Choose a password").fill(PASSPHRASE)
    page.get_by_label("Type the password again").fill(PASSPHRASE)
    page.get_by_label("Organisation name").fill("Oak Tree Primary School")
    page.get_by_label("Kind of setting").select_option("school")
    page.get_by_role("button", name="Set up Keyworker").click()

    # A headteacher adds a second factor before anything else.
    expect(page).to_have_url(re.compile(r"/second-factor/"))
    page.get_by_role("link", name=re.compile("authenticator app", re.I)).first.click()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from the app").fill(_totp_now(secret))
    page.get_by_role("button", name="Confirm and add the app").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Recovery codes")

    # 2. The getting-started checklist says what is missing.
    page.goto("/getting-started/")
    expect(page.get_by_role("heading", level=1, name="Getting started")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^0 of \d+ done|^\d of \d+ done"))).to_be_visible()
    screenshot(page, "journey-02-checklist-empty")
    assert axe_violations(page) == [], describe_violations(axe_violations(page))

    # 3. Term dates from a typical English year, then the classes.
    page.get_by_role("button", name=re.compile("typical", re.I)).first.click()
    expect(page.get_by_role("status")).to_be_visible()
    page.goto("/setup/")
    page.get_by_role("link", name="Oak Tree Primary School").first.click()
    page.get_by_label("Classes, one per line").fill("\n".join(f"{name}, {year_group}" for name, year_group in CLASSES))
    page.get_by_role("button", name="Add them all").click()
    expect(page.get_by_role("status").filter(has_text="Added 12")).to_be_visible()

    # 4. Staff and pupils from the MIS export, sign-in e-mails held until the school is ready.
    _import(page, "Staff", STAFF, hold_emails=True)
    _import(page, "Children, families and carers", PUPILS)

    # 5. Adopt the built-in policy for schools; the worker computes the obligations.
    page.goto("/policies/")
    page.get_by_role("button", name=re.compile("^Adopt")).click()
    expect(page.get_by_role("status").filter(has_text="adopted")).to_be_visible()
    _run_worker_once()

    # 6. Allocate everyone at once.
    page.goto("/allocation/everyone/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("for every family")
    screenshot(page, "journey-03-allocate-everyone")
    page.get_by_label("Reason").fill("First allocation from the MIS export")
    page.get_by_role("button", name=re.compile("^Allocate")).click()
    expect(page.get_by_role("status")).to_contain_text("243 families now have a key worker")
    _run_worker_once()

    # 7. Invite the staff: every held e-mail goes out once.
    page.goto("/getting-started/")
    page.get_by_role("button", name=re.compile("Send the sign-in e-mails")).click()
    expect(page.get_by_text("Sign-in e-mails sent to 26")).to_be_visible()
    expect(page.get_by_role("heading", name="Everything is set up")).to_be_visible()
    screenshot(page, "journey-04-checklist-done")
    _run_worker_once()

    from django.core import mail

    to_teacher = [m for m in mail.outbox if "rachel.green@example.org" in m.to]
    # One e-mail: the link to choose her password (no digest reached her before she could sign in).
    assert [m.subject for m in to_teacher] == ["Choose your password for Keyworker (Oak Tree Primary School)"]
    link = re.search(r"https?://[^\s]+", to_teacher[0].body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)

    # 8. The class teacher chooses her password and sees her families' contacts due on My week.
    teacher = open_page("tablet")
    teacher.goto(path)
    teacher.get_by_label("New password", exact=True).fill(TEACHER_PASSPHRASE)
    teacher.get_by_label(re.compile("again|Confirm", re.I)).fill(TEACHER_PASSPHRASE)
    teacher.get_by_role("button", name=re.compile("Save|Set|Choose", re.I)).click()
    teacher.goto("/accounts/sign-in/")
    if teacher.get_by_label("E-mail address").count():
        teacher.get_by_label("E-mail address").fill("rachel.green@example.org")
        teacher.get_by_label("Password").fill(TEACHER_PASSPHRASE)
        teacher.get_by_role("button", name="Sign in").click()
    teacher.goto("/my-week/")
    expect(teacher.get_by_role("heading", level=1)).to_contain_text("My week")
    expect(teacher.get_by_role("link", name="Log contact").first).to_be_visible()
    screenshot(teacher, "journey-05-teacher-my-week")
    assert time.monotonic() - started < 30 * 60
