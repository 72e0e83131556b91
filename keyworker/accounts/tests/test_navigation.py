"""The navigation bar: at most six sections for each persona, the most important kept, then the inbox."""

import pytest

from keyworker.accounts.context_processors import navigation

pytestmark = pytest.mark.django_db

EXPECTED = {
    "headteacher": ["Families", "Compliance", "Allocation", "Safeguarding", "Policies", "Setup", "Inbox"],
    "safeguarding_lead": ["My week", "My families", "Families", "Safeguarding", "Briefings", "Policies", "Inbox"],
    "teacher_a": ["My week", "My families", "Families", "Briefings", "Attendance", "Policies", "Inbox"],
    "ta_a": ["My week", "My families", "Families", "Briefings", "Attendance", "Policies", "Inbox"],
    "admin_office": ["Families", "Staff", "Data checks", "Attendance", "Policies", "Setup", "Inbox"],
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_sees_its_sections_in_a_fixed_order(world, persona):
    assert [label for label, _ in navigation(world.actor(getattr(world, persona)))] == EXPECTED[persona]


def test_every_persona_has_at_most_seven_items_and_every_link_opens(world, client_for):
    for staff in world.personas.values():
        items = navigation(world.actor(staff))
        assert len(items) <= 7 and items[-1][0].startswith("Inbox")
        client = client_for(staff)
        for label, url in items:
            assert client.get(url).status_code == 200, f"{label} for {staff}"


def test_leaders_reach_what_they_monitor_from_the_compliance_page(world, client_for):
    html = client_for(world.headteacher).get("/compliance/").content.decode()
    for link in ("/attendance/", "/attendance/escalation/", "/data-checks/", "/celebrations/positivity/", "/briefings/classes/", "/contacts/",
                 "/wellbeing/"):
        assert f'href="{link}"' in html
