"""Finding 1: adding "new" staff with someone else's address never touches their account; they are invited.

Before, the admin office of one organisation could add a person of another organisation with a password of
its choosing, and the existing sign-in was reused with that password: the attacker then signed in as them.
"""

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from rest_framework.test import APIClient

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import InvitationStatus, Role, StaffInvitation, StaffMember, StaffRole, User
from keyworker.accounts.services import staff_save
from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.notifications.models import Delivery, Notification
from keyworker.organisations.models import Setting
from keyworker.testing import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER_PASSWORD = "attacker-chosen-passphrase"  # noqa: S105


def _add(client, world, email, name="Someone New", role_code="teacher", **extra):
    role = Role.objects.get(organisation=world.org, code=role_code)
    return client.post("/staff/new/", {
        "full_name": name, "email": email, "setting": world.school.pk, "roles": [role.pk], **extra,
    })


def test_adding_a_person_of_another_organisation_invites_them_and_changes_nothing_of_theirs(world, client_for):
    victim = world.outsider.user
    r = _add(client_for(world.admin_office), world, victim.email.upper(), name="Not Otto", password=ATTACKER_PASSWORD)
    assert r.status_code == 302

    victim.refresh_from_db()
    assert victim.check_password(PASSWORD) and not victim.check_password(ATTACKER_PASSWORD)
    assert (victim.full_name, victim.email) == ("Otto Outsider", world.outsider.user.email)
    assert authenticate(RequestFactory().post("/accounts/sign-in/"), username=victim.email, password=ATTACKER_PASSWORD) is None
    # Not a member until they accept: the school's pages and records are not theirs, nor theirs the school's.
    assert not StaffMember.objects.filter(organisation=world.org, user=victim).exists()
    assert actor_for(victim, world.org.pk).organisation_id == world.other_org.pk
    invitation = StaffInvitation.objects.get(user=victim, organisation=world.org)
    assert invitation.status == InvitationStatus.PENDING
    assert [r.code for r in invitation.roles.all()] == ["teacher"]
    # They are told: in the app and by e-mail (a delivery the worker sends and retries).
    note = Notification.objects.get(recipient=victim, kind="staff.invitation")
    assert note.link == "/accounts/invitations/" and Delivery.objects.filter(notification=note).exists()
    assert AuditEvent.objects.filter(event_type="staff.invited", organisation_id=world.org.pk).exists()


def test_the_invited_person_accepts_and_becomes_a_member_with_the_roles_offered(world, client_for):
    _add(client_for(world.admin_office), world, world.outsider.user.email)
    invitation = StaffInvitation.objects.get(user=world.outsider.user)
    client = client_for(world.outsider)
    html = client.get("/accounts/invitations/").content.decode()
    assert world.org.name in html and "Teacher" in html and "Invitations (1)" in html

    r = client.post(f"/accounts/invitations/{invitation.pk}/", {"answer": "accept"})
    assert r.status_code == 302
    staff = StaffMember.objects.get(organisation=world.org, user=world.outsider.user)
    assert list(StaffRole.objects.filter(staff=staff).values_list("role__code", flat=True)) == ["teacher"]
    assert actor_for(world.outsider.user, world.org.pk).organisation_id == world.org.pk
    assert AuditEvent.objects.filter(event_type="staff.invitation_accepted", object_id=staff.pk).exists()
    # Answered once only.
    client.post(f"/accounts/invitations/{invitation.pk}/", {"answer": "decline"})
    assert StaffInvitation.objects.get(pk=invitation.pk).status == InvitationStatus.ACCEPTED


def test_a_declined_invitation_makes_no_membership(world, client_for):
    _add(client_for(world.admin_office), world, world.outsider.user.email)
    invitation = StaffInvitation.objects.get(user=world.outsider.user)
    client_for(world.outsider).post(f"/accounts/invitations/{invitation.pk}/", {"answer": "decline"})
    assert StaffInvitation.objects.get(pk=invitation.pk).status == InvitationStatus.DECLINED
    assert not StaffMember.objects.filter(organisation=world.org, user=world.outsider.user).exists()


def test_nobody_else_can_see_or_answer_an_invitation(world, client_for):
    _add(client_for(world.admin_office), world, world.outsider.user.email)
    invitation = StaffInvitation.objects.get(user=world.outsider.user)
    client = client_for(world.admin_office)
    assert world.other_org.name not in client.get("/accounts/invitations/").content.decode()
    assert client.post(f"/accounts/invitations/{invitation.pk}/", {"answer": "accept"}).status_code == 404
    assert StaffInvitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING


def test_inviting_twice_or_a_member_is_refused_per_field(world, client_for):
    client = client_for(world.admin_office)
    _add(client, world, world.outsider.user.email)
    r = _add(client, world, world.outsider.user.email)
    assert r.status_code == 400 and "already been invited" in r.content.decode()
    r = _add(client, world, world.teacher_a.user.email)
    assert r.status_code == 400 and "already a staff member here" in r.content.decode()


