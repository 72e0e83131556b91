"""Work other apps hand to the worker's cycle: for each organisation, after the recompute, with its date.

A task must be idempotent (the worker runs every 30 seconds, and several workers may run): it sends each
notification once (notification_send's dedupe key) and returns how many it wrote.
"""

import datetime as dt
from collections.abc import Callable

Task = Callable[..., int]  # (*, organisation_id: int, as_of: date, now: datetime) -> notifications written

_TASKS: dict[str, Task] = {}


def register_periodic(name: str, task: Task) -> None:
    _TASKS[name] = task


def periodic_tasks() -> dict[str, Task]:
    return dict(_TASKS)


def run_periodic(*, organisation_id: int, as_of: dt.date, now: dt.datetime) -> int:
    return sum(task(organisation_id=organisation_id, as_of=as_of, now=now) for _, task in sorted(_TASKS.items()))
