"""Inviting carers to the portal: one carer from the family page, a whole class, the API; who may; who never is."""

import pytest
from django.core import mail
from django.test import Client

from keyworker.accounts.models import User
from keyworker.core.models import AuditEvent
from keyworker.people.models import Carer, ContactRestriction
from keyworker.portal.models import PortalInvitation
from keyworker.portal.services import portal_invitation_send, portal_invitations_send_class
from keyworker.testing import api_client_with_token, make_child, make_family

from .helpers import last_link, send_outbox, sign_in_with

pytestmark = pytest.mark.django_db


def with_email(carer, address):
    Carer.objects.filter(pk=carer.pk).update(email=address)
    carer.refresh_from_db()
    return carer


def test_the_key_worker_invites_a_carer_who_signs_in_with_the_invitations_link(world, client_for, clock):
    carer = with_email(world.family_a.carers.first(), "Amy@Example.org")
    client = client_for(world.ta_a)
    page = client.get(f"/families/{world.family_a.pk}/")
    assert "Not invited" in page.content.decode() and f"Invite {carer.full_name}" in page.content.decode()
    response = client.post(f"/families/carers/{carer.pk}/portal-invite/")
    assert response.status_code == 302
    invitation = PortalInvitation.objects.get()
    user = User.objects.get(email="amy@example.org")
    assert user.is_carer and not user.has_usable_password() and invitation.user == user
    carer.refresh_from_db()
    assert carer.user == user
    assert AuditEvent.objects.filter(event_type="portal.invitation_sent", object_id=carer.pk).exists()
    page = client.get(f"/families/{world.family_a.pk}/").content.decode()
    assert "Invited on 18/11/2026" in page
    path = last_link("amy@example.org")
    assert "works once, for 7 days" in mail.outbox[-1].body
    # An invitation's link lasts days, not minutes.
    import datetime as dt

    clock.shift(dt.timedelta(days=3))
    carer_client = Client()
    assert sign_in_with(carer_client, path).url == "/family/"
    assert "Alfie Adams" in carer_client.get("/family/").content.decode()
    page = client_for(world.ta_a).get(f"/families/{world.family_a.pk}/").content.decode()
    assert "Last signed in 21/11/2026" in page


def test_an_invitation_link_expires_after_its_days(world, clock):
    import datetime as dt

    carer = with_email(world.family_a.carers.first(), "amy@example.org")
    portal_invitation_send(actor=world.actor(world.admin_office), carer=carer)
    path = last_link("amy@example.org")
    clock.shift(dt.timedelta(days=7, minutes=1))
    assert Client().get(path).status_code == 400


def test_one_account_per_address_across_families_and_organisations(world, clock):
    here = with_email(world.family_a.carers.first(), "same@example.org")
    there = with_email(world.other_family.carers.first(), "SAME@example.org")
    portal_invitation_send(actor=world.actor(world.admin_office), carer=here)
    portal_invitation_send(actor=world.actor(world.outsider), carer=there)
    assert User.objects.filter(email="same@example.org").count() == 1
    here.refresh_from_db()
    there.refresh_from_db()
    assert here.user_id == there.user_id


def test_no_contact_no_address_and_staff_addresses_are_never_invited(world, client_for, clock):
    from keyworker.core.errors import RuleViolation

    actor = world.actor(world.admin_office)
    no_contact = with_email(world.family_a.carers.first(), "nc@example.org")
    Carer.objects.filter(pk=no_contact.pk).update(contact_restriction=ContactRestriction.NO_CONTACT)
    no_contact.refresh_from_db()
    no_address = world.family_b.carers.first()
    staff_address = with_email(world.family_unallocated.carers.first(), world.teacher_a.user.email.upper())
    for carer, rule in ((no_contact, "no_contact"), (no_address, "no_email"), (staff_address, "staff_address")):
        with pytest.raises(RuleViolation) as refused:
            portal_invitation_send(actor=actor, carer=carer)
        assert refused.value.rule == rule and refused.value.field == "carer"
    assert PortalInvitation.objects.count() == 0
    world.teacher_a.user.refresh_from_db()
    assert not world.teacher_a.user.is_carer
    # The family page says why, per carer, and offers no button.
    page = client_for(world.admin_office).get(f"/families/{world.family_a.pk}/").content.decode()
    assert "no-contact restriction: never invited" in page
    assert f"Invite {no_contact.full_name}" not in page
    # The staff address is refused with a clear message when tried from the page.
    client = client_for(world.admin_office)
    response = client.post(f"/families/carers/{staff_address.pk}/portal-invite/", follow=True)
    assert "belongs to a member of staff" in response.content.decode()


