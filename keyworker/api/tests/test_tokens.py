"""API tokens: issued by POST /api/v1/auth/token/ (with an optional second-factor code), expiring, revoked one by one,
on a new password and by "sign out everywhere"; only a token issued with a second factor reads a concern, for 15 minutes."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from keyworker.accounts.models import ApiToken
from keyworker.notifications.services import deliveries_run
from keyworker.safeguarding.models import ConcernAccess
from keyworker.safeguarding.tests.helpers import WORDS, raise_concern
from keyworker.testing import PASSWORD, api_client_with_token, give_second_factor, totp_code

TOKEN_URL = "/api/v1/auth/token/"


def _issue(staff, **extra):
    client = APIClient()
    response = client.post(TOKEN_URL, {"email": staff.user.email, "password": PASSWORD, **extra}, format="json")
    return client, response


def _with(client, response):
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_the_leads_token_reads_a_concern_only_with_a_fresh_second_factor(world, clock):
    concern = raise_concern(world)
    url = f"/api/v1/safeguarding/concerns/{concern.pk}/"
    device = give_second_factor(world.safeguarding_lead.user)

    client, issued = _issue(world.safeguarding_lead, otp=totp_code(device), name="Case notes script")
    assert issued.status_code == 200, issued.content
    assert issued.json()["second_factor_at"] is not None and issued.json()["name"] == "Case notes script"
    with_factor = _with(client, issued)
    read = with_factor.get(url)
    assert read.status_code == 200 and read.json()["what_happened"] == WORDS

    plain_client, plain = _issue(world.safeguarding_lead)  # password only
    assert plain.status_code == 200 and plain.json()["second_factor_at"] is None
    refused = _with(plain_client, plain).get(url)
    assert refused.status_code == 403 and refused.json()["code"] == "confirmation_required"
    assert "Zebedee" not in refused.content.decode()

    clock.shift(dt.timedelta(minutes=16))
    later = with_factor.get(url)
    assert later.status_code == 403 and later.json()["code"] == "confirmation_required"
    assert "Zebedee" not in later.content.decode()
    # The token itself still works for everything else until it expires.
    assert with_factor.get("/api/v1/families/").status_code == 200
    # Every read and every refusal is in the access log.
    log = list(ConcernAccess.objects.filter(route="api", concern=concern).order_by("id").values_list("allowed", flat=True))
    assert log == [True, False, False]


def test_a_wrong_or_pointless_code_is_a_field_error(world):
    give_second_factor(world.safeguarding_lead.user)
    _client, wrong = _issue(world.safeguarding_lead, otp="000000")
    assert wrong.status_code == 400 and list(wrong.json()["errors"]) == ["otp"]
    _client, none = _issue(world.teacher_a, otp="123456")  # no second factor set up
    assert none.status_code == 400 and "no second factor" in none.json()["errors"]["otp"][0]
    assert not ApiToken.objects.exists()


def test_a_token_expires_after_8_hours(world, clock):
    client = api_client_with_token(world.teacher_a, second_factor=False)
    token = ApiToken.objects.get()
    assert token.expires_at - token.created_at == dt.timedelta(hours=8)
    clock.shift(dt.timedelta(hours=7, minutes=59))
    assert client.get("/api/v1/me/").status_code == 200
    clock.shift(dt.timedelta(minutes=1))
    response = client.get("/api/v1/me/")
    assert response.status_code == 401 and "expired" in response.json()["detail"]


@override_settings(KEYWORKER_API_TOKEN_HOURS=1)
def test_the_lifetime_is_a_setting(world):
    api_client_with_token(world.teacher_a, second_factor=False)
    token = ApiToken.objects.get()
    assert token.expires_at - token.created_at == dt.timedelta(hours=1)


def test_a_password_reset_revokes_every_token(world, client):
    user = world.teacher_a.user
    api = api_client_with_token(world.teacher_a, second_factor=False)
    api_client_with_token(world.teacher_a, second_factor=False)
    assert api.get("/api/v1/me/").status_code == 200
    client.post("/accounts/password/", {"email": user.email})
    deliveries_run(now=timezone.now(), worker_id="w1")  # the link waits in the outbox until the worker sends it
    link = re.search(r"http://testserver(/accounts/password/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": "quiet-harbour-lantern-9", "new_password2": "quiet-harbour-lantern-9"})
    assert done.status_code == 302 and done.url == "/accounts/password/done/"
    assert not ApiToken.objects.filter(user=user).exists()
    assert api.get("/api/v1/me/").status_code == 401


def test_a_password_changed_by_any_route_stops_the_token(world):
    api = api_client_with_token(world.teacher_a, second_factor=False)
    user = world.teacher_a.user
    user.set_password("changed-by-an-operator")
    user.save()
    assert api.get("/api/v1/me/").status_code == 401


def test_delete_revokes_only_the_token_used(world):
    first = api_client_with_token(world.teacher_a, second_factor=False)
    second = api_client_with_token(world.teacher_a, second_factor=False)
    assert first.delete(TOKEN_URL).status_code == 204
    assert first.get("/api/v1/me/").status_code == 401
    assert second.get("/api/v1/me/").status_code == 200
    assert ApiToken.objects.count() == 1


def test_last_used_is_recorded(world, clock):
    client = api_client_with_token(world.teacher_a, second_factor=False)
    assert ApiToken.objects.get().last_used_at is None
    clock.shift(dt.timedelta(minutes=5))
    client.get("/api/v1/me/")
    assert ApiToken.objects.get().last_used_at == timezone.now()  # time stands still in tests


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token " + "x" * 200, "Bearer abc"])
def test_malformed_headers_are_401_not_500(world, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_the_schema_documents_confirmation_required(world, client_for):
    client = client_for(world.headteacher)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "confirmation_required" in schema["info"]["description"]
    concern = schema["paths"]["/api/v1/safeguarding/concerns/{id}/"]["get"]
    assert "confirmation_required" in concern["responses"]["403"]["description"]
    assert "otp" in schema["components"]["schemas"]["TokenObtainRequest"]["properties"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]
