"""My week with each duty's own action, the missed-this-half-term line and its list, and the contact form opened from
"Record the follow-up": axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot each."""

import pytest

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser


def _duties(world):
    """A data check, a briefing, this week's weekly contact, an absence to follow up and two missed weeks."""
    import datetime as dt

    from keyworker.attendance.codes import codes_load, england_2024
    from keyworker.attendance.tests.factories import put
    from keyworker.dashboard.tests.test_my_week_actions import oblige
    from keyworker.standards.models import Cadence, ObligationState, Subject
    from keyworker.standards.testing import make_standard

    codes_load(jurisdiction="england", rows=england_2024())  # a transactional test elsewhere may have flushed them
    d = dt.date
    child = world.child_a
    check = make_standard(world.org, "data_check", clause="SCH-2", title="Data check", subject=Subject.CHILD, cadence=Cadence.HALF_TERMLY)
    brief = make_standard(world.org, "briefing_acknowledged", clause="SCH-3", title="Changes acknowledged", subject=Subject.CHILD,
                          cadence=Cadence.AFTER_EVENT, event="key_aspects_changed")
    weekly = make_standard(world.org, "contact_log", clause="SCH-4", title="Weekly contact")
    absence = make_standard(world.org, "attendance_follow_up", clause="SCH-5", title="Challenge each absence", subject=Subject.CHILD,
                            cadence=Cadence.AFTER_EVENT, event="unexplained_absence")
    oblige(world, check, child=child, due_on=d(2026, 11, 20), period_start=d(2026, 11, 2), period_end=d(2026, 12, 18))
    oblige(world, brief, child=child, due_on=d(2026, 11, 19), event="kac1")
    oblige(world, weekly, due_on=d(2026, 11, 20), period_start=d(2026, 11, 16))
    oblige(world, weekly, due_on=d(2026, 11, 13), period_start=d(2026, 11, 9), state=ObligationState.OVERDUE)
    for monday in (d(2026, 11, 2), d(2026, 11, 9)):
        oblige(world, weekly, due_on=monday + dt.timedelta(days=4), period_start=monday, state=ObligationState.MISSED,
               family=world.family_b, staff=world.teacher_b)
    oblige(world, weekly, due_on=d(2026, 11, 6), period_start=d(2026, 11, 2), state=ObligationState.MISSED)
    put(child, d(2026, 11, 18), "AM", "N")
    oblige(world, absence, child=child, due_on=d(2026, 11, 19), event=f"abs{child.pk}-20261118", period_start=d(2026, 11, 18),
           period_end=d(2026, 11, 19))


SCREENS = [
    Screen("my-week-actions", "ta_a", lambda w: "/my-week/", "My week", prepare=_duties),
    Screen("my-week-future", "ta_a", lambda w: "/my-week/?as_of=2026-11-25", "My week", prepare=_duties),
    Screen("my-week-leader-missed", "headteacher", lambda w: "/my-week/", "My week", prepare=_duties),
    Screen("missed-mine", "ta_a", lambda w: "/obligations/missed/", "Missed this half term", prepare=_duties),
    Screen("missed-settings", "headteacher", lambda w: "/obligations/missed/?scope=settings", "Missed this half term", prepare=_duties),
    Screen("contact-follow-up", "ta_a", lambda w: f"/contacts/new/?family={w.family_a.pk}&absence=abs{w.child_a.pk}-20261118",
           "Log contact with The Adams family", prepare=_duties),
    Screen("contact-earlier-week", "ta_a", lambda w: f"/contacts/new/?family={w.family_a.pk}&from=2026-11-09&to=2026-11-15",
           "Log contact with The Adams family"),
]

CASES = [pytest.param(s, "tablet", id=s.name) for s in SCREENS] + [
    pytest.param(s, "phone", id=f"{s.name}-phone") for s in SCREENS if s.name in {"my-week-actions", "missed-mine"}
]


@pytest.mark.parametrize(("screen", "viewport"), CASES)
def test_week_screen(world, open_page, screen: Screen, viewport: str):
    check_screen(world, open_page, screen, viewport)
