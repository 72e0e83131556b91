"""Background work through Django's Tasks API: queue after commit, and give back tasks whose worker went quiet.

The tasks themselves live in the apps (`<app>/tasks.py`) and are written with `django_tasks.task`, so moving to
Django 6 is an import change (`django.tasks`). A task carries ids only; its state is in the database, so a queue
that loses a job (Redis restarted) loses nothing that the next schedule does not queue again.
"""

import datetime as dt
import logging
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


def tasks_requeue_abandoned(*, now: dt.datetime) -> int:
    """Queue again the tasks of the database queue claimed longer ago than the claim time (their worker was
    killed or partitioned). Every task is idempotent (a lease or a status claim), so running one again after a
    slow worker finishes does its work once."""
    if backend_name() != "database":
        return 0  # RQ has its own registry of started jobs; the schedule queues the periodic work again anyway
    from django_tasks_db.models import DBTaskResult

    stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=now - claim_timeout())
    requeued = stale.update(status=TaskResultStatus.READY, started_at=None)
    if requeued:
        log.warning("%s task(s) claimed before %s by a worker gone quiet were queued again", requeued,
                    (now - claim_timeout()).isoformat())
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
