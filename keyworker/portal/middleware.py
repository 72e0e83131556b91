"""Carers stay in the portal: a carer's session reaches only /family/ pages (and static files, the favicon, the
carers' own API routes and their own calendar address). Every staff page, the staff API and the admin site answer
404, as if they did not exist."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse


def _open_prefixes() -> tuple[str, ...]:
    return (
        reverse("portal:home"),
        "/" + settings.STATIC_URL.lstrip("/"),
        "/favicon.ico",
        "/api/v1/portal/",
    )


def _own_feed(request, prefix: str) -> bool:
    """The carer's own private calendar address (a feed that is theirs, not a member of staff's), opened in the browser
    they are signed in with. One query, for this address only."""
    if not request.path_info.startswith(prefix):
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    if match.view_name != "meetings:calendar_feed":
        return False
    from keyworker.meetings.calendars import feed_by_token

    feed = feed_by_token(match.kwargs.get("token", ""))
    return feed is not None and feed.staff_id is None and feed.user_id == request.user.pk


class CarersStayInPortalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._prefixes: tuple[str, ...] | None = None
        self._feeds = ""

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "is_carer", False):
            if self._prefixes is None:
                self._prefixes = _open_prefixes()
                self._feeds = reverse("meetings:calendar_feed", args=["x"]).removesuffix("x.ics")
            if not request.path_info.startswith(self._prefixes) and not _own_feed(request, self._feeds):
                if request.path_info.startswith("/api/"):
                    return JsonResponse({"detail": "Not found."}, status=404)
                # The portal's own "not found" page, in the portal's layout (the staff one would lead back here).
                return render(request, "portal/not_found.html", status=404)
        return self.get_response(request)
