"""The person's account page: name, e-mail, API tokens (each revocable) and "sign out everywhere"."""

import pytest
from django.test import Client

from keyworker.accounts.models import ApiToken
from keyworker.accounts.tokens import api_token_issue, token_for_key
from keyworker.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_page_lists_the_persons_own_tokens(world, client_for):
    api_token_issue(user=world.teacher_a.user, name="Timetable sync")
    api_token_issue(user=world.teacher_b.user, name="Someone else's")
    page = client_for(world.teacher_a).get("/accounts/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Tara Teacher" in text and world.teacher_a.user.email in text
    assert "Timetable sync" in text and "Someone else" not in text
    assert "Sign out everywhere" in text


def test_a_token_is_revoked_one_by_one(world, client_for):
    token, key = api_token_issue(user=world.teacher_a.user, name="Old laptop")
    _other, other_key = api_token_issue(user=world.teacher_a.user, name="New laptop")
    response = client_for(world.teacher_a).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302 and response.url == "/accounts/"
    assert token_for_key(key) is None and token_for_key(other_key) is not None
    assert AuditEvent.objects.filter(event_type="accounts.api_token_revoked", object_id=token.pk).exists()


def test_nobody_revokes_another_persons_token(world, client_for):
    token, key = api_token_issue(user=world.teacher_b.user, name="Ben's script")
    assert client_for(world.teacher_a).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert client_for(world.outsider).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert token_for_key(key) is not None


def test_sign_out_everywhere_ends_other_sessions_and_tokens_but_not_this_one(world):
    here, elsewhere = Client(), Client()
    here.force_login(world.teacher_a.user)
    elsewhere.force_login(world.teacher_a.user)
    _token, key = api_token_issue(user=world.teacher_a.user, name="Script")
    assert elsewhere.get("/accounts/").status_code == 200
    response = here.post("/accounts/sign-out-everywhere/")
    assert response.status_code == 302
    assert "signed out everywhere else" in here.get("/accounts/").content.decode()
    gone = elsewhere.get("/accounts/")
    assert gone.status_code == 302 and gone.url.startswith("/accounts/sign-in/")
    assert token_for_key(key) is None and not ApiToken.objects.exists()


def test_the_page_needs_signing_in(db, client):
    response = client.get("/accounts/")
    assert response.status_code == 302 and response.url.startswith("/accounts/sign-in/")
    assert client.post("/accounts/sign-out-everywhere/").status_code == 302
