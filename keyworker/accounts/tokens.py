"""API tokens: issue (the key shown once, only its hash kept), look up, revoke one or all, and the DRF authentication.

A token expires after KEYWORKER_API_TOKEN_HOURS (8 by default) and stops working at once when the person's password
changes (by any route: reset, change, the admin site) or when they sign out everywhere.
"""

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models, transaction
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from keyworker.core import clock
from keyworker.core.audit import audit_record

from .models import ApiToken, StaffMember, User

KEYWORD = "Token"
LAST_USED_EVERY = dt.timedelta(minutes=1)  # at most one write per token per minute, not one per request


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _password_marker(user: User) -> str:
    return hashlib.sha256(user.password.encode()).hexdigest()


def token_hours() -> int:
    return int(getattr(settings, "KEYWORKER_API_TOKEN_HOURS", 8))


def _audit(user: User, event_type: str, summary: str, obj=None, data: dict | None = None) -> None:
    """Into each organisation the person works in (the audit log belongs to organisations)."""
    for org_id in StaffMember.objects.filter(user=user).values_list("organisation_id", flat=True).distinct():
        audit_record(organisation_id=org_id, actor=user, event_type=event_type, obj=obj, summary=summary, data=data)


@transaction.atomic
def api_token_issue(*, user: User, name: str = "", second_factor_at: dt.datetime | None = None,
                    now: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new token and its key (the only time the key is known)."""
    now = now or clock.now()
    key = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user, name=(name or "API token").strip()[:100], key_hash=_hash(key), prefix=key[:8],
        password_marker=_password_marker(user), created_at=now, expires_at=now + dt.timedelta(hours=token_hours()),
        second_factor_at=second_factor_at,
    )
    _audit(user, "accounts.api_token_issued", f"API token “{token.name}” issued", token,
           {"second_factor": second_factor_at is not None})
    return token, key


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise ValueError("Not this person's token")
    _audit(user, "accounts.api_token_revoked", f"API token “{token.name}” revoked", token)
    token.delete()


@transaction.atomic
def api_tokens_revoke_all(*, user: User, reason: str) -> int:
    """Every token of the person (a new password, signing out everywhere)."""
    count, _ = ApiToken.objects.filter(user=user).delete()
    if count:
        _audit(user, "accounts.api_tokens_revoked", f"All API tokens revoked ({reason})", data={"count": count, "reason": reason})
    return count


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> int:
    """End every session of the person (Django checks each session's hash; a new generation changes it) and revoke
    every API token. The caller keeps its own session with update_session_auth_hash. Returns the tokens revoked."""
    User.objects.filter(pk=user.pk).update(sessions_generation=models.F("sessions_generation") + 1)
    user.refresh_from_db(fields=["sessions_generation"])
    _audit(user, "accounts.signed_out_everywhere", "Signed out everywhere")
    return api_tokens_revoke_all(user=user, reason="signed out everywhere")


def tokens_of(user: User, now: dt.datetime | None = None):
    """The person's tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user, expires_at__gt=now or clock.now()).order_by("-created_at", "-id")


def token_for_key(key: str, now: dt.datetime | None = None) -> ApiToken | None:
    """The live token for a key, or None (unknown, expired, the password changed since, or the person switched off)."""
    if not key or len(key) > 100:
        return None
    now = now or clock.now()
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None or token.expires_at <= now or not token.user.is_active:
        return None
    if not secrets.compare_digest(token.password_marker, _password_marker(token.user)):
        token.delete()  # the password changed since it was issued
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` with one of our API tokens; request.auth is the ApiToken."""

    def authenticate(self, request):
        auth = authentication.get_authorization_header(request).split()
        if not auth or auth[0].lower() != KEYWORD.lower().encode():
            return None
        if len(auth) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: send Authorization: Token <key>.")
        try:
            key = auth[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token.") from exc
        token = token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or expired token: get a new one with POST /api/v1/auth/token/.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return KEYWORD


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Our API tokens in the schema: the same header as DRF's tokens."""

    target_class = "keyworker.accounts.tokens.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <key>`, from POST /api/v1/auth/token/; expires after 8 hours by default."}
