"""The acting user of an API request, built once per request from the authenticated user.

Who the actor is (its organisation, roles and scopes) is the accounts app's business: it registers the function
that builds one when it starts. This module only reads the organisation a request names and keeps the actor for
the rest of the request.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.request import Request

ORGANISATION_HEADER = "X-Organisation"
_CACHE_ATTR = "_keyworker_actor"

# (request, id of the organisation the X-Organisation header names or None) -> the actor
ActorResolver = Callable[[Request, int | None], Any]

_RESOLVER: list[ActorResolver] = []


def register_actor_resolver(resolve: ActorResolver) -> None:
    """Name the one function that builds the actor of an API request (registering again replaces it)."""
    _RESOLVER[:] = [resolve]


def header_organisation(request: Request) -> int | None:
    """The organisation id in the X-Organisation header, if it is one."""
    raw = (request.headers.get(ORGANISATION_HEADER) or "").strip()
    # Ids are bounded so that an absurd number never reaches the database.
    if raw.isascii() and raw.isdigit() and len(raw) <= 18:
        return int(raw)
    return None


def request_actor(request: Request) -> Any:
    """The actor for `request.user` in the organisation named by the X-Organisation header (else the first)."""
    actor = getattr(request, _CACHE_ATTR, None)
    if actor is None:
        if not _RESOLVER:
            raise ImproperlyConfigured("No app has registered how to build the acting user of an API request.")
        actor = _RESOLVER[0](request, header_organisation(request))
        setattr(request, _CACHE_ATTR, actor)
    return actor
