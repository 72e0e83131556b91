"""Attach the acting user (`request.actor`) to every request, built lazily and once; end idle sessions; hold back
pages until the second factor is proved (or added, when the role needs one)."""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode

from .access import SESSION_ORGANISATION_KEY, actor_for


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(
            lambda: actor_for(request.user, request.session.get(SESSION_ORGANISATION_KEY))
        )
        return self.get_response(request)


class SecondFactorMiddleware:
    """After the password, the second factor: someone with a device proves it before any other page; someone whose
    role needs one and has none may only add one. Sign-out, static files and the second-factor pages stay open.

    A session-signed-in API call in either state gets a JSON 403 instead of a redirect. (API tokens do not pass here:
    the API authenticates them itself, after this.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        from . import mfa

        has_device = mfa.session_has_device(request)
        if not has_device and not mfa.second_factor_required(request.actor):
            return self.get_response(request)
        path = request.path_info
        request.second_factor_pending = True
        if self._always_open(path) or (not has_device and path.startswith(reverse("accounts:second_factor"))):
            return self.get_response(request)
        if has_device and self._proving(path):
            return self.get_response(request)
        if path.startswith("/api/"):
            message = "Prove your second factor first." if has_device else "Add a second factor first: your role needs one."
            return JsonResponse({"errors": {"second_factor": [message]}}, status=403)
        target = reverse("accounts:second_factor" if has_device else "accounts:second_factor_devices")
        nxt = request.get_full_path() if request.method == "GET" else ""
        return redirect(f"{target}?{urlencode({'next': nxt})}" if nxt and nxt != "/" else target)

    @staticmethod
    def _always_open(path: str) -> bool:
        return path == reverse("accounts:logout") or path.startswith("/" + settings.STATIC_URL.lstrip("/"))

    @staticmethod
    def _proving(path: str) -> bool:
        """The verification page and the passkey sign-in ceremony (not registration: that needs a proven session)."""
        ceremony = "/accounts/second-factor/passkeys/ceremony/"
        return path == reverse("accounts:second_factor") or path.startswith(
            (ceremony + "authentication/", ceremony + "jsi18n/")
        )


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


class FirstRunMiddleware:
    """A new installation (nobody has an account yet) sends every page to the first-run page, /start/. Once anyone
    has an account this costs nothing: the answer is kept for the life of the process. The API, static files and
    the first-run page itself pass."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .installation_services import installation_has_users

        path = request.path_info
        if path.startswith(("/api/", "/" + settings.STATIC_URL.lstrip("/"))):
            return self.get_response(request)
        # Someone signed in is proof enough (the page reads them anyway); otherwise the database is asked, until yes.
        if not installation_has_users(signed_in=request.user.is_authenticated) and path != reverse("installation:first_run"):
            return redirect("installation:first_run")
        return self.get_response(request)
