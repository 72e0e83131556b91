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


def test_childcare_staff_reach_journals_care_plans_and_monitoring(world, client_for):
    """In an early years room the key person's bar leads to journals and care plans, the manager's to monitoring
    (and its compliance page to each of the care records); a school's staff see none of them."""
    from keyworker.care.tests.monitoring_helpers import make_nursery

    nursery = make_nursery(world, n=2)
    key_person = [label for label, _ in navigation(world.actor(nursery.key_person))]
    assert key_person[:2] == ["My week", "My families"] and {"Journals", "Care plans"} <= set(key_person)
    manager = navigation(world.actor(nursery.manager))
    assert "Monitoring" in [label for label, _ in manager] and len(manager) <= 7
    for staff in (nursery.key_person, nursery.manager):
        client = client_for(staff)
        for label, url in navigation(world.actor(staff)):
            assert client.get(url, follow=True).status_code == 200, f"{label} for {staff}"
    compliance = client_for(nursery.manager).get("/compliance/", {"setting": nursery.setting.pk}).content.decode()
    assert f'href="/care/monitoring/{nursery.setting.pk}/"' in compliance and 'href="/care/checklists/"' in compliance
    for persona in ("teacher_a", "headteacher"):
        labels = [label for label, _ in navigation(world.actor(getattr(world, persona)))]
        assert not {"Journals", "Care plans", "Monitoring"} & set(labels)
