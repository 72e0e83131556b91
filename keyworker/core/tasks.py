"""Background work through Django's Tasks API: queue after commit, and give back tasks whose worker went quiet.

The tasks themselves live in the apps (`<app>/tasks.py`) and are written with `django_tasks.task`, so moving to
Django 6 is an import change (`django.tasks`). A task carries ids only; its state is in the database, so a queue
that loses a job (Redis restarted) loses nothing that the next schedule does not queue again.
"""

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks.base import Task

log = logging.getLogger("keyworker.tasks")


def backend_name() -> str:
    """`database`, `rq` or `immediate` (KEYWORKER_TASKS_BACKEND)."""
    return str(settings.KEYWORKER_TASKS_BACKEND)


def claim_timeout() -> dt.timedelta:
    """How long a worker may hold a task before it is taken for dead (killed, or cut off from the database)."""
    return dt.timedelta(seconds=settings.KEYWORKER_TASKS_CLAIM_SECONDS)


def enqueue_on_commit(task: Task, **kwargs: Any) -> None:
    """Queue the task once the current transaction commits (at once outside one): a worker never sees rows that
    were rolled back, and a rolled-back request queues nothing."""
    transaction.on_commit(lambda: task.enqueue(**kwargs))


def max_attempts() -> int:
    """How many times a task may be claimed by a worker that then went quiet before it is given up."""
    return max(1, int(settings.KEYWORKER_TASKS_MAX_ATTEMPTS))


# What to do, per task, when it is given up: (the task's keyword arguments, attempts) -> None. Registered by the
# app that owns the task (an import marks its ImportJob failed, with a message its page shows).
GivenUp = Callable[[dict[str, Any], int], None]
_GIVEN_UP: dict[str, GivenUp] = {}


def register_task_given_up(task: Task, handler: GivenUp) -> None:
    _GIVEN_UP[task.module_path] = handler


class AttemptsExhausted(Exception):  # noqa: N818 - the name the failed task's row shows
    """A task whose worker went quiet (killed, or cut off) on every attempt."""


def tasks_requeue_abandoned(*, now: dt.datetime) -> int:
    """Queue again the tasks of the database queue claimed longer ago than the claim time (their worker was
    killed or partitioned). Every task is idempotent (a lease or a status claim), so running one again after a
    slow worker finishes does its work once.

    A task claimed KEYWORKER_TASKS_MAX_ATTEMPTS times already (each claim adds its worker to `worker_ids`) is not
    queued again but marked failed: a task that kills its worker, or meets the same error each time, would
    otherwise come back for ever. Its app is told (`register_task_given_up`)."""
    if backend_name() != "database":
        return 0  # RQ has its own registry of started jobs; the schedule queues the periodic work again anyway
    from django_tasks_db.models import DBTaskResult

    cutoff = now - claim_timeout()
    stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    # A handful of rows at most (tasks whose worker died): their attempts are counted here, not in SQL, the same
    # on SQLite and PostgreSQL.
    rows = list(stale.values_list("pk", "task_path", "args_kwargs", "worker_ids"))
    spent = [row for row in rows if len(row[3] or []) >= max_attempts()]
    spent_ids = {row[0] for row in spent}
    requeued = stale.filter(pk__in=[row[0] for row in rows if row[0] not in spent_ids]).update(
        status=TaskResultStatus.READY, started_at=None)
    if requeued:
        log.warning("%s task(s) claimed before %s by a worker gone quiet were queued again", requeued,
                    cutoff.isoformat())
    for pk, task_path, args_kwargs, worker_ids in spent:
        attempts = len(worker_ids or [])
        failed = stale.filter(pk=pk).update(
            status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
            exception_class_path=f"{AttemptsExhausted.__module__}.{AttemptsExhausted.__qualname__}",
            traceback=f"Stopped after {attempts} attempts: its worker went quiet each time ({', '.join(worker_ids)}).",
        )
        if not failed:
            continue  # finished (or given back) in the meantime
        log.error("Task %s (%s) stopped after %s attempts: its worker went quiet each time", pk, task_path, attempts,
                  extra={"task_path": task_path, "attempts": attempts})
        handler = _GIVEN_UP.get(task_path)
        if handler is not None:
            handler(dict((args_kwargs or {}).get("kwargs") or {}), attempts)
    return requeued


def task_pending(task: Task, **kwargs: Any) -> bool | None:
    """Whether a run of the task with these arguments is queued or running: True or False on the database
    queue; None (unknown) on the others."""
    if backend_name() != "database":
        return None
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path=task.module_path,
                                       status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
    for key, value in kwargs.items():
        rows = rows.filter(**{f"args_kwargs__kwargs__{key}": value})
    return rows.exists()
