"""Pages that read like a staff tool, on a 768 px tablet: the register's "Mark all present", the concern form's
pupil picker and its time, the evidence pack, an attendance chart with labelled axes. axe-core on each, a screenshot
each (artifacts/screenshots/<name>-tablet-768.png)."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen
from browser_tests.test_attendance_screens import _codes, _marks

pytestmark = pytest.mark.browser
WORDS = "Alfie said his uncle hit him with a wooden spoon at the weekend and showed me the bruise."


def _mark_all_present(page: Page, world):
    page.get_by_role("button", name="Mark all present").click()
    expect(page.get_by_role("status").filter(has_text="marked present")).to_contain_text(
        "marked present, not saved yet")
    expect(page.locator(f"#p-{world.child_a.pk}")).to_be_checked()


def _mark_all_present_and_save(page: Page, world):
    _mark_all_present(page, world)
    page.get_by_text("Absent, reason not known yet").first.click()
    page.locator("main").get_by_role("button", name="Save the register").click()
    expect(page.get_by_role("status").first).to_contain_text("Register saved")


def _pick_other_pupil(page: Page, world):
    box = page.get_by_role("combobox", name="Other pupils involved")
    box.fill("bel")
    options = page.get_by_role("listbox", name="Matching pupils").get_by_role("option")
    expect(options).to_have_text(["Bella Brown (Beech)"])
    expect(box).to_have_attribute("aria-expanded", "true")


def _choose_and_send_without_time(page: Page, world):
    _pick_other_pupil(page, world)
    page.get_by_role("combobox", name="Other pupils involved").press("ArrowDown")
    page.get_by_role("combobox", name="Other pupils involved").press("Enter")
    expect(page.get_by_role("list", name="Pupils chosen")).to_contain_text("Bella Brown (Beech)")
    page.get_by_label("Physical abuse").check()
    page.get_by_label("What did you see or hear?").fill(WORDS)
    page.locator("main").get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the time it happened")
    # What was chosen stays chosen on the page that asks for the time.
    expect(page.get_by_role("list", name="Pupils chosen")).to_contain_text("Bella Brown (Beech)")


def _policy(world):
    from keyworker.standards.models import Cadence, Policy, PolicyVersion, Standard, Subject

    policy = Policy.objects.create(organisation=world.org, title="Key worker policy", responsible_officer="The headteacher")
    version = PolicyVersion.objects.create(organisation=world.org, policy=policy, number=1, effective_from=dt.date(2026, 9, 1),
                                           review_on=dt.date(2027, 9, 1))
    for clause, title in (("SCH-10", "Transition visits"), ("SCH-2", "Data checked"), ("SCH-4", "Weekly contact")):
        Standard.objects.create(organisation=world.org, policy_version=version, clause=clause, title=title,
                                cadence=Cadence.HALF_TERMLY, subject=Subject.FAMILY, evidence="contact_log",
                                setting_kinds=["school"])


def _pack_in_clause_order(page: Page, world):
    headings = page.get_by_role("heading", level=3).all_text_contents()
    assert headings == ["SCH-2 Data checked", "SCH-4 Weekly contact", "SCH-10 Transition visits"]


def _chart(page: Page, world):
    chart = page.get_by_role("img", name="Attendance each week")
    expect(chart).to_be_visible()
    expect(page.locator("figure.trend text").filter(has_text="Week commencing")).to_have_count(1)
    expect(page.locator("figure.trend text").filter(has_text="Attendance (%)")).to_have_count(1)


SCREENS = [
    Screen("register-mark-all-present", "teacher_a", lambda w: f"/attendance/register/{w.class_a.pk}/?date=2026-11-18&session=AM",
           "Register: Ash", prepare=_codes, act=_mark_all_present),
    Screen("register-mark-all-present-saved", "teacher_a",
           lambda w: f"/attendance/register/{w.class_a.pk}/?date=2026-11-18&session=AM", "Register: Ash", prepare=_codes,
           act=_mark_all_present_and_save),
    Screen("concern-picker", "ta_a", lambda w: f"/safeguarding/raise/?child={w.child_a.pk}", "Raise a safeguarding concern",
           act=_pick_other_pupil),
    Screen("concern-time-asked", "ta_a", lambda w: f"/safeguarding/raise/?child={w.child_a.pk}", "Raise a safeguarding concern",
           act=_choose_and_send_without_time),
    Screen("evidence-pack", "headteacher", lambda w: "/evidence-pack/", "Evidence pack", prepare=_policy,
           act=_pack_in_clause_order),
    Screen("attendance-chart", "ta_a", lambda w: f"/attendance/children/{w.child_a.pk}/", "Attendance: Alfie Adams",
           prepare=_marks, act=_chart),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_staff_tool_screen(world, open_page, screen):
    check_screen(world, open_page, screen, viewport="tablet-768")


def test_the_register_without_its_script_asks_the_server(world, browser, live_server):
    """Mark all present with scripts off: the server shows the unmarked as present, nothing saved yet."""
    from browser_tests.helpers import sign_in

    _codes(world)
    context = browser.new_context(viewport={"width": 768, "height": 1024}, base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, world.teacher_a)
        page.goto(f"/attendance/register/{world.class_a.pk}/?date=2026-11-18&session=AM")
        page.get_by_role("button", name="Mark all present").click()
        expect(page.get_by_role("status").filter(has_text="marked present")).to_contain_text("not saved yet")
        expect(page.locator(f"#p-{world.child_a.pk}")).to_be_checked()
    finally:
        context.close()
