"""The acting user of an API request: registered with core's API contracts when the app starts."""

from rest_framework.request import Request

from .access import SESSION_ORGANISATION_KEY, Actor, actor_for


def api_actor(request: Request, organisation_id: int | None) -> Actor:
    """The actor in the organisation the request names (header), else the one chosen in the session, else the first."""
    if organisation_id is None:
        session = getattr(request, "session", None)
        chosen = session.get(SESSION_ORGANISATION_KEY) if session is not None and request.auth is None else None
        organisation_id = chosen if isinstance(chosen, int) else None
    return actor_for(request.user, organisation_id)
