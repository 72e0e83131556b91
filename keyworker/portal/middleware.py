"""Carers stay in the portal: a carer's session reaches only /family/ pages (and static files, the favicon and the
carers' own API routes). Every staff page, the staff API and the admin site answer 404, as if they did not exist."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse


def _open_prefixes() -> tuple[str, ...]:
    return (
        reverse("portal:home"),
        "/" + settings.STATIC_URL.lstrip("/"),
        "/favicon.ico",
        "/api/v1/portal/",
    )


class CarersStayInPortalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._prefixes: tuple[str, ...] | None = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "is_carer", False):
            if self._prefixes is None:
                self._prefixes = _open_prefixes()
            if not request.path_info.startswith(self._prefixes):
                if request.path_info.startswith("/api/"):
                    return JsonResponse({"detail": "Not found."}, status=404)
                # The portal's own "not found" page, in the portal's layout (the staff one would lead back here).
                return render(request, "portal/not_found.html", status=404)
        return self.get_response(request)
