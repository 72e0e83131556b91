"""`keyworker worker`: the background loop – recompute obligations, notify escalations, send e-mails and digests."""

import datetime as dt
import logging
import os
import signal
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections, connection

from keyworker.core import clock
from keyworker.core.logs import cycle_context
from keyworker.core.processes import limit_parallel_reads, lower_priority
from keyworker.core.tasks import backend_name
from keyworker.notifications.services import deliveries_run, digests_run
from keyworker.organisations.models import Organisation
from keyworker.standards.services import organisations_with_pending_changes
from keyworker.standards.tasks import (  # noqa: F401 - LEASE_TTL and organisation_today: where callers look
    LEASE_TTL,
    CycleProgress,
    organisation_cycle_run,
    organisation_today,
    schedule_enqueue,
)

log = logging.getLogger("keyworker.worker")

# After the database (or Redis) went away, the worker tries again this often, never faster.
RECONNECT_SECONDS = 2.0


@dataclass
class CycleResult:
    organisations: int = 0
    skipped: int = 0  # held by another worker
    errors: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    escalations: int = 0
    notifications: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    taken_back: int = 0
    digests: int = 0
    mail_server: str = ""  # why sending stopped early: the mail server is away or hung

    def line(self) -> str:
        return (
            f"organisations {self.organisations} (held elsewhere {self.skipped}, errors {self.errors}); "
            f"obligations +{self.created} ~{self.updated} -{self.removed}; escalations {self.escalations}, "
            f"notifications {self.notifications}; e-mails sent {self.sent}, retrying {self.retried}, failed {self.failed}, "
            f"taken back {self.taken_back}; digests {self.digests}"
            + (f"; mail server away: {self.mail_server}" if self.mail_server else "")
        )


# A recompute that has run this long reports its progress (families done) on the worker's output.
PROGRESS_AFTER_SECONDS = 2.0


def run_cycle(*, worker_id: str, as_of: dt.date | None = None, batch: int = 200,
              progress: CycleProgress | None = None) -> CycleResult:
    """One pass over every organisation, then the e-mails, in this process (`--once`, cron and tests).

    Safe to run in several workers at once, and beside the queued tasks: each organisation's run takes its lease.
    """
    result = CycleResult()
    # Organisations with a change to their policies waiting go first: the leader who made it sees it applied soonest.
    waiting = organisations_with_pending_changes()
    ids = list(Organisation.objects.order_by("id").values_list("id", flat=True))
    for org_id in sorted(ids, key=lambda pk: (pk not in waiting, pk)):
        # Each organisation's run has its own cycle id: its lines, and the failure below, can be followed in the log.
        with cycle_context(uuid.uuid4().hex):
            try:
                done = organisation_cycle_run(organisation_id=org_id, worker_id=worker_id, as_of=as_of, progress=progress)
            except Exception:
                # One organisation's bad data must not stop the others' reminders (its traceback is logged by the run).
                log.error("Worker %s: organisation %s failed", worker_id, org_id)
                result.errors += 1
                continue
        if done is None:
            result.skipped += 1
            continue
        result.organisations += 1
        result.created += done.created
        result.updated += done.updated
        result.removed += done.removed
        result.escalations += done.escalations
        result.notifications += done.notifications
    result.digests = digests_run(now=clock.now())
    sent = deliveries_run(now=clock.now(), worker_id=worker_id, limit=batch)
    result.sent, result.retried, result.failed, result.taken_back = sent.sent, sent.retried, sent.failed, sent.taken_back
    result.mail_server = sent.stopped
    return result


