"""A staff import e-mails each new person a link to choose their password, or holds the e-mails until everyone is
invited at once."""

import pytest

from keyworker.accounts.models import StaffMember
from keyworker.accounts.sign_in_emails import held_sign_in_emails_count, held_sign_in_emails_send
from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.imports import services
from keyworker.notifications.models import Delivery, Notification

from .conftest import sample

pytestmark = pytest.mark.django_db

NEW_PEOPLE = {"rachel.green@example.org", "mo.farah@example.org", "priti.shah@example.org", "gwen.price@example.org",
              "tariq.aziz@example.org"}


def staff_import(world, *, hold: bool):
    actor = world.actor(world.headteacher)
    job = services.import_upload(actor=actor, setting=world.school, kind="staff", name="staff.csv", data=sample("staff.csv"),
                                 hold_sign_in_emails=hold)
    job = services.import_map(actor=actor, job=job, mapping=job.mapping)
    return services.import_run(actor=actor, job=services.import_confirm(actor=actor, job=job))


def password_emails():
    return Notification.objects.filter(kind="account.password_set")


def test_each_new_person_is_sent_an_email_to_choose_their_password(world):
    staff_import(world, hold=False)
    assert set(password_emails().values_list("recipient__email", flat=True)) == NEW_PEOPLE
    assert Delivery.objects.filter(notification__kind="account.password_set").count() == 5
    email = password_emails().get(recipient__email="mo.farah@example.org")
    assert "Helen Head has added you as a staff member" in email.body and email.link.startswith("/accounts/")
    assert held_sign_in_emails_count(world.org.pk) == 0


def test_held_emails_wait_until_everyone_is_invited_and_go_once(world):
    staff_import(world, hold=True)
    assert not password_emails().exists()
    assert held_sign_in_emails_count(world.org.pk) == 5
    assert set(StaffMember.objects.filter(sign_in_email_held=True).values_list("user__email", flat=True)) == NEW_PEOPLE

    actor = world.actor(world.headteacher)
    assert held_sign_in_emails_send(actor=actor, organisation=world.org) == 5
    assert set(password_emails().values_list("recipient__email", flat=True)) == NEW_PEOPLE
    assert held_sign_in_emails_count(world.org.pk) == 0
    event = AuditEvent.objects.get(event_type="staff.sign_in_emails_sent")
    assert event.actor == world.headteacher.user and event.data["sent"] == 5

    with pytest.raises(RuleViolation, match="already"):
        held_sign_in_emails_send(actor=actor, organisation=world.org)
    assert password_emails().count() == 5


def test_someone_who_chose_a_password_meanwhile_is_not_sent_one(world):
    staff_import(world, hold=True)
    gwen = StaffMember.objects.get(user__email="gwen.price@example.org").user
    gwen.set_password("a long enough pass phrase")
    gwen.save()
    assert held_sign_in_emails_send(actor=world.actor(world.headteacher), organisation=world.org) == 4
    assert not password_emails().filter(recipient=gwen).exists()
    assert held_sign_in_emails_count(world.org.pk) == 0


def test_only_those_who_manage_staff_send_them_and_only_their_own(world):
    from django.core.exceptions import PermissionDenied

    staff_import(world, hold=True)
    with pytest.raises(PermissionDenied):
        held_sign_in_emails_send(actor=world.actor(world.ta_a), organisation=world.org)
    with pytest.raises(RuleViolation):
        held_sign_in_emails_send(actor=world.actor(world.outsider), organisation=world.org)
    assert held_sign_in_emails_count(world.org.pk) == 5


def test_the_upload_page_offers_to_hold_them_ticked_from_the_checklist(world, client_for):
    client = client_for(world.headteacher)
    response = client.get("/import/?kind=staff&hold=1")
    assert "Hold the sign-in e-mails until I invite everyone" in response.content.decode()
    form = response.context["form"]
    assert form["hold_sign_in_emails"].value() is True and form["kind"].value() == "staff"
    assert not client.get("/import/").context["form"]["hold_sign_in_emails"].value()


def test_the_result_page_says_whether_the_emails_went_or_wait(world, client_for):
    client = client_for(world.headteacher)
    job = staff_import(world, hold=True)
    page = client.get(f"/import/{job.pk}/result/").content.decode()
    assert "5 new staff members cannot sign in yet: their e-mails to choose a password are held" in page
    assert 'href="/getting-started/"' in page
