"""Response hardening every page shares: no caching of personal data, a clear page when the database is busy."""

from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError
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


class DatabaseBusyMiddleware:
    """A database that stays busy or unreachable answers 503 "try again", never a stack trace."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError):
            return None
        import logging

        logging.getLogger("keyworker.database").warning("Database busy on %s %s: %s", request.method, request.path, exception)
        message = "The system is busy. Nothing was lost: wait a few seconds and try again."
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": message, "code": "busy"}, status=503)
        else:
            # Rendered without the request: the context processors would ask the busy database again.
            page = render_to_string("core/503.html", {"message": message, "again": request.get_full_path()})
            response = HttpResponse(page, status=503)
        response["Retry-After"] = "5"
        return response
