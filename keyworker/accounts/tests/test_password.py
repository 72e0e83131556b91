"""Setting or resetting a password by e-mail link: new staff from an import choose their first one this way."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


def test_new_staff_member_sets_a_first_password_and_signs_in(world, client):
    user = world.ta_a.user
    user.set_unusable_password()
    user.save()
    r = client.post("/accounts/password/", {"email": user.email.upper()})
    assert r.status_code == 302 and r.url == "/accounts/password/sent/"
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