def test_someone_new_gets_an_email_to_choose_their_own_password(world, client_for):
    r = _add(client_for(world.admin_office), world, "nina@example.org", name="Nina New", password=ATTACKER_PASSWORD)
    assert r.status_code == 302
    nina = User.objects.get(email="nina@example.org")
    assert not nina.has_usable_password()
    note = Notification.objects.get(recipient=nina, kind="account.password_set")
    assert note.link.startswith("/accounts/password/") and Delivery.objects.filter(notification=note).exists()
    # The link lets Nina (and only the holder of the link) choose a password, then sign in.
    client = client_for(world.admin_office)
    client.logout()
    r = client.get(note.link, follow=True)
    r = client.post(r.redirect_chain[-1][0], {"new_password1": "a-quiet-walk-by-the-river", "new_password2": "a-quiet-walk-by-the-river"})
    assert r.status_code == 302
    assert authenticate(RequestFactory().post("/accounts/sign-in/"), username="nina@example.org", password="a-quiet-walk-by-the-river") is not None


def test_staff_forms_have_no_password_field(world, client_for):
    client = client_for(world.admin_office)
    for url in ("/staff/new/", f"/staff/{world.headteacher.pk}/edit/"):
        html = client.get(url).content.decode()
        assert 'type="password"' not in html and 'name="password"' not in html


def test_editing_never_sets_a_password_or_changes_the_email_address(world, client_for):
    head = world.headteacher
    role = Role.objects.get(organisation=world.org, code="headteacher")
    r = client_for(world.admin_office).post(f"/staff/{head.pk}/edit/", {
        "full_name": "Helen Head", "email": "attacker@example.org", "setting": world.school.pk, "roles": [role.pk],
        "password": ATTACKER_PASSWORD,
    })
    assert r.status_code == 302
    head.user.refresh_from_db()
    assert head.user.email != "attacker@example.org" and head.user.check_password(PASSWORD)
    # The service refuses it too, whoever calls it.
    with pytest.raises(RuleViolation) as exc:
        staff_save(actor=world.actor(world.headteacher), organisation=world.org, staff=world.teacher_a,
                   full_name="Tara Teacher", email="elsewhere@example.org", setting=world.school,
                   roles=[Role.objects.get(organisation=world.org, code="teacher")], groups=[world.class_a])
    assert exc.value.field == "email"
    with pytest.raises(RuleViolation) as exc:
        staff_save(actor=world.actor(world.headteacher), organisation=world.org, full_name="New", email="new@example.org",
                   setting=world.school, roles=[], groups=[], password=ATTACKER_PASSWORD)
    assert exc.value.field == "password"


def test_the_name_of_someone_who_also_works_elsewhere_is_theirs(world, client_for):
    staff_save(actor=None, organisation=world.other_org, full_name="Tara Teacher", email=world.teacher_a.user.email,
               setting=Setting.objects.get(organisation=world.other_org),
               roles=[Role.objects.get(organisation=world.other_org, code="teacher")], groups=[])
    teacher_role = Role.objects.get(organisation=world.org, code="teacher")
    r = client_for(world.admin_office).post(f"/staff/{world.teacher_a.pk}/edit/", {
        "full_name": "Someone Else", "email": world.teacher_a.user.email, "setting": world.school.pk,
        "roles": [teacher_role.pk], "groups": [world.class_a.pk],
    })
    assert r.status_code == 302
    world.teacher_a.user.refresh_from_db()
    assert world.teacher_a.user.full_name == "Tara Teacher"
    with pytest.raises(RuleViolation) as exc:
        staff_save(actor=world.actor(world.headteacher), organisation=world.org, staff=world.teacher_a,
                   full_name="Someone Else", email=world.teacher_a.user.email, setting=world.school,
                   roles=[teacher_role], groups=[world.class_a])
    assert exc.value.field == "full_name"
    # Someone who works only here can have their name corrected.
    r = client_for(world.admin_office).post(f"/staff/{world.teacher_b.pk}/edit/", {
        "full_name": "Ben Teacher-Smith", "email": world.teacher_b.user.email, "setting": world.school.pk,
        "roles": [teacher_role.pk], "groups": [world.class_b.pk],
    })
    world.teacher_b.user.refresh_from_db()
    assert world.teacher_b.user.full_name == "Ben Teacher-Smith"


def test_the_staff_api_cannot_write_staff_or_passwords(world):
    client = APIClient()
    client.force_authenticate(user=world.admin_office.user)
    body = {"email": world.outsider.user.email, "password": ATTACKER_PASSWORD, "name": "Not Otto"}
    assert client.post("/api/v1/staff/", body, format="json").status_code == 405
    assert client.patch(f"/api/v1/staff/{world.headteacher.pk}/", body, format="json").status_code == 405
    assert "password" not in client.get(f"/api/v1/staff/{world.headteacher.pk}/").json()
    world.outsider.user.refresh_from_db()
    assert world.outsider.user.check_password(PASSWORD)


def test_an_outsider_cannot_reach_the_staff_pages_of_another_organisation(world, client_for):
    client = client_for(world.outsider)
    assert client.get(f"/staff/{world.headteacher.pk}/edit/").status_code == 404
    r = client.post(f"/staff/{world.headteacher.pk}/edit/", {"full_name": "X", "email": "x@example.org"})
    assert r.status_code == 404
