"""Response hardening every page shares: no caching of personal data, a clear page when the database is busy."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every page and API answer: a shared computer or a proxy keeps no copy.

    Only the static files (served apart in production) may be cached.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(self.static_prefix):
            add_never_cache_headers(response)
        return response


# A database that is busy (SQLite's lock), restarting, unreachable, or that cut the connection.
DATABASE_AWAY = (OperationalError, InterfaceError)


def database_away_response(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """503 "Please try again", with Retry-After; drawn without the request's context (it would ask the database)."""
    logging.getLogger("keyworker.database").warning("Database busy or away on %s %s: %s", request.method,
                                                    request.path, exception)
    message = "The system is busy. Nothing was lost: wait a few seconds and try again."
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message, "code": "busy"}, status=503)
    else:
        page = render_to_string("core/503.html", {"message": message, "again": request.get_full_path()})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = "5"
    return response


class DatabaseBusyMiddleware:
    """A database that stays busy or unreachable answers 503 "try again", never a stack trace.

    This covers the views; what fails in a middleware (the session, the signed-in person) before the view reaches
    the error page, which answers the same (keyworker.core.views.server_error).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_AWAY):
            return None
        return database_away_response(request, exception)
