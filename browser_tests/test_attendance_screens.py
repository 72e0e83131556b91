"""Attendance screens, for the persona each is for: axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot each."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser

WED = dt.date(2026, 11, 18)


def _codes(world):
    """A transactional test database has no migration data: load the register codes."""
    from keyworker.attendance.codes import codes_load, england_2024

    codes_load(jurisdiction="england", rows=england_2024())


def _marks(world):
    """Half a term of marks for Alfie (some absences) and Bella, an N this morning, and an N from last week."""
    from keyworker.attendance.models import AttendanceCode, AttendanceMark
    from keyworker.organisations.calendar import TermCalendar

    _codes(world)
    codes = {c.code: c for c in AttendanceCode.objects.filter(jurisdiction="england")}
    days = TermCalendar.for_setting(world.school).school_days_between(dt.date(2026, 9, 2), WED)
    marks = []
    for i, day in enumerate(days):
        for child, pattern in ((world.child_a, "/\\/\\I I /\\M\\/\\LVGGN\\DO"), (world.child_b, "/\\")):
            for s, session in enumerate(("AM", "PM")):
                if day == WED and session == "PM":
                    continue
                code = pattern[(2 * i + s) % len(pattern)].strip() or "I"
                marks.append(AttendanceMark(organisation=world.org, child=child, setting=world.school, date=day, session=session,
                                            code=codes[code]))
    AttendanceMark.objects.bulk_create(marks)
    AttendanceMark.objects.filter(child=world.child_a, date=WED, session="AM").update(code=codes["N"])
    AttendanceMark.objects.filter(child=world.child_b, date=dt.date(2026, 11, 9), session="AM").update(code=codes["N"])


def _mark_present(page: Page, world):
    page.locator(".register__button--present").first.click()
    page.locator("main").get_by_role("button", name="Save the register").click()
    expect(page.locator(".messages[role=status]")).to_contain_text("Register saved")


def _change_without_reason(page: Page, world):
    page.locator(".register__button--present").first.click()
    page.locator("main").get_by_role("button", name="Save the register").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")


def _bad_import(page: Page, world):
    world.child_a.upn = "A123456789012"
    world.child_a.save(update_fields=["upn"])
    page.get_by_label("File").set_input_files(files=[{
        "name": "marks.csv", "mimeType": "text/csv",
        "buffer": b"UPN,Date,Session,Code\nA123456789012,16/11/2026,AM,/\nZ999,16/11/2026,AM,/\nA123456789012,14/11/2026,AM,Q9\n",
    }])
    page.locator("main").get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was imported")


SCREENS = [
    Screen("attendance-home", "teacher_a", lambda w: "/attendance/", "Attendance", prepare=_codes),
    Screen("attendance-home-office", "admin_office", lambda w: "/attendance/", "Attendance", prepare=_codes),
    Screen("attendance-register", "ta_a", lambda w: f"/attendance/register/{w.class_a.pk}/", "Register: Ash", prepare=_codes),
    Screen("attendance-register-saved", "ta_a", lambda w: f"/attendance/register/{w.class_a.pk}/", "Register: Ash",
           prepare=_codes, act=_mark_present),
    Screen("attendance-register-problem", "teacher_a", lambda w: f"/attendance/register/{w.class_a.pk}/", "Register: Ash",
           prepare=_marks, act=_change_without_reason),
    Screen("attendance-register-holiday", "teacher_a", lambda w: f"/attendance/register/{w.class_a.pk}/?date=2026-10-27",
           "Register: Ash", prepare=_codes),
    Screen("attendance-register-other-class", "teacher_b", lambda w: f"/attendance/register/{w.class_a.pk}/", None, status=403,
           prepare=_codes),
    Screen("attendance-class", "teacher_a", lambda w: f"/attendance/classes/{w.class_a.pk}/", "Attendance: Ash", prepare=_marks),
    Screen("attendance-class-week", "headteacher", lambda w: f"/attendance/classes/{w.class_a.pk}/?period=week", "Attendance: Ash",
           prepare=_marks),
    Screen("attendance-child", "ta_a", lambda w: f"/attendance/children/{w.child_a.pk}/", "Attendance: Alfie Adams", prepare=_marks),
    Screen("attendance-unexplained", "admin_office", lambda w: "/attendance/unexplained/", "“N” marks to replace", prepare=_marks),
    Screen("attendance-import", "admin_office", lambda w: "/attendance/import/", "Import attendance marks", prepare=_codes),
    Screen("attendance-import-problems", "admin_office", lambda w: "/attendance/import/", "Import attendance marks",
           prepare=_codes, act=_bad_import),
    Screen("attendance-concerns", "deputy", lambda w: "/attendance/concerns/", "Persistent and severe absence", prepare=_marks),
    Screen("attendance-thresholds", "headteacher", lambda w: "/attendance/settings/", "Attendance thresholds", prepare=_codes),
    Screen("my-week-absences", "ta_a", lambda w: "/my-week/", "My week", prepare=_marks),
]

# The register is taken on a tablet or a phone; a parent-facing key worker reads the child's page on a phone.
MAIN = {"attendance-register", "attendance-child", "attendance-class"}

CASES = [pytest.param(s, "tablet", id=s.name) for s in SCREENS] + [
    pytest.param(s, "phone", id=f"{s.name}-phone") for s in SCREENS if s.name in MAIN
]


@pytest.mark.parametrize(("screen", "viewport"), CASES)
def test_attendance_screen(world, open_page, screen: Screen, viewport: str):
    check_screen(world, open_page, screen, viewport)
