"""`keyworker worker`: the background loop – recompute obligations, notify escalations, send e-mails and digests."""

import datetime as dt
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection

from keyworker.core import clock
from keyworker.core.periodic import run_periodic
from keyworker.core.processes import lower_priority
from keyworker.notifications.services import deliveries_run, digests_run, lease_claim, lease_release
from keyworker.organisations.models import Organisation, Setting
from keyworker.standards import engine
from keyworker.standards.escalation import escalations_notify
from keyworker.standards.reminders import policy_review_reminders
from keyworker.standards.services import (
    changes_apply,
    changes_pending,
    organisations_with_pending_changes,
    policy_versions_switch,
)

log = logging.getLogger("keyworker.worker")

# Longer than a recompute of a large organisation takes; a crashed worker's lease frees itself after this.
LEASE_TTL = dt.timedelta(minutes=10)


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


def organisation_today(organisation_id: int) -> dt.date:
    """Today in the time zone of the organisation's first setting."""
    tz = Setting.objects.filter(organisation_id=organisation_id).order_by("id").values_list("time_zone", flat=True).first()
    return clock.today(tz or "Europe/London")


# A recompute that has run this long reports its progress (families done) on the worker's output.
PROGRESS_AFTER_SECONDS = 2.0

# Progress of an organisation's recompute: (organisation id, families done, families in all, seconds so far).
CycleProgress = Callable[[int, int, int, float], None]


def run_cycle(*, worker_id: str, as_of: dt.date | None = None, batch: int = 200,
              progress: CycleProgress | None = None) -> CycleResult:
    """One pass over every organisation, then the e-mails. Safe to run in several workers at once."""
    result = CycleResult()
    # Organisations with a change to their policies waiting go first: the leader who made it sees it applied soonest.
    waiting = organisations_with_pending_changes()
    ids = list(Organisation.objects.order_by("id").values_list("id", flat=True))
    for org_id in sorted(ids, key=lambda pk: (pk not in waiting, pk)):
        name = f"organisation:{org_id}:recompute"
        if not lease_claim(name=name, holder=worker_id, now=clock.now(), ttl=LEASE_TTL):
            result.skipped += 1
            continue
        try:
            day = as_of or organisation_today(org_id)
            policy_versions_switch(organisation_id=org_id, as_of=day)
            pending = changes_pending(organisation_id=org_id)
            started = time.monotonic()

            def report(done: int, total: int, org_id: int = org_id, started: float = started) -> None:
                if progress is not None:
                    progress(org_id, done, total, time.monotonic() - started)

            run = engine.recompute(organisation_id=org_id, as_of=day, progress=report)
            applied = changes_apply(organisation_id=org_id, pending=pending, now=clock.now())
            told = escalations_notify(organisation_id=org_id, now=clock.now(), as_of=day)
            reminded = policy_review_reminders(organisation_id=org_id, today=day, now=clock.now())
            reminded += run_periodic(organisation_id=org_id, as_of=day, now=clock.now())
        except Exception:
            # One organisation's bad data must not stop the others' reminders.
            log.exception("Worker %s: organisation %s failed", worker_id, org_id)
            result.errors += 1
            continue
        finally:
            lease_release(name=name, holder=worker_id, now=clock.now())
        result.organisations += 1
        result.created += run.created
        result.updated += run.updated
        result.removed += run.removed
        result.escalations += told.escalations
        result.notifications += told.notifications + reminded + applied
    result.digests = digests_run(now=clock.now())
    sent = deliveries_run(now=clock.now(), worker_id=worker_id, limit=batch)
    result.sent, result.retried, result.failed, result.taken_back = sent.sent, sent.retried, sent.failed, sent.taken_back
    result.mail_server = sent.stopped
    return result


class Command(BaseCommand):
    help = (
        "Run the background loop: for every organisation recompute obligations as of today, notify escalations, "
        "then send due e-mails (with retries) and daily digests. Several workers may run at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run one cycle and stop")
        parser.add_argument("--interval", type=float, default=30, help="seconds between cycles (default 30)")
        parser.add_argument("--as-of", dest="as_of", help="compute obligations as of this date (YYYY-MM-DD) instead of today")

    def handle(self, *args: Any, once: bool, interval: float, as_of: str | None, **options: Any) -> None:
        day = None
        if as_of:
            try:
                day = dt.date.fromisoformat(as_of)
            except ValueError as exc:
                raise CommandError(f"--as-of must be a date written YYYY-MM-DD, not “{as_of}”.") from exc
        if interval <= 0:
            raise CommandError("--interval must be a positive number of seconds.")
        worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        # The running worker gives way to the web; a single cycle (--once, as tests and cron use it) leaves its caller be.
        niceness = 0 if once else lower_priority(settings.WORKER_NICENESS)
        if niceness:
            self.stdout.write(f"Worker {worker_id}: running at niceness {niceness}, below the web's pages.")
        stop = threading.Event()

        def request_stop(signum: int, frame: Any) -> None:
            self.stdout.write(f"Worker {worker_id}: stopping after this cycle.")
            stop.set()

        previous = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                previous[sig] = signal.signal(sig, request_stop)
        try:
            self._loop(worker_id, day, once, interval, stop)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(f"Worker {worker_id} stopped.")

    def _progress(self, organisation_id: int, done: int, total: int, seconds: float) -> None:
        """A long recompute says how far it has got, after each part of the families."""
        if total and seconds >= PROGRESS_AFTER_SECONDS:
            self.stdout.write(f"{clock.now():%Y-%m-%d %H:%M:%S} UTC organisation {organisation_id}: obligations worked out "
                              f"for {done:,} of {total:,} families ({seconds:.1f} s)")

    def _loop(self, worker_id: str, day: dt.date | None, once: bool, interval: float, stop: threading.Event) -> None:
        self.stdout.write(f"Worker {worker_id} started" + (f", as of {day.isoformat()}" if day else ""))
        while not stop.is_set():
            if not connection.in_atomic_block:  # inside a test's transaction the connection must stay
                close_old_connections()
            try:
                result = run_cycle(worker_id=worker_id, as_of=day, progress=self._progress)
            except Exception as exc:
                # The database may be briefly away; the next cycle tries again.
                log.exception("Worker %s: cycle failed", worker_id)
                self.stderr.write(f"{clock.now():%Y-%m-%d %H:%M:%S} UTC cycle failed: {exc}")
                if once:
                    raise CommandError(f"The cycle failed: {exc}") from exc
            else:
                self.stdout.write(f"{clock.now():%Y-%m-%d %H:%M:%S} UTC {result.line()}")
                if once and result.errors:
                    raise CommandError(f"{result.errors} organisation(s) failed; see the log.")
            if once:
                break
            stop.wait(interval)
