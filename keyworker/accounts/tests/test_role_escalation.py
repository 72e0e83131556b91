"""Finding 2: nobody grants what they do not hold; leaders' and safeguarding roles are the headteacher's to give.

Before, the admin office could give its own role the safeguarding capability and then read concerns.
"""

import pytest

from keyworker.accounts import capabilities as caps
from keyworker.accounts import policies
from keyworker.accounts.models import Role, Scope, StaffInvitation, StaffRole
from keyworker.accounts.services import role_update, staff_save
from keyworker.core.models import AuditEvent
from keyworker.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _role(world, code):
    return Role.objects.get(organisation=world.org, code=code)


def _role_post(role, capabilities, scope=None):
    return {"name": role.name, "scope": scope or role.scope, "key_worker_eligibility": role.key_worker_eligibility,
            "capabilities": capabilities}


def test_the_admin_office_cannot_give_its_own_role_the_safeguarding_capability(world, client_for):
    role = _role(world, "admin_office")
    client = client_for(world.admin_office)
    r = client.post(f"/setup/roles/{role.pk}/", _role_post(role, [*role.capabilities, caps.SAFEGUARDING_TEAM]))
    assert r.status_code == 400
    html = r.content.decode()
    assert "Member of the safeguarding team" in html and "do not hold this yourself" in html
    role.refresh_from_db()
    assert caps.SAFEGUARDING_TEAM not in role.capabilities
    assert not AuditEvent.objects.filter(event_type="role.updated", object_id=role.pk).exists()
    # And so is still not on the safeguarding team.
    assert not world.actor(world.admin_office).can(caps.SAFEGUARDING_TEAM)


def test_the_admin_office_cannot_widen_any_role_beyond_what_it_holds(world, client_for):
    teacher = _role(world, "teacher")
    client = client_for(world.admin_office)
    for capabilities, scope in (([*teacher.capabilities, caps.SAFEGUARDING_TEAM], None),
                                ([*teacher.capabilities, caps.MANAGE_ALLOCATIONS], None),
                                (teacher.capabilities, Scope.ORGANISATION)):
        r = client.post(f"/setup/roles/{teacher.pk}/", _role_post(teacher, capabilities, scope))
        assert r.status_code == 400, (capabilities, scope)
    teacher.refresh_from_db()
    assert teacher.scope == Scope.OWN_GROUP and caps.SAFEGUARDING_TEAM not in teacher.capabilities
    # What it holds itself, on an ordinary role, it may still give.
    r = client.post(f"/setup/roles/{teacher.pk}/", _role_post(teacher, [*teacher.capabilities, caps.MANAGE_PEOPLE]))
    assert r.status_code == 302
    # A leader's role it may not change at all, not even to take something away (the boxes are switched off,
    # so what they hold stays; the service refuses it outright).
    head = _role(world, "headteacher")
    client.post(f"/setup/roles/{head.pk}/", _role_post(head, [caps.VIEW_FAMILIES]))
    assert set(_role(world, "headteacher").capabilities) == set(head.capabilities)
    with pytest.raises(policies.Refused):
        role_update(actor=world.actor(world.admin_office), role=head, name=head.name, scope=head.scope,
                    key_worker_eligibility=head.key_worker_eligibility, capabilities=[caps.VIEW_FAMILIES])


def test_the_role_form_shows_what_you_may_not_give_switched_off_with_why(world, client_for):
    html = client_for(world.admin_office).get(f"/setup/roles/{_role(world, 'teacher').pk}/").content.decode()
    assert f'value="{caps.SAFEGUARDING_TEAM}"' in html
    line = next(ln for ln in html.splitlines() if f'value="{caps.SAFEGUARDING_TEAM}"' in ln)
    assert "disabled" in line and "do not hold this yourself" in html
    html = client_for(world.headteacher).get(f"/setup/roles/{_role(world, 'teacher').pk}/").content.decode()
    line = next(ln for ln in html.splitlines() if f'value="{caps.SAFEGUARDING_TEAM}"' in ln)
    assert "disabled" not in line


def test_the_headteacher_gives_a_role_safeguarding_audited_and_the_team_is_told(world, client_for):
    role = _role(world, "teaching_assistant")
    r = client_for(world.headteacher).post(f"/setup/roles/{role.pk}/", _role_post(role, [*role.capabilities, caps.SAFEGUARDING_TEAM]))
    assert r.status_code == 302
    event = AuditEvent.objects.get(event_type="role.updated", object_id=role.pk)
    assert caps.SAFEGUARDING_TEAM not in event.data["before"]["capabilities"]
    assert caps.SAFEGUARDING_TEAM in event.data["after"]["capabilities"]
    told = set(Notification.objects.filter(kind="access.safeguarding_changed").values_list("recipient_id", flat=True))
    # The safeguarding team and the leaders (here the safeguarding lead is also a TA: told either way).
    assert {world.safeguarding_lead.user_id, world.headteacher.user_id, world.deputy.user_id} <= told
    assert world.admin_office.user_id not in told and world.teacher_a.user_id not in told


