"""Background tasks of notifications: send the due e-mails, and the daily digests. Both are safe to run twice."""

import os
import socket

from django_tasks import task

from keyworker.core import clock

from .services import deliveries_run, digests_run

# E-mails sent by one run of `deliveries_send`; the schedule queues another run while any are due.
DELIVERIES_BATCH = 200


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@task()
def deliveries_send(batch: int = DELIVERIES_BATCH) -> dict[str, int | str]:
    """Send due e-mails: each delivery is claimed with compare-and-set, so two runs never send one twice."""
    run = deliveries_run(now=clock.now(), worker_id=_worker_id(), limit=batch)
    return {"sent": run.sent, "retried": run.retried, "failed": run.failed, "taken_back": run.taken_back,
            "stopped": run.stopped}


@task()
def digests_send() -> int:
    """Write today's digests (a dedupe key per person and day: a second run writes none) and queue their sending."""
    return digests_run(now=clock.now())
