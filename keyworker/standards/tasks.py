"""The periodic work as tasks: one `organisation_cycle` per organisation, and the schedule that queues them.

Each organisation's run happens under its lease, so running the task twice (queued twice, or queued again after
its worker went quiet) does the work once; the schedule queues one per organisation only while none is queued or
running, so several workers share a large installation and a slow organisation never holds up the others.
"""

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.db.models import Q
from django_tasks import task

from keyworker.core import clock
from keyworker.core.logs import cycle_context
from keyworker.core.periodic import run_periodic
from keyworker.core.tasks import claim_timeout, tasks_requeue_abandoned
from keyworker.notifications.models import Delivery, DeliveryStatus
from keyworker.notifications.services import lease_claim, lease_release
from keyworker.notifications.tasks import deliveries_send, digests_send
from keyworker.organisations.models import Organisation, Setting

from . import engine
from .escalation import escalations_notify
from .reminders import policy_review_reminders
from .services import (
    changes_apply,
    changes_pending,
    organisations_with_pending_changes,
    policy_versions_switch,
)

log = logging.getLogger("keyworker.worker")

# Longer than a recompute of a large organisation takes; a crashed worker's lease frees itself after this.
LEASE_TTL = dt.timedelta(minutes=10)

# Progress of an organisation's recompute: (organisation id, families done, families in all, seconds so far).
CycleProgress = Callable[[int, int, int, float], None]


@dataclass
class OrganisationCycle:
    created: int = 0
    updated: int = 0
    removed: int = 0
    escalations: int = 0
    notifications: int = 0


def organisation_today(organisation_id: int) -> dt.date:
    """Today in the time zone of the organisation's first setting."""
    tz = Setting.objects.filter(organisation_id=organisation_id).order_by("id").values_list("time_zone", flat=True).first()
    return clock.today(tz or "Europe/London")


def _lease_name(organisation_id: int) -> str:
    return f"organisation:{organisation_id}:recompute"


def organisation_cycle_run(*, organisation_id: int, worker_id: str, as_of: dt.date | None = None,
                           progress: CycleProgress | None = None) -> OrganisationCycle | None:
    """Recompute, switch policy versions, apply changes, notify escalations and run the periodic work of one
    organisation, under its lease. None when another worker holds the lease (it is doing this work now)."""
    with cycle_context() as cycle_id:  # every line of this organisation's run carries the cycle's id
        try:
            return _organisation_cycle(organisation_id=organisation_id, worker_id=worker_id, as_of=as_of,
                                       progress=progress, cycle_id=cycle_id)
        except Exception:
            log.exception("Organisation %s: cycle %s failed", organisation_id, cycle_id,
                          extra={"organisation_id": organisation_id})
            raise


def _organisation_cycle(*, organisation_id: int, worker_id: str, as_of: dt.date | None, progress: CycleProgress | None,
                        cycle_id: str) -> OrganisationCycle | None:
    name = _lease_name(organisation_id)
    if not lease_claim(name=name, holder=worker_id, now=clock.now(), ttl=LEASE_TTL):
        return None
    log.info("Organisation %s: cycle %s started by worker %s", organisation_id, cycle_id, worker_id,
             extra={"organisation_id": organisation_id})
    try:
        day = as_of or organisation_today(organisation_id)
        policy_versions_switch(organisation_id=organisation_id, as_of=day)
        pending = changes_pending(organisation_id=organisation_id)
        started = time.monotonic()

        def report(done: int, total: int) -> None:
            if progress is not None:
                progress(organisation_id, done, total, time.monotonic() - started)

        run = engine.recompute(organisation_id=organisation_id, as_of=day, progress=report)
        applied = changes_apply(organisation_id=organisation_id, pending=pending, now=clock.now())
        told = escalations_notify(organisation_id=organisation_id, now=clock.now(), as_of=day)
        reminded = policy_review_reminders(organisation_id=organisation_id, today=day, now=clock.now())
        reminded += run_periodic(organisation_id=organisation_id, as_of=day, now=clock.now())
    finally:
        lease_release(name=name, holder=worker_id, now=clock.now())
    log.info("Organisation %s: cycle %s done (obligations +%s ~%s -%s)", organisation_id, cycle_id, run.created,
             run.updated, run.removed, extra={"organisation_id": organisation_id})
    return OrganisationCycle(created=run.created, updated=run.updated, removed=run.removed,
                             escalations=told.escalations, notifications=told.notifications + reminded + applied)


def _queued_lease(organisation_id: int) -> str:
    return f"organisation:{organisation_id}:queued"




@task()
def organisation_cycle(organisation_id: int, as_of: str | None = None, ticket: str = "") -> dict[str, int] | None:
    """One organisation's periodic work (see `organisation_cycle_run`); `ticket` is the schedule's mark that
    this organisation has a run queued, freed when the run ends so that the next schedule may queue another."""
    worker_id = f"task:{ticket or uuid.uuid4().hex}"
    try:
        done = organisation_cycle_run(organisation_id=organisation_id, worker_id=worker_id,
                                      as_of=dt.date.fromisoformat(as_of) if as_of else None)
    finally:
        if ticket:
            lease_release(name=_queued_lease(organisation_id), holder=ticket, now=clock.now())
    if done is None:
        log.info("Organisation %s: its run is held by another worker", organisation_id)
        return None
    return asdict(done)


@dataclass
class Schedule:
    queued: int = 0  # organisations' runs queued
    already: int = 0  # organisations with a run still queued or running
    requeued: int = 0  # tasks given back from a worker gone quiet
    deliveries: bool = False
    digests: bool = False


def schedule_enqueue(*, as_of: dt.date | None = None) -> Schedule:
    """Queue one run per organisation (none where one is still queued or running), the digests and the e-mails.

    Several schedulers may run at once: each organisation's mark is a lease taken by compare-and-set, so only one
    of them queues its run; a mark outlives a killed worker only for the claim time.
    """
    now = clock.now()
    result = Schedule(requeued=tasks_requeue_abandoned(now=now))
    waiting = organisations_with_pending_changes()
    ids = list(Organisation.objects.order_by("id").values_list("id", flat=True))
    # Organisations with a change to their policies waiting go first: the leader who made it sees it applied soonest.
    for org_id in sorted(ids, key=lambda pk: (pk not in waiting, pk)):
        ticket = uuid.uuid4().hex
        if not lease_claim(name=_queued_lease(org_id), holder=ticket, now=now, ttl=claim_timeout()):
            result.already += 1
            continue
        organisation_cycle.enqueue(organisation_id=org_id, as_of=as_of.isoformat() if as_of else None, ticket=ticket)
        result.queued += 1
    ticket = uuid.uuid4().hex
    if lease_claim(name="digests:queued", holder=ticket, now=now, ttl=dt.timedelta(minutes=5)):
        digests_send.enqueue()
        result.digests = True
    due = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(status=DeliveryStatus.SENDING)
    if Delivery.objects.filter(due).exists():
        # Each run claims its e-mails one by one; two runs at once share them, never send one twice.
        deliveries_send.enqueue()
        result.deliveries = True
    return result