class Command(BaseCommand):
    help = (
        "Run the background work: the queued tasks (imports, e-mails, each organisation's recompute, escalations, "
        "reminders and digests) and the schedule that queues the periodic ones every interval. Several workers "
        "may run at once. --once runs one whole cycle in this process, then any queued tasks, and stops."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run one cycle and the queued tasks, then stop")
        parser.add_argument("--interval", type=float, default=30, help="seconds between schedules (default 30)")
        parser.add_argument("--as-of", dest="as_of", help="compute obligations as of this date (YYYY-MM-DD) instead of today")
        parser.add_argument("--no-schedule", action="store_true",
                            help="only run queued tasks; another worker (or cron) queues the periodic work")

    def handle(self, *args: Any, once: bool, interval: float, as_of: str | None, no_schedule: bool = False,
               **options: Any) -> None:
        day = None
        if as_of:
            try:
                day = dt.date.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError(f"--as-of must be a date written YYYY-MM-DD, not “{as_of}”.") from exc
        if interval <= 0:
            raise CommandError("--interval must be a positive number of seconds.")
        worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[-64:]
        # The running worker gives way to the web; a single cycle (--once, as tests and cron use it) leaves its caller be.
        niceness = 0 if once else lower_priority(settings.WORKER_NICENESS)
        if not once:
            limit_parallel_reads(settings.WORKER_PARALLEL_WORKERS)
        if niceness:
            self.stdout.write(f"Worker {worker_id}: running at niceness {niceness}, below the web's pages.")
        stop = threading.Event()
        self._task_worker: Any = None

        def request_stop(signum: int, frame: Any) -> None:
            self.stdout.write(f"Worker {worker_id}: stopping after this task.")
            stop.set()
            if self._task_worker is not None:
                self._task_worker.running = False

        previous = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                previous[sig] = signal.signal(sig, request_stop)
        try:
            if once:
                self._once(worker_id, day)
            else:
                self._run(worker_id, day, interval, stop, schedule=not no_schedule)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(f"Worker {worker_id} stopped.")

    def _progress(self, organisation_id: int, done: int, total: int, seconds: float) -> None:
        """A long recompute says how far it has got, after each part of the families."""
        if total and seconds >= PROGRESS_AFTER_SECONDS:
            self.stdout.write(f"{clock.now():%Y-%m-%d %H:%M:%S} UTC organisation {organisation_id}: obligations worked out "
                              f"for {done:,} of {total:,} families ({seconds:.1f} s)")

    def _once(self, worker_id: str, day: dt.date | None) -> None:
        """One whole cycle here and now, then whatever the database queue holds (imports waiting, for example)."""
        self.stdout.write(f"Worker {worker_id} started" + (f", as of {day.isoformat()}" if day else ""))
        if not connection.in_atomic_block:  # inside a test's transaction the connection must stay
            close_old_connections()
        try:
            result = run_cycle(worker_id=worker_id, as_of=day, progress=self._progress)
        except Exception as exc:
            log.exception("Worker %s: cycle failed", worker_id)
            self.stderr.write(f"{clock.now():%Y-%m-%d %H:%M:%S} UTC cycle failed: {exc}")
            raise CommandError(f"The cycle failed: {exc}") from exc
        self.stdout.write(f"{clock.now():%Y-%m-%d %H:%M:%S} UTC {result.line()}")
        if backend_name() == "database":
            self._database_worker(worker_id, batch=True).run()
        if result.errors:
            raise CommandError(f"{result.errors} organisation(s) failed; see the log.")

    def _database_worker(self, worker_id: str, *, batch: bool) -> Any:
        from django_tasks_db.management.commands.db_worker import Worker

        return Worker(queue_names=list(settings.TASK_QUEUES), interval=0 if batch else 1.0, batch=batch,
                      backend_name="default", startup_delay=not batch, max_tasks=None, worker_id=worker_id,
                      excluded_queue_names=[])

    def _schedule(self, day: dt.date | None, interval: float, stop: threading.Event) -> None:
        """Every interval: queue one run per organisation, the digests and the e-mails (see schedule_enqueue)."""
        while not stop.is_set():
            try:
                close_old_connections()
                queued = schedule_enqueue(as_of=day)
            except Exception as exc:  # noqa: BLE001 - the database or the queue may be briefly away: next time
                log.warning("Schedule: could not queue the periodic work: %s", exc)
                self.stderr.write(f"{clock.now():%Y-%m-%d %H:%M:%S} UTC schedule failed, trying again: {exc}")
                connection.close()
            else:
                self.stdout.write(
                    f"{clock.now():%Y-%m-%d %H:%M:%S} UTC queued {queued.queued} organisation(s)' runs "
                    f"({queued.already} still queued or running, {queued.requeued} given back)"
                    + ("; e-mails" if queued.deliveries else "") + ("; digests" if queued.digests else "")
                )
            stop.wait(interval)
        connection.close()

    def _run(self, worker_id: str, day: dt.date | None, interval: float, stop: threading.Event, *,
             schedule: bool) -> None:
        backend = backend_name()
        self.stdout.write(f"Worker {worker_id} started on the {backend} queue" + (f", as of {day.isoformat()}" if day else ""))
        if backend == "immediate":
            raise CommandError("KEYWORKER_TASKS_BACKEND=immediate runs tasks where they are queued: use --once, or "
                               "choose the database or rq queue for a running worker.")
        if schedule:
            threading.Thread(target=self._schedule, args=(day, interval, stop), name="schedule", daemon=True).start()
        if backend == "rq":
            self._run_rq(worker_id, stop)
            return
        while not stop.is_set():
            self._task_worker = self._database_worker(worker_id, batch=False)
            if stop.is_set():
                break
            try:
                self._task_worker.run()
            except DatabaseError as exc:
                # The database restarted or the connection was cut: a task it was running is given back once its
                # claim times out, and this worker carries on as soon as the database answers.
                log.warning("Worker %s: the database went away: %s", worker_id, exc)
                self.stderr.write(f"{clock.now():%Y-%m-%d %H:%M:%S} UTC database away, trying again: {exc}")
                connection.close()
                stop.wait(RECONNECT_SECONDS)

    def _run_rq(self, worker_id: str, stop: threading.Event) -> None:
        import django_rq
        from django_tasks_rq.backend import Job
        from redis.exceptions import ConnectionError as RedisConnectionError

        while not stop.is_set():
            try:
                rq_worker = django_rq.get_worker(*settings.TASK_QUEUES, job_class=Job, name=f"{worker_id}:{uuid.uuid4().hex[:4]}")
                self._task_worker = rq_worker
                rq_worker.work(with_scheduler=False)
                if rq_worker._stop_requested:
                    return  # RQ's worker stops on SIGTERM / SIGINT itself
                # It quit on an error of its own (Redis gone at a moment it does not retry): start another.
                self.stderr.write(f"{clock.now():%Y-%m-%d %H:%M:%S} UTC the RQ worker quit; starting another")
                stop.wait(RECONNECT_SECONDS)
            except RedisConnectionError as exc:
                # Redis restarted: jobs it had are queued again by the schedule (the work's state is in the database).
                log.warning("Worker %s: Redis went away: %s", worker_id, exc)
                self.stderr.write(f"{clock.now():%Y-%m-%d %H:%M:%S} UTC Redis away, trying again: {exc}")
                stop.wait(RECONNECT_SECONDS)
