"""Staff pages: adding staff with roles and classes, validation, leaving."""

import pytest

from keyworker.accounts.models import Role, StaffMember, StaffRole

pytestmark = pytest.mark.django_db


def test_admin_office_adds_a_teaching_assistant_to_a_class(world, client_for):
    role = Role.objects.get(organisation=world.org, code="teaching_assistant")
    r = client_for(world.admin_office).post("/staff/new/", {
        "full_name": "Nina New", "email": "Nina.New@Example.org", "job_title": "TA", "setting": world.school.pk,
        "roles": [role.pk], "groups": [world.class_a.pk], "password": "a-sound-first-passphrase",
    })
    assert r.status_code == 302
    staff = StaffMember.objects.get(user__email="nina.new@example.org")
    assert StaffRole.objects.filter(staff=staff, role=role).exists()
    assert list(staff.group_memberships.values_list("group__name", flat=True)) == ["Ash"]


def test_adding_staff_validates_with_messages_per_field(world, client_for):
    r = client_for(world.admin_office).post("/staff/new/", {
        "full_name": "", "email": "nope", "setting": world.school.pk, "roles": [], "password": "short",
    })
    html = r.content.decode()
    assert "Full name: This field is required" in html
    assert "Enter a valid email address" in html


def test_a_class_of_another_setting_is_refused_for_staff(world, client_for):
    from keyworker.testing import make_group, make_setting

    other = make_group(make_setting(world.org, name="Annexe"), "Lime")
    role = Role.objects.get(organisation=world.org, code="teacher")
    r = client_for(world.admin_office).post("/staff/new/", {
        "full_name": "Nina New", "email": "nina@example.org", "setting": world.school.pk, "roles": [role.pk], "groups": [other.pk],
    })
    assert "Not in Test Primary: Lime" in r.content.decode()



def test_recording_leaving_unallocates_and_says_how_many(world, client_for):
    client = client_for(world.admin_office)
    page = client.get(f"/staff/{world.ta_a.pk}/leave/").content.decode()
    # The admin office does not allocate key workers: no link it could not follow, but whom to ask.
    assert "Ask a leader who allocates key workers to reassign the caseload first" in page
    assert f"/allocation/staff/{world.ta_a.pk}/reassign/" not in page
    r = client.post(f"/staff/{world.ta_a.pk}/leave/", {"left_on": "2026-12-18", "reason": "New job"}, follow=True)
    assert "Kim Keyworker has left. 1 family now needs a key worker." in r.content.decode()


def test_staff_list_shows_roles_classes_and_caseload(world, client_for):
    html = client_for(world.headteacher).get("/staff/?q=kim").content.decode()
    assert "Kim Keyworker" in html and "Teaching assistant" in html and "Ash" in html
    assert "Tara Teacher" not in html
