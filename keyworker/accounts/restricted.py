"""The one rule for reading restricted records (safeguarding concerns, their chronology, flagged contacts).

Every page, API route, export and PDF that returns restricted content asks this module first:
- a signed-in session must have confirmed the password within the last 15 minutes and, for people with a second
  factor, proved it within the last 15 minutes too (a code from their app, a recovery code or a passkey);
- an API token must have been issued with a second factor, and reads restricted content only for 15 minutes after.
A page without a fresh confirmation sends the person to the confirmation page; the API answers 403 with the code
"confirmation_required". Wrong passwords on the confirmation are counted in the database (five in 15 minutes, then a
pause), so the limit holds across every web process, and they go through `authenticate` so sign-in throttling sees them.
"""

import datetime as dt
from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from keyworker.core import clock
from keyworker.core.api.errors import CodedRefusal

from . import mfa
from .models import ApiToken, ConfirmationFailure, User

SESSION_KEY = "restricted_confirmed_at"
FRESH_FOR = dt.timedelta(minutes=15)
MAX_FAILURES = 5
LOCK_FOR = dt.timedelta(minutes=15)
CONFIRMATION_REQUIRED = "confirmation_required"
API_MESSAGE = (
    "Restricted records need a fresh confirmation. With a session, confirm your password (and second factor) at "
    "/accounts/confirm/; with a token, get a new one with your second factor (otp): it reads restricted records for "
    "15 minutes."
)


class ConfirmationRequired(CodedRefusal):
    """403 {"detail": "...", "code": "confirmation_required"}; never the record."""

    default_detail = API_MESSAGE
    default_code = CONFIRMATION_REQUIRED


def _fresh(at: dt.datetime | float | None, now: dt.datetime | None = None) -> bool:
    if at is None:
        return False
    now = now or clock.now()
    moment = at if isinstance(at, dt.datetime) else dt.datetime.fromtimestamp(at, tz=dt.UTC)
    return dt.timedelta(0) <= now - moment < FRESH_FOR


def password_confirmed(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    return isinstance(at, int | float) and _fresh(at)


def second_factor_fresh(request: HttpRequest) -> bool:
    return _fresh(mfa.verified_at(request))


def second_factor_needed(request: HttpRequest) -> bool:
    """True if the person has a second factor and has not proved it in this session within the window."""
    return mfa.has_second_factor(request.user) and not second_factor_fresh(request)


def is_confirmed(request: HttpRequest) -> bool:
    """May this signed-in session read restricted content now?"""
    if not request.user.is_authenticated or not password_confirmed(request):
        return False
    return not second_factor_needed(request)


def token_allows(token: ApiToken, now: dt.datetime | None = None) -> bool:
    """A token reads restricted content only within 15 minutes of the second factor it was issued with."""
    return token.second_factor_at is not None and _fresh(token.second_factor_at, now)


def may_read(request: Any) -> bool:
    """The rule for any request: a page's HttpRequest or the API's Request (token or session)."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return token_allows(auth)
    django_request = getattr(request, "_request", request)
    return hasattr(django_request, "session") and is_confirmed(django_request)


def require_for_api(request: Any) -> None:
    """Raise the API's 403 (code confirmation_required) unless the request may read restricted content."""
    if not may_read(request):
        raise ConfirmationRequired()


def mark_confirmed(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = clock.now().timestamp()


def confirm_url(next_path: str) -> str:
    return f"{reverse('accounts:confirm')}?{urlencode({'next': next_path})}"


def confirm_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """Send the person to the confirmation page, to come back to this address afterwards."""
    return HttpResponseRedirect(confirm_url(request.get_full_path()))


def safe_next(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt.startswith("/") and not nxt.startswith("//") and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return default


# Wrong passwords and codes, counted in the database -----------------------------------------------------------------


def failures(user: User) -> int:
    return ConfirmationFailure.objects.filter(user=user, at__gt=clock.now() - LOCK_FOR).count()


def is_locked(user: User) -> bool:
    return failures(user) >= MAX_FAILURES


def record_failure(user: User) -> int:
    """Count a wrong password or code; returns how many tries are left."""
    now = clock.now()
    ConfirmationFailure.objects.filter(user=user, at__lte=now - LOCK_FOR).delete()
    ConfirmationFailure.objects.create(user=user, at=now)
    return max(0, MAX_FAILURES - failures(user))


def clear_failures(user: User) -> None:
    ConfirmationFailure.objects.filter(user=user).delete()


def check_password(request: HttpRequest, password: str) -> bool:
    """Through `authenticate`, so any sign-in throttling counts a wrong password here as well."""
    user = request.user
    found = authenticate(request=request, email=user.email, password=password)
    return found is not None and found.pk == user.pk
