"""Log lines that say which request or background task they belong to, and one access line per request."""

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse
from django_guid import get_guid

from .health import HEALTH_PATH

# The background work's id: a django-tasks task's result id, or a cycle of the worker's loop.
_task_id: ContextVar[str | None] = ContextVar("keyworker_task_id", default=None)
# One organisation's cycle of the worker (its recompute, escalations, reminders): an operator follows it through the
# log, whether it ran as a queued task or in `keyworker worker --once`.
_cycle_id: ContextVar[str | None] = ContextVar("keyworker_cycle_id", default=None)

access_log = logging.getLogger("keyworker.access")


def current_task_id() -> str | None:
    return _task_id.get()


@contextmanager
def task_context(task_id: str | None = None) -> Iterator[str]:
    """Every line logged inside carries this task id (a new one if none is given)."""
    value = task_id or uuid.uuid4().hex
    token = _task_id.set(value)
    try:
        yield value
    finally:
        _task_id.reset(token)


def current_cycle_id() -> str | None:
    return _cycle_id.get()


@contextmanager
def cycle_context(cycle_id: str | None = None) -> Iterator[str]:
    """Every line logged inside carries this cycle id: the one given, else the one of the cycle already running
    (the pass over every organisation gives each organisation's run its id, and the run keeps it), else a new one."""
    value = cycle_id or _cycle_id.get() or uuid.uuid4().hex
    token = _cycle_id.set(value)
    try:
        yield value
    finally:
        _cycle_id.reset(token)


class IdsFilter(logging.Filter):
    """Puts `request_id` (the request's X-Request-ID), `task_id` and `cycle_id` on every record, None when there is
    none."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = get_guid()
        record.task_id = _task_id.get()
        record.cycle_id = _cycle_id.get()
        return True


class TextFormatter(logging.Formatter):
    """`2026-11-18 10:30:00,000 WARNING keyworker.worker [request 3f2a…] message`, for a person at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(ids)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        ids = []
        if getattr(record, "request_id", None):
            ids.append(f"request {record.request_id}")
        if getattr(record, "task_id", None):
            ids.append(f"task {record.task_id}")
        if getattr(record, "cycle_id", None):
            ids.append(f"cycle {record.cycle_id}")
        record.ids = f" [{', '.join(ids)}]" if ids else ""
        return super().format(record)


class AccessLogMiddleware:
    """One line per request on `keyworker.access` (INFO): method, path, status and milliseconds, with the request id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not access_log.isEnabledFor(logging.INFO):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        ms = round((time.perf_counter() - started) * 1000, 1)
        if request.path == HEALTH_PATH and response.status_code == 200:
            return response  # a load balancer asks every few seconds: only a failing check is worth a line
        # The path without its query string: a query may hold a search for a child's name.
        extra: dict[str, Any] = {"method": request.method, "path": request.path, "status": response.status_code, "ms": ms}
        access_log.info("%s %s %s %.1f ms", request.method, request.path, response.status_code, ms, extra=extra)
        return response


def _task_started(sender: Any, task_result: Any = None, **kwargs: Any) -> None:
    _task_id.set(str(getattr(task_result, "id", "") or uuid.uuid4().hex))


def _task_finished(sender: Any, **kwargs: Any) -> None:
    _task_id.set(None)


def connect_task_signals() -> bool:
    """Background tasks run by django-tasks (when installed) log with their task's id; True if connected."""
    try:
        from django_tasks import signals  # type: ignore[import-not-found]
    except ImportError:
        return False
    started, finished = getattr(signals, "task_started", None), getattr(signals, "task_finished", None)
    if started is None or finished is None:
        return False
    started.connect(_task_started, dispatch_uid="keyworker.core.logs.task_started")
    finished.connect(_task_finished, dispatch_uid="keyworker.core.logs.task_finished")
    return True
