"""Attach the acting user (`request.actor`) to every request, built lazily and once; end idle sessions."""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject

from .access import SESSION_ORGANISATION_KEY, actor_for


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(
            lambda: actor_for(request.user, request.session.get(SESSION_ORGANISATION_KEY))
        )
        return self.get_response(request)


SESSION_SEEN_KEY = "_kw_seen"
REFRESH_EVERY_SECONDS = 60


class SessionIdleMiddleware:
    """Idle expiry: a signed-in session ends KEYWORKER_SESSION_IDLE_MINUTES after its last request.

    The session lives SESSION_COOKIE_AGE seconds from its last save; each request that comes more than a
    minute after the last refresh saves it again (not every request, so a page costs no extra write).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get("_auth_user_id"):
            now = int(time.time())
            if now - int(session.get(SESSION_SEEN_KEY, 0)) >= REFRESH_EVERY_SECONDS:
                session[SESSION_SEEN_KEY] = now
        return self.get_response(request)


@receiver(user_logged_in)
def _mark_session_seen(sender, request, user, **kwargs):
    """Signing in starts the idle clock (the session is being saved anyway)."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_SEEN_KEY] = int(time.time())
