"""GET /health/ for load balancers and monitoring: is the database there, is the queue there, when did a worker last
finish a piece of work. No sign-in, no session, never cached; 200 when the database and the queue answer, else 503."""

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

log = logging.getLogger("keyworker.health")

HEALTH_PATH = "/health/"
REDIS_TIMEOUT_SECONDS = 2.0

# What the apps tell about the background worker, registered when they start (core knows no app above it):
# a function returning a small JSON-able dict (e.g. when a worker last finished a piece of work). One query at most.
Heartbeat = Callable[[], dict[str, Any]]
_HEARTBEATS: dict[str, Heartbeat] = {}


def register_heartbeat(name: str, heartbeat: Heartbeat) -> None:
    _HEARTBEATS[name] = heartbeat


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def check_database(alias: str = "default") -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # The details (host names, users) go to the log, not to an unauthenticated caller.
        log.exception("Health check: the database did not answer")
        return {"status": "error", "error": "the database did not answer", "ms": _ms(started)}
    return {"status": "ok", "ms": _ms(started)}


def check_redis(url: str) -> dict[str, Any]:
    import redis

    started = time.perf_counter()
    try:
        client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
        try:
            client.ping()
        finally:
            client.close()
    except Exception:
        log.exception("Health check: Redis did not answer")
        return {"status": "error", "error": "Redis did not answer", "ms": _ms(started)}
    return {"status": "ok", "ms": _ms(started)}


def check_queue(database: dict[str, Any]) -> dict[str, Any]:
    """The queue is Redis when KEYWORKER_REDIS_URL is set (RQ), otherwise the database itself."""
    redis_url = getattr(settings, "KEYWORKER_REDIS_URL", "") or os.environ.get("KEYWORKER_REDIS_URL", "")
    if redis_url:
        queue = {"backend": "redis", **check_redis(redis_url)}
    else:
        queue = {"backend": "database", "status": database["status"]}
    if database["status"] == "ok":
        for name, heartbeat in sorted(_HEARTBEATS.items()):
            try:
                queue[name] = heartbeat()
            except Exception:
                log.exception("Health check: heartbeat %s failed", name)
                queue[name] = {"error": "unavailable"}
    return queue


def health() -> tuple[int, dict[str, Any]]:
    database = check_database()
    queue = check_queue(database)
    ok = database["status"] == "ok" and queue["status"] == "ok"
    return (200 if ok else 503), {"status": "ok" if ok else "error", "checks": {"database": database, "queue": queue}}


def health_view(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        response: HttpResponse = JsonResponse({"detail": "Method not allowed."}, status=405)
        response["Allow"] = "GET, HEAD"
    else:
        status, body = health()
        response = JsonResponse(body, status=status)
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    """Answers /health/ before sessions, sign-in, second factors and the first-run page see the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH:
            return health_view(request)
        return self.get_response(request)
