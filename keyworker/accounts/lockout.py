"""Sign-in lockout with back-off, on top of django-axes (failures are rows in the database, so every process sees them).

Every call to ``authenticate(request=...)`` counts: the sign-in page, the API token endpoint and the safeguarding
password confirmation. Three counters are kept, each with its own threshold:

- the account from one address (``KEYWORKER_LOCKOUT_FAILURES``, default 10),
- the account from any address (three times that: someone spreading guesses over many addresses),
- the address, whatever the account (ten times that: a school's staff often share one address).

When a counter reaches its threshold the account (or address) is locked for ``KEYWORKER_LOCKOUT_MINUTES``
(default 15); each further wrong password after that doubles the time, up to a day. A day without failures
forgets them; a successful sign-in clears the counters of that account and address.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

LOCKED_OUT_MESSAGE = "Too many wrong passwords: signing in is paused for this account. Try again in {wait}."


def lockout_base() -> int:
    return int(getattr(settings, "KEYWORKER_LOCKOUT_FAILURES", 10))


def lockout_minutes() -> int:
    return int(getattr(settings, "KEYWORKER_LOCKOUT_MINUTES", 15))


# Threshold per counter, as a multiple of the base: the counters are axes' lockout parameters, in this order.
LOCKOUT_PARAMETERS: list[Any] = [["username", "ip_address"], "username", "ip_address"]
MULTIPLIERS = (1, 3, 10)
MAX_LOCK = timedelta(hours=24)


def username_of(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """The e-mail address, however the caller named it (username=, email=), trimmed and in lower case."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if value is None and request is not None:
        data = getattr(request, "POST", None) or {}
        value = data.get("username") or data.get("email")
    return str(value).strip().lower() if value else None


def lock_duration(failures: int, threshold: int) -> timedelta:
    """Back-off: the base time at the threshold, doubled for each failure beyond it, at most a day."""
    if failures < threshold:
        return timedelta(0)
    doublings = min(failures - threshold, 16)
    return min(timedelta(minutes=lockout_minutes()) * (2**doublings), MAX_LOCK)


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with one threshold per counter and a lock that grows with each failure."""

    def _locked_until(self, request: HttpRequest, credentials: dict | None) -> timezone.datetime | None:
        base = lockout_base()
        until = None
        for attempts, multiplier in zip(self.get_user_attempts(request, credentials), MULTIPLIERS, strict=False):
            figures = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            failures, last = figures["failures"] or 0, figures["last"]
            duration = lock_duration(failures, base * multiplier)
            if last and duration:
                end = last + duration
                until = end if until is None or end > until else until
        return until

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """Axes compares this with AXES_FAILURE_LIMIT (the base): the base while locked, below it otherwise."""
        now = getattr(request, "axes_attempt_time", None) or timezone.now()
        until = self._locked_until(request, credentials)
        if until is not None and until > now:
            request.keyworker_locked_until = until
            return lockout_base()
        return 0

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """A successful sign-in clears that account's failures from that address, nobody else's."""
        username = username_of(request, credentials)
        return AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()[0]

    def user_login_failed(self, sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        # An API view passes DRF's Request, a wrapper: the middleware reads the flag on the Django request inside.
        inner = getattr(request, "_request", None)
        if inner is not None and getattr(request, "axes_locked_out", False):
            inner.axes_locked_out = True
            inner.axes_credentials = credentials
            inner.keyworker_locked_until = getattr(request, "keyworker_locked_until", None)


def lockout_parameters(request: Any, credentials: dict | None = None) -> list[Any]:
    return LOCKOUT_PARAMETERS


def _wait_text(request: HttpRequest) -> tuple[str, int]:
    until = getattr(request, "keyworker_locked_until", None)
    seconds = max(60, int((until - timezone.now()).total_seconds())) if until else lockout_minutes() * 60
    minutes = (seconds + 59) // 60
    if minutes >= 120:
        text = f"{(minutes + 59) // 60} hours"
    else:
        text = "1 minute" if minutes == 1 else f"{minutes} minutes"
    return text, seconds


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """429: JSON under /api/, the sign-in page's own explanation otherwise; never says whether the account exists."""
    wait, seconds = _wait_text(request)
    message = LOCKED_OUT_MESSAGE.format(wait=wait)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    else:
        response = render(request, "accounts/locked_out.html", {"message": message, "wait": wait}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def reset_for(username: str) -> int:
    """Clear an account's failures (e.g. an admin confirms who they are)."""
    return AccessAttempt.objects.filter(username=username.strip().lower()).delete()[0]
