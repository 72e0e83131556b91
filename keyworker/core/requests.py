"""What every page reads from a request the same way: the acting member, an id parameter, a safe "next" address."""

from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def member(request: HttpRequest):
    """The acting staff member; anyone else (signed in but in no organisation) finds nothing here (404)."""
    if not request.actor.is_member:
        raise Http404
    return request.actor


def int_param(raw: str | None) -> int | None:
    """An id typed into a URL: digits only, at most 10 of them (a database integer), else None."""
    raw = (raw or "").strip()
    if not raw.isdigit() or len(raw) > 10:
        return None
    return int(raw)


def safe_next(request: HttpRequest) -> str:
    """The "next" address to go back to after a form, if it is a path on this site; else ""."""
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt.startswith("/") and not nxt.startswith("//") and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return ""
