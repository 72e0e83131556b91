"""Asking a reader of restricted records to confirm their password again: once every 15 minutes, in the session.

Wrong passwords are counted per person (five in 15 minutes, then a pause), so a session left open cannot be used
to guess.
"""

import datetime as dt

from django.core.cache import cache
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from keyworker.core import clock

SESSION_KEY = "safeguarding_confirmed_at"
FRESH_FOR = dt.timedelta(minutes=15)
MAX_FAILURES = 5
LOCK_FOR = dt.timedelta(minutes=15)


def is_confirmed(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    if not isinstance(at, int | float):
        return False
    now = clock.now().timestamp()
    return 0 <= now - at < FRESH_FOR.total_seconds()


def mark_confirmed(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = clock.now().timestamp()


def confirm_redirect(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('safeguarding:confirm')}?{urlencode({'next': request.get_full_path()})}")


def safe_next(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt.startswith("/") and not nxt.startswith("//") and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return default


def _key(user_id: int) -> str:
    return f"safeguarding-reauth-failures:{user_id}"


def failures(user_id: int) -> list[float]:
    cutoff = clock.now().timestamp() - LOCK_FOR.total_seconds()
    return [t for t in cache.get(_key(user_id), []) if t > cutoff]


def is_locked(user_id: int) -> bool:
    return len(failures(user_id)) >= MAX_FAILURES


def record_failure(user_id: int) -> int:
    """Count a wrong password; returns how many tries are left."""
    recent = [*failures(user_id), clock.now().timestamp()]
    cache.set(_key(user_id), recent, int(LOCK_FOR.total_seconds()))
    return max(0, MAX_FAILURES - len(recent))


def clear_failures(user_id: int) -> None:
    cache.delete(_key(user_id))
