"""The acting user of an API request, built once per request from the authenticated user."""

from rest_framework.request import Request

from keyworker.accounts.access import SESSION_ORGANISATION_KEY, Actor, actor_for

ORGANISATION_HEADER = "X-Organisation"
_CACHE_ATTR = "_keyworker_actor"


def _organisation_choice(request: Request) -> int | None:
    raw = (request.headers.get(ORGANISATION_HEADER) or "").strip()
    # Ids are bounded so that an absurd number never reaches the database.
    if raw.isascii() and raw.isdigit() and len(raw) <= 18:
        return int(raw)
    session = getattr(request, "session", None)
    chosen = session.get(SESSION_ORGANISATION_KEY) if session is not None and request.auth is None else None
    return chosen if isinstance(chosen, int) else None


def request_actor(request: Request) -> Actor:
    """The actor for `request.user` in the organisation named by the X-Organisation header (else the first)."""
    actor = getattr(request, _CACHE_ATTR, None)
    if actor is None:
        actor = actor_for(request.user, _organisation_choice(request))
        setattr(request, _CACHE_ATTR, actor)
    return actor
