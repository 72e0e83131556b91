"""Wrong passwords lock an account out, with a lock that grows, on every sign-in route (django-axes, in the database)."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.test import RequestFactory
from rest_framework.test import APIClient

from keyworker.testing import PASSWORD

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/sign-in/"
TOKEN = "/api/v1/auth/token/"


def _wrong(client, email, times, addr="10.0.0.1"):
    for _ in range(times):
        client.post(SIGN_IN, {"username": email, "password": "not-the-password"}, REMOTE_ADDR=addr)


def test_ten_wrong_passwords_lock_the_sign_in_page_even_for_the_right_password(world, client):
    email = world.ta_a.user.email
    for attempt in range(9):
        r = client.post(SIGN_IN, {"username": email, "password": "not-the-password"}, REMOTE_ADDR="10.0.0.1")
        assert r.status_code == 200, attempt
    r = client.post(SIGN_IN, {"username": email, "password": "not-the-password"}, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 429
    r = client.post(SIGN_IN, {"username": email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    html = r.content.decode()
    assert r.status_code == 429 and "Signing in is paused" in html and "Try again in" in html
    assert "Traceback" not in html and int(r["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_the_lock_grows_with_each_wrong_password_after_it(world, client, clock):
    email = world.ta_a.user.email
    _wrong(client, email, 10)
    clock.shift(dt.timedelta(minutes=16))  # the first lock is 15 minutes
    r = client.post(SIGN_IN, {"username": email, "password": "still-not-it"}, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 429  # one more wrong password: locked again, now for 30 minutes
    clock.shift(dt.timedelta(minutes=20))
    assert client.post(SIGN_IN, {"username": email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1").status_code == 429
    clock.shift(dt.timedelta(minutes=60))  # the refused right password above counted too (60 minutes)
    r = client.post(SIGN_IN, {"username": email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 302 and client.session["_auth_user_id"] == str(world.ta_a.user.pk)


def test_a_successful_sign_in_clears_the_count(world, client):
    email = world.ta_a.user.email
    _wrong(client, email, 9)
    assert client.post(SIGN_IN, {"username": email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1").status_code == 302
    assert not AccessAttempt.objects.filter(username=email).exists()
    client.logout()
    _wrong(client, email, 9)
    assert client.post(SIGN_IN, {"username": email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1").status_code == 302


def test_guesses_spread_over_many_addresses_still_lock_the_account(world, client):
    email = world.ta_a.user.email
    for i in range(30):
        client.post(SIGN_IN, {"username": email.upper(), "password": f"guess-{i}"}, REMOTE_ADDR=f"10.1.0.{i}")
    r = client.post(SIGN_IN, {"username": email, "password": PASSWORD}, REMOTE_ADDR="10.2.0.1")
    assert r.status_code == 429


def test_a_colleague_behind_the_same_address_can_still_sign_in(world, client):
    _wrong(client, world.ta_a.user.email, 12)
    r = client.post(SIGN_IN, {"username": world.teacher_a.user.email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 302


def test_the_token_endpoint_locks_out_with_a_429_json_answer(world):
    api = APIClient(REMOTE_ADDR="10.0.0.9")
    email = world.ta_a.user.email
    for _ in range(9):
        r = api.post(TOKEN, {"email": email, "password": "not-the-password"}, format="json")
        assert r.status_code == 400
    r = api.post(TOKEN, {"email": email, "password": "not-the-password"}, format="json")
    assert r.status_code == 429 and r.json()["code"] == "locked_out" and "Try again in" in r.json()["detail"]
    r = api.post(TOKEN, {"email": email, "password": PASSWORD}, format="json")
    assert r.status_code == 429 and r.json()["code"] == "locked_out"
    assert "token" not in r.json()


def test_the_sign_in_page_and_the_api_share_one_count(world, client):
    email = world.ta_a.user.email
    _wrong(client, email, 5, addr="10.0.0.9")
    api = APIClient(REMOTE_ADDR="10.0.0.9")
    for _ in range(5):
        r = api.post(TOKEN, {"email": email, "password": "nope-nope"}, format="json")
    assert r.status_code == 429


def test_any_authenticate_call_with_the_request_counts(world):
    """The safeguarding confirmation (and anything else) calling authenticate(request=..., email=...) is counted."""
    email = world.safeguarding_lead.user.email
    for _ in range(10):
        request = RequestFactory().post("/safeguarding/confirm/", REMOTE_ADDR="10.0.0.3")
        assert authenticate(request=request, email=email, password="wrong-password") is None
    request = RequestFactory().post("/safeguarding/confirm/", REMOTE_ADDR="10.0.0.3")
    assert authenticate(request=request, email=email, password=PASSWORD) is None
    assert request.axes_locked_out


def test_the_password_reset_link_does_not_sign_in(world, client):
    """Setting a password by e-mail link never signs in, so it cannot be used to get round the lockout."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = world.ta_a.user
    _wrong(client, user.email, 10)
    link = f"/accounts/password/{urlsafe_base64_encode(force_bytes(user.pk))}/{default_token_generator.make_token(user)}/"
    form = client.get(link, follow=True)
    r = client.post(form.redirect_chain[-1][0], {"new_password1": "tea-sparrow-lantern", "new_password2": "tea-sparrow-lantern"})
    assert r.status_code == 302 and "_auth_user_id" not in client.session
