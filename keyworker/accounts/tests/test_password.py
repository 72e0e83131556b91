"""Setting or resetting a password by e-mail link: new staff from an import choose their first one this way."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from keyworker.notifications.models import Delivery, Notification
from keyworker.notifications.services import deliveries_run
from keyworker.notifications.tests.backends import FlakyBackend

pytestmark = pytest.mark.django_db


def test_new_staff_member_sets_a_first_password_and_signs_in(world, client, clock):
    user = world.ta_a.user
    user.set_unusable_password()
    user.save()
    r = client.post("/accounts/password/", {"email": user.email.upper()})
    assert r.status_code == 302 and r.url == "/accounts/password/sent/"
    assert mail.outbox == []  # in the outbox; the worker sends it
    deliveries_run(now=timezone.now(), worker_id="w1")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    link = re.search(r"http://testserver(/accounts/password/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a password" in form_page.content.decode()
    r = client.post(form_page.redirect_chain[-1][0], {"new_password1": "tea-sparrow-lantern", "new_password2": "tea-sparrow-lantern"})
    assert r.url == "/accounts/password/done/"
    assert "_auth_user_id" not in client.session  # setting a password does not sign in: that goes through sign-in
    r = client.post("/accounts/sign-in/", {"username": user.email, "password": "tea-sparrow-lantern"})
    assert r.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


def test_unknown_address_sends_nothing_and_says_the_same(world, client):
    r = client.post("/accounts/password/", {"email": "nobody@example.org"}, follow=True)
    assert "Check your e-mail" in r.content.decode()
    assert mail.outbox == []


def test_someone_who_left_gets_no_link(world, client):
    world.ta_a.is_active = False
    world.ta_a.save()
    client.post("/accounts/password/", {"email": world.ta_a.user.email})
    assert mail.outbox == []


def test_a_used_or_forged_link_says_so(world, client):
    r = client.get("/accounts/password/MQ/bad-token/", follow=True)
    assert "This link no longer works" in r.content.decode()


def test_the_link_waits_in_the_outbox_while_the_mail_server_is_down_and_then_arrives(world, client, clock, settings):
    # Sent in the request, it was lost when the server was down (the page said "sent" all the same).
    settings.EMAIL_BACKEND = "keyworker.notifications.tests.backends.FlakyBackend"
    FlakyBackend.failures_left, FlakyBackend.attempts = 1000, 0
    r = client.post("/accounts/password/", {"email": world.ta_a.user.email})
    assert r.status_code == 302 and FlakyBackend.attempts == 0
    queued = Notification.objects.get(kind="password_reset")
    assert queued.organisation_id is None and queued.recipient is None and queued.to_email == world.ta_a.user.email
    assert deliveries_run(now=timezone.now(), worker_id="w1").retried == 1 and mail.outbox == []
    FlakyBackend.failures_left = 0
    clock.shift(120)
    assert deliveries_run(now=timezone.now(), worker_id="w1").sent == 1
    assert len(mail.outbox) == 1 and "/accounts/password/" in mail.outbox[0].body
    assert mail.outbox[0].subject == "Choose your Keyworker password"
    # The link is a secret: once sent it is not kept in the database.
    queued.refresh_from_db()
    assert queued.body == "" and Delivery.objects.filter(notification=queued, status="sent").exists()
    # Nobody's inbox lists it.
    assert "Choose your Keyworker password" not in client.get("/inbox/").content.decode()
