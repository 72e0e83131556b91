"""Attendance escalation screens, for the persona each is for: axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot
each."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser

WED = dt.date(2026, 11, 18)


def _concern(world):
    """Alfie missed a day this half term (a concern with one action); Bella three sessions lately (a pattern)."""
    from keyworker.attendance import escalation
    from keyworker.attendance.codes import codes_load, england_2024
    from keyworker.attendance.models import AttendanceCode, AttendanceMark
    from keyworker.organisations.calendar import TermCalendar

    codes_load(jurisdiction="england", rows=england_2024())
    codes = {c.code: c for c in AttendanceCode.objects.filter(jurisdiction="england")}
    days = TermCalendar.for_setting(world.school).school_days_between(dt.date(2026, 11, 2), dt.date(2026, 11, 17))
    marks = []
    for day in days:
        for session in ("AM", "PM"):
            a = "I" if day == days[0] else ("/" if session == "AM" else "\\")
            b = "I" if (day in days[-2:] and session == "AM") or (day == days[-3] and session == "PM") else (
                "/" if session == "AM" else "\\")
            marks.append(AttendanceMark(organisation=world.org, child=world.child_a, setting=world.school, date=day,
                                        session=session, code=codes[a]))
            marks.append(AttendanceMark(organisation=world.org, child=world.child_b, setting=world.school, date=day,
                                        session=session, code=codes[b]))
    AttendanceMark.objects.bulk_create(marks)
    escalation.concerns_evaluate(organisation_id=world.org.pk, as_of=days[-1])
    concern = escalation.AttendanceConcern.objects.get(child=world.child_a)
    escalation.concern_action_add(actor=world.actor(world.deputy), concern=concern, text="Letter sent home about attendance",
                                  happened_on=days[-1], follow_up_on=WED + dt.timedelta(days=7), today=WED)


def _concern_url(world):
    from keyworker.attendance.models import AttendanceConcern

    return f"/attendance/escalation/{AttendanceConcern.objects.get(child=world.child_a).pk}/"


def _log_without_text(page: Page, world):
    page.locator("main").get_by_role("button", name="Log the action").click()
    expect(page.get_by_role("alert")).to_contain_text("Say what was done.")


def _rates_going_up(page: Page, world):
    page.get_by_label("Attendance at or below (%)").nth(1).fill("99")
    page.locator("main").get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("must be below the one before it")


SCREENS = [
    Screen("attendance-escalation-list", "deputy", lambda w: "/attendance/escalation/", "Attendance concerns", prepare=_concern),
    Screen("attendance-escalation-concern", "deputy", _concern_url, "Attendance concern: Alfie Adams", prepare=_concern),
    Screen("attendance-escalation-concern-key-worker", "ta_a", _concern_url, "Attendance concern: Alfie Adams", prepare=_concern),
    Screen("attendance-escalation-concern-problem", "ta_a", _concern_url, "Attendance concern: Alfie Adams", prepare=_concern,
           act=_log_without_text),
    Screen("attendance-escalation-concern-other-teacher", "teacher_b", _concern_url, None, status=404, prepare=_concern),
    Screen("attendance-escalation-tiers", "headteacher", lambda w: "/attendance/escalation/tiers/", "Attendance escalation"),
    Screen("attendance-escalation-tiers-problem", "headteacher", lambda w: "/attendance/escalation/tiers/",
           "Attendance escalation", act=_rates_going_up),
]

MAIN = {"attendance-escalation-concern-key-worker", "attendance-escalation-list"}

CASES = [pytest.param(s, "tablet", id=s.name) for s in SCREENS] + [
    pytest.param(s, "phone", id=f"{s.name}-phone") for s in SCREENS if s.name in MAIN
]


@pytest.mark.parametrize(("screen", "viewport"), CASES)
def test_attendance_escalation_screen(world, open_page, screen: Screen, viewport: str):
    check_screen(world, open_page, screen, viewport)
