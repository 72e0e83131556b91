"""What the browser tests share: signing in through the form, axe-core checks, screenshots."""

from pathlib import Path

from playwright.sync_api import Page, expect

from keyworker.testing import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def sign_in(page: Page, person, password: str = PASSWORD) -> Page:
    """Sign in a staff member (or a bare user) through the real sign-in form; wait for the signed-in header.
    Someone who is asked for a second factor (their role needs one) gets an authenticator app, and the helper types
    the code it shows now."""
    from keyworker.testing import give_second_factor, needs_second_factor, totp_code

    user = getattr(person, "user", person)
    device = give_second_factor(user) if needs_second_factor(user) else None
    page.goto("/accounts/sign-in/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
        page.get_by_label("Code", exact=True).fill(totp_code(device))
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def join_other_organisation(world, staff):
    """Make `staff` a headteacher of the world's other organisation too (someone who works for two)."""
    from keyworker.accounts.models import Role
    from keyworker.accounts.services import staff_save
    from keyworker.organisations.models import Setting

    org = world.other_org
    return staff_save(
        actor=None, organisation=org, full_name=staff.user.full_name, email=staff.user.email,
        setting=Setting.objects.get(organisation=org), roles=[Role.objects.get(organisation=org, code="headteacher")], groups=[],
    )


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the page for WCAG 2.0, 2.1 and 2.2 levels A and AA; return its violations."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    # After a form posts and redirects, the new page's text can be on screen before its stylesheets have loaded;
    # colours and sizes are only right once they have, so axe waits for the page's load event.
    page.wait_for_load_state("load")
    return Axe().run(page, options=options).response["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}\n  {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n         ")
            if summary:
                lines.append(f"         {summary}")
    return "\n".join(lines)


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot for people to look at. Chromium now and then refuses one ("Unable to capture
    screenshot") under load: try again once, then keep the visible part, since the picture is not what is tested."""
    from playwright.sync_api import Error

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    for full_page in (True, True, False):
        try:
            page.screenshot(path=str(path), full_page=full_page)
            break
        except Error as exc:
            if "capture screenshot" not in str(exc) or not full_page:
                raise
    return path
