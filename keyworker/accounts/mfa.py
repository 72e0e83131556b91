"""Second factors (django-otp): does a person have one, check a code, and when this session last proved one.

Every part of the product that asks for a second factor (sign-in, the restricted-records confirmation, API
tokens) goes through these functions, so the kinds of device (TOTP app, recovery codes, passkeys) are known
in one place.
"""

import datetime as dt

from django.http import HttpRequest
from django_otp import devices_for_user, login as otp_login, match_token

from keyworker.core import clock

from .models import User

SESSION_VERIFIED_AT = "mfa_verified_at"


def has_second_factor(user: User) -> bool:
    """True if the person has at least one confirmed device (an app, recovery codes or a passkey)."""
    return any(True for _ in devices_for_user(user, confirmed=True))


def verify_code(user: User, code: str):
    """The device that accepts this code (a TOTP code or an unused recovery code, which is then spent), or None."""
    code = (code or "").strip().replace(" ", "")
    if not code:
        return None
    return match_token(user, code)


def mark_verified(request: HttpRequest, device) -> None:
    """Record in the session that the person proved a second factor now (also django-otp's own flag)."""
    otp_login(request, device)
    request.session[SESSION_VERIFIED_AT] = clock.now().timestamp()


def verified_at(request: HttpRequest) -> dt.datetime | None:
    at = request.session.get(SESSION_VERIFIED_AT)
    if not isinstance(at, int | float):
        return None
    return dt.datetime.fromtimestamp(at, tz=dt.UTC)