def test_the_admin_office_cannot_give_a_person_a_leader_or_safeguarding_role(world, client_for):
    client = client_for(world.admin_office)
    for code in ("safeguarding_lead", "headteacher", "leadership_team", "admin_office"):
        r = client.post(f"/staff/{world.ta_a.pk}/edit/", {
            "full_name": "Kim Keyworker", "email": world.ta_a.user.email, "setting": world.school.pk,
            "roles": [_role(world, "teaching_assistant").pk, _role(world, code).pk], "groups": [world.class_a.pk],
        })
        assert r.status_code == 400, code
        assert "Roles in this setting:" in r.content.decode()
    assert list(StaffRole.objects.filter(staff=world.ta_a).values_list("role__code", flat=True)) == ["teaching_assistant"]
    # Nor to itself, nor by inviting someone.
    r = client.post(f"/staff/{world.admin_office.pk}/edit/", {
        "full_name": "Ada Admin", "email": world.admin_office.user.email, "setting": world.school.pk,
        "roles": [_role(world, "admin_office").pk, _role(world, "headteacher").pk],
    })
    assert r.status_code == 400
    r = client.post("/staff/new/", {"full_name": "Otto", "email": world.outsider.user.email, "setting": world.school.pk,
                                    "roles": [_role(world, "safeguarding_lead").pk]})
    assert r.status_code == 400 and not StaffInvitation.objects.exists()
    # Nor take a leader's roles away.
    r = client.post(f"/staff/{world.deputy.pk}/edit/", {
        "full_name": "Dev Deputy", "email": world.deputy.user.email, "setting": world.school.pk,
        "roles": [_role(world, "teacher").pk],
    })
    assert r.status_code == 400
    assert list(StaffRole.objects.filter(staff=world.deputy).values_list("role__code", flat=True)) == ["deputy_headteacher"]
    # Ordinary roles, which it holds everything of, it still gives.
    r = client.post(f"/staff/{world.ta_a.pk}/edit/", {
        "full_name": "Kim Keyworker", "email": world.ta_a.user.email, "setting": world.school.pk,
        "roles": [_role(world, "teaching_assistant").pk, _role(world, "teacher").pk], "groups": [world.class_a.pk],
    })
    assert r.status_code == 302


def test_the_staff_form_shows_the_roles_you_may_not_give_switched_off(world, client_for):
    html = client_for(world.admin_office).get("/staff/new/").content.decode()
    line = next(ln for ln in html.splitlines() if f'value="{_role(world, "safeguarding_lead").pk}"' in ln and "roles" in ln)
    assert "disabled" in line


def test_the_headteacher_gives_a_person_the_safeguarding_role_audited_and_told(world, client_for):
    r = client_for(world.headteacher).post(f"/staff/{world.ta_a.pk}/edit/", {
        "full_name": "Kim Keyworker", "email": world.ta_a.user.email, "setting": world.school.pk,
        "roles": [_role(world, "teaching_assistant").pk, _role(world, "safeguarding_deputy").pk], "groups": [world.class_a.pk],
    })
    assert r.status_code == 302
    event = AuditEvent.objects.filter(event_type="staff.saved", object_id=world.ta_a.pk).latest("id")
    assert event.data["before"]["roles"] == ["teaching_assistant"]
    assert event.data["after"]["roles"] == ["safeguarding_deputy", "teaching_assistant"]
    notes = Notification.objects.filter(kind="access.safeguarding_changed")
    told = set(notes.values_list("recipient_id", flat=True))
    assert {world.safeguarding_lead.user_id, world.headteacher.user_id, world.deputy.user_id} <= told
    assert "Kim Keyworker can now read safeguarding records" in notes.first().subject


def test_an_invitation_accepted_with_a_safeguarding_role_is_told(world, client_for):
    client_for(world.headteacher).post("/staff/new/", {
        "full_name": "Otto", "email": world.outsider.user.email, "setting": world.school.pk,
        "roles": [_role(world, "safeguarding_lead").pk],
    })
    invitation = StaffInvitation.objects.get(user=world.outsider.user)
    assert not Notification.objects.filter(kind="access.safeguarding_changed").exists()  # not until accepted
    client_for(world.outsider).post(f"/accounts/invitations/{invitation.pk}/", {"answer": "accept"})
    told = set(Notification.objects.filter(kind="access.safeguarding_changed").values_list("recipient_id", flat=True))
    assert {world.safeguarding_lead.user_id, world.headteacher.user_id} <= told


def test_an_outsider_gets_404_for_roles_and_staff_of_another_organisation(world, client_for):
    role = _role(world, "admin_office")
    client = client_for(world.outsider)
    assert client.get(f"/setup/roles/{role.pk}/").status_code == 404
    r = client.post(f"/setup/roles/{role.pk}/", _role_post(role, [*role.capabilities, caps.SAFEGUARDING_TEAM]))
    assert r.status_code == 404
    assert client.get(f"/staff/{world.ta_a.pk}/edit/").status_code == 404


def test_services_refuse_with_a_message_per_field(world):
    admin = world.actor(world.admin_office)
    role = _role(world, "admin_office")
    with pytest.raises(policies.Refused) as exc:
        role_update(actor=admin, role=role, name=role.name, scope=role.scope,
                    key_worker_eligibility=role.key_worker_eligibility, capabilities=[*role.capabilities, caps.SAFEGUARDING_TEAM])
    assert "capabilities" in exc.value.as_dict()
    with pytest.raises(policies.Refused) as exc:
        staff_save(actor=admin, organisation=world.org, staff=world.admin_office, full_name="Ada Admin",
                   email=world.admin_office.user.email, setting=world.school,
                   roles=[_role(world, "admin_office"), _role(world, "safeguarding_lead")], groups=[])
    assert list(exc.value.as_dict()) == ["roles"]


def test_who_owns_leaders_roles(world):
    assert policies.is_owner(world.actor(world.headteacher), world.school.pk)
    assert policies.is_owner(world.actor(world.deputy), world.school.pk)  # same capabilities by default
    assert not policies.is_owner(world.actor(world.admin_office), world.school.pk)
    assert not policies.is_owner(world.actor(world.safeguarding_lead), world.school.pk)
    assert policies.role_is_restricted(_role(world, "admin_office"))
    assert not policies.role_is_restricted(_role(world, "teacher"))