def test_who_may_invite(world, client_for, clock):
    carer = with_email(world.family_a.carers.first(), "amy@example.org")
    # Another class's teacher cannot see the family: 404. A teacher of the class who is not the key worker: 403.
    assert client_for(world.teacher_b).post(f"/families/carers/{carer.pk}/portal-invite/").status_code == 404
    assert client_for(world.teacher_a).post(f"/families/carers/{carer.pk}/portal-invite/").status_code == 403
    assert client_for(world.outsider).post(f"/families/carers/{carer.pk}/portal-invite/").status_code == 404
    for staff in (world.admin_office, world.headteacher, world.ta_a):
        assert client_for(staff).post(f"/families/carers/{carer.pk}/portal-invite/").status_code == 302
    assert PortalInvitation.objects.count() == 3


def test_a_whole_class_is_invited_and_the_page_says_why_not_per_carer(world, client_for, clock):
    with_email(world.family_a.carers.first(), "amy@example.org")  # family A: class Ash
    cole = world.family_unallocated.carers.first()  # class Ash too, no address
    extra = make_family(world.org, "The Dee family", carers=2)
    make_child(extra, world.school, world.class_a)
    first, second = list(extra.carers.all())
    with_email(first, "dee1@example.org")
    with_email(second, "dee2@example.org")
    Carer.objects.filter(pk=second.pk).update(contact_restriction=ContactRestriction.NO_CONTACT)
    with_email(world.family_b.carers.first(), "bella@example.org")  # class Beech: not invited
    client = client_for(world.admin_office)
    assert client.get("/families/portal-invitations/class/").status_code == 200
    response = client.post("/families/portal-invitations/class/", {"group": world.class_a.pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert set(PortalInvitation.objects.values_list("email", flat=True)) == {"amy@example.org", "dee1@example.org"}
    assert f"Not invited: {cole.full_name} has no e-mail address" in body
    assert "no-contact restriction" in body
    assert AuditEvent.objects.filter(event_type="portal.class_invited").count() == 1
    # Again: nobody is sent a second invitation.
    outcomes = portal_invitations_send_class(actor=world.actor(world.admin_office), group=world.class_a)
    assert not any(o.invited for o in outcomes)
    send_outbox()
    assert sorted(m.to[0] for m in mail.outbox) == ["amy@example.org", "dee1@example.org"]


def test_class_invitations_are_for_the_admin_office_and_leaders(world, client_for, clock):
    assert client_for(world.ta_a).get("/families/portal-invitations/class/").status_code == 404
    assert client_for(world.outsider).post("/families/portal-invitations/class/", {"group": world.class_a.pk}).status_code == 400
    assert client_for(world.admin_office).post("/families/portal-invitations/class/", {"group": "x"}).status_code == 400
    assert PortalInvitation.objects.count() == 0


def test_the_api_sends_and_lists_invitations_with_errors_per_field(world, clock):
    carer = with_email(world.family_a.carers.first(), "amy@example.org")
    api = api_client_with_token(world.admin_office)
    created = api.post("/api/v1/portal-invitations/", {"carer": carer.pk}, format="json")
    assert created.status_code == 201 and created.json()["email"] == "amy@example.org"
    listed = api.get("/api/v1/portal-invitations/").json()
    assert [r["carer"] for r in listed["results"]] == [carer.pk]
    assert api.post("/api/v1/portal-invitations/", {}, format="json").json()["errors"]["carer"]
    assert api.post("/api/v1/portal-invitations/", {"carer": "x"}, format="json").status_code == 400
    no_address = world.family_b.carers.first()
    refused = api.post("/api/v1/portal-invitations/", {"carer": no_address.pk}, format="json")
    assert refused.status_code == 400 and refused.json()["codes"]["carer"] == ["no_email"]
    other = world.other_family.carers.first()
    assert api.post("/api/v1/portal-invitations/", {"carer": other.pk}, format="json").json()["errors"]["carer"] == ["Not found."]
    outsider = api_client_with_token(world.outsider)
    assert outsider.get("/api/v1/portal-invitations/").json()["results"] == []
    assert outsider.get(f"/api/v1/portal-invitations/{created.json()['id']}/").status_code == 404
    teacher = api_client_with_token(world.teacher_a)
    assert teacher.post("/api/v1/portal-invitations/", {"carer": carer.pk}, format="json").status_code == 403
