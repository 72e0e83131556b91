"""Token and session authentication; the OpenAPI schema and the offline docs."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from keyworker.accounts.models import ApiToken
from keyworker.accounts.tokens import api_token_issue
from keyworker.testing import PASSWORD

from .helpers import assert_error, family_ids, ids

pytestmark = pytest.mark.django_db


def test_token_from_email_and_password(world):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"email": world.ta_a.user.email.upper(), "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    stored = ApiToken.objects.get(user=world.ta_a.user)
    assert stored.key_hash != token and token.startswith(stored.prefix)  # only its hash is kept
    # A new token each time; both work until they expire or are revoked.
    again = client.post("/api/v1/auth/token/", {"email": world.ta_a.user.email, "password": PASSWORD}, format="json")
    assert again.json()["token"] != token and ApiToken.objects.filter(user=world.ta_a.user).count() == 2

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["staff"] == world.ta_a.pk
    assert ids(client.get("/api/v1/families/")) == family_ids(world, "ta_a")


def test_token_refused(world):
    client = APIClient()
    body = assert_error(client.post("/api/v1/auth/token/", {"email": world.ta_a.user.email, "password": "wrong"}, format="json"),
                        "non_field_errors")
    assert body["codes"]["non_field_errors"] == ["authorization"]
    assert_error(client.post("/api/v1/auth/token/", {"email": "nobody@example.org", "password": PASSWORD}, format="json"), "non_field_errors")
    assert_error(client.post("/api/v1/auth/token/", {"email": "not an address", "password": PASSWORD}, format="json"), "email")
    assert_error(client.post("/api/v1/auth/token/", {}, format="json"), "password")
    world.ta_a.user.is_active = False
    world.ta_a.user.save()
    assert_error(client.post("/api/v1/auth/token/", {"email": world.ta_a.user.email, "password": PASSWORD}, format="json"), "non_field_errors")
    assert not ApiToken.objects.exists()


def test_bad_or_revoked_token_is_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/families/").status_code == 401
    _token, key = api_token_issue(user=world.headteacher.user, name="Script")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/families/").status_code == 200
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/families/").status_code == 401
    assert APIClient().delete("/api/v1/auth/token/").status_code == 401


def test_session_authentication(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.teacher_b.user)
    assert ids(client.get("/api/v1/families/")) == family_ids(world, "teacher_b")
    # A signed-in browser session must send the CSRF token to write.
    response = client.post(f"/api/v1/allocations/{world.family_b.allocations.get().pk}/end/", {"reason": "Because"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_session_organisation_choice_is_honoured(world):
    from keyworker.accounts.models import Role, StaffMember, StaffRole

    membership = StaffMember.objects.create(organisation=world.org, user=world.outsider.user)
    StaffRole.objects.create(organisation=world.org, staff=membership, setting=world.school,
                             role=Role.objects.get(organisation=world.org, code="headteacher"))
    client = APIClient()
    client.force_login(world.outsider.user)
    session = client.session
    session["organisation_id"] = world.org.pk
    session.save()
    assert client.get("/api/v1/me/").json()["organisation"]["id"] == world.org.pk


def test_schema_and_docs(world):
    client = APIClient()
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/families/", "/api/v1/allocations/assign/", "/api/v1/allocations/{id}/reassign/",
                 "/api/v1/allocations/{id}/end/", "/api/v1/children/{id}/key-aspects/", "/api/v1/me/", "/api/v1/auth/token/"):
        assert path in paths, path
    assert "X-Organisation" in str(paths["/api/v1/families/"]["get"]["parameters"])
    assert "ValidationError" in str(paths["/api/v1/families/"]["post"]["responses"]["400"])
    assert "errors" in schema.json()["info"]["description"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    # Assets come from the installed sidecar package, not from a CDN: the docs work offline.
    assert b"drf_spectacular_sidecar/swagger-ui-dist" in docs.content
    assert b"cdn.jsdelivr" not in docs.content
    redoc = client.get("/api/v1/redoc/")
    assert redoc.status_code == 200 and b"drf_spectacular_sidecar/redoc" in redoc.content


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/allocations/assign/" in (tmp_path / "schema.yaml").read_text()


def test_browsable_api_renders(world):
    client = APIClient()
    client.force_login(world.headteacher.user)
    for url in ("/api/v1/", "/api/v1/families/", "/api/v1/children/", f"/api/v1/children/{world.child_a.pk}/",
                "/api/v1/allocations/", f"/api/v1/carers/{world.family_a.carers.first().pk}/"):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
