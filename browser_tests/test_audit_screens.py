"""The audit log screens, for the leaders they are for: axe-core WCAG 2.2 A/AA, no sideways scrolling, a screenshot."""

import pytest

from browser_tests.screens import Screen, check_screen

pytestmark = pytest.mark.browser


def _history(world):
    """A few edits with before and after, and a contact, as a week of work leaves them."""
    from keyworker.people.services import child_update, key_aspects_update

    office = world.actor(world.admin_office)
    child_update(actor=office, child=world.child_a, preferred_name="Alf")
    key_aspects_update(actor=world.actor(world.headteacher), child=world.child_a,
                       changes={"allergies": "Peanuts: EpiPen in the class first aid bag"})
    child_update(actor=office, child=world.child_b, year_group="Year 4")


SCREENS = [
    Screen("audit-log", "headteacher", lambda w: "/setup/audit/", "Audit log", prepare=_history),
    Screen("audit-log-filtered", "admin_office", lambda w: "/setup/audit/?event_type=child.updated&q=Alfie",
           "Audit log", prepare=_history),
    Screen("audit-log-bad-dates", "headteacher", lambda w: "/setup/audit/?date_from=2026-11-18&date_to=2026-11-01",
           "Audit log", status=400, prepare=_history),
    Screen("audit-log-refused", "teacher_a", lambda w: "/setup/audit/", "Page not found", status=404),
]

CASES = [pytest.param(s, "tablet", id=s.name) for s in SCREENS] + [
    pytest.param(SCREENS[0], "phone", id="audit-log-phone")
]


@pytest.mark.parametrize(("screen", "viewport"), CASES)
def test_audit_screen(world, open_page, screen: Screen, viewport: str):
    check_screen(world, open_page, screen, viewport)
