"""Signing in by e-mail and password, landing where each persona's work is, signing out."""

import pytest

from keyworker.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_by_email_lands_a_key_worker_on_my_week(world, client):
    r = client.post("/accounts/sign-in/", {"username": world.ta_a.user.email.upper(), "password": PASSWORD}, follow=True)
    assert r.redirect_chain[-1][0] == "/my-week/"
    assert "My week" in r.content.decode()


def test_wrong_password_says_so_and_signs_nobody_in(world, client):
    r = client.post("/accounts/sign-in/", {"username": world.ta_a.user.email, "password": "wrong"})
    assert r.status_code == 200
    assert "The e-mail address or password is not right" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_bad_email_is_a_field_error(world, client):
    r = client.post("/accounts/sign-in/", {"username": "not-an-email", "password": "x"})
    assert "Enter a valid email address" in r.content.decode()


@pytest.mark.parametrize(("persona", "landing"), [
    ("headteacher", "/compliance/"), ("teacher_a", "/my-week/"), ("admin_office", "/families/all/"),
    ("safeguarding_lead", "/my-week/"), ("outsider", "/compliance/"),
])
def test_each_persona_lands_on_their_work(world, client_for, persona, landing):
    assert client_for(world.personas[persona]).get("/").url == landing


def test_pages_need_sign_in(client, db):
    r = client.get("/families/")
    assert r.status_code == 302 and r.url.startswith("/accounts/sign-in/")


def test_sign_out(world, client_for):
    client = client_for(world.ta_a)
    r = client.post("/accounts/sign-out/")
    assert r.status_code == 302
    assert client.get("/families/").status_code == 302


def test_someone_with_no_organisation_is_told_what_to_do(client, django_user_model, db):
    user = django_user_model.objects.create_user("new@example.org", "a-long-password", full_name="New Person")
    client.force_login(user)
    r = client.get("/")
    assert r.status_code == 403
    assert "not a staff member of any organisation" in r.content.decode()
