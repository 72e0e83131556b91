"""The periodic work as tasks: the schedule queues one run per organisation, a task run twice works once."""

import datetime as dt

import pytest
from django.core import mail

from keyworker.core.tasks import tasks_requeue_abandoned
from keyworker.notifications.models import Delivery, Notification
from keyworker.standards import tasks
from keyworker.standards.management.commands import worker
from keyworker.standards.models import Cadence, Obligation
from keyworker.standards.tests.test_escalation import make_standard, register_fakes, unregister_fakes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fakes():
    register_fakes()
    yield
    unregister_fakes()


@pytest.fixture
def standard(world):
    return make_standard(world.org, clause="SCH-2", title="Half-termly data check", cadence=Cadence.HALF_TERMLY,
                         evidence="test_check", escalate_after_days=10, escalate_to_roles=["headteacher"],
                         grace_school_days=20)


@pytest.fixture
def database_queue(settings, monkeypatch):
    """The database queue, drained in this test's transaction (the worker's reconnect would end it)."""
    from django_tasks_db.management.commands import db_worker

    settings.KEYWORKER_TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def drain():
        worker.Command()._database_worker("test-worker", batch=True).run()

    return drain


def rows():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.order_by("enqueued_at")


def test_the_schedule_queues_each_organisation_once_until_its_run_ends(world, standard, database_queue):
    first = tasks.schedule_enqueue(as_of=dt.date(2026, 10, 26))
    assert first.queued == 2 and first.digests  # the world's two organisations
    again = tasks.schedule_enqueue(as_of=dt.date(2026, 10, 26))
    assert again.queued == 0 and again.already == 2  # still queued: not twice
    assert rows().filter(task_path="keyworker.standards.tasks.organisation_cycle").count() == 2
    database_queue()
    assert set(rows().values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert Obligation.objects.filter(organisation=world.org).exists()
    # The runs are over: the next schedule queues the organisations again, and the e-mails their runs wrote.
    after = tasks.schedule_enqueue(as_of=dt.date(2026, 10, 26))
    assert after.queued == 2 and after.deliveries
    database_queue()
    assert len(mail.outbox) == 2  # the key workers' digests of the overdue checks


def test_a_task_whose_worker_went_quiet_is_queued_again_and_runs_once(world, standard, database_queue, clock):
    tasks.organisation_cycle.enqueue(organisation_id=world.org.pk, as_of="2026-10-26")
    row = rows().get()
    row.claim("killed-worker")  # claimed, then the worker was killed
    assert tasks_requeue_abandoned(now=dt.datetime.now(dt.UTC)) == 0  # not yet: it may still be running
    clock.shift(dt.timedelta(minutes=16))
    assert tasks_requeue_abandoned(now=dt.datetime.now(dt.UTC)) == 1
    database_queue()
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL" and row.worker_ids == ["killed-worker", "test-worker"]


def test_an_organisation_run_twice_does_its_work_once(world, standard):
    first = tasks.organisation_cycle.enqueue(organisation_id=world.org.pk, as_of="2026-10-26")
    notifications, deliveries = Notification.objects.count(), Delivery.objects.count()
    second = tasks.organisation_cycle.enqueue(organisation_id=world.org.pk, as_of="2026-10-26")
    assert first.status == second.status == "SUCCESSFUL"
    assert second.return_value["created"] == 0 and second.return_value["notifications"] == 0
    assert (Notification.objects.count(), Delivery.objects.count()) == (notifications, deliveries)


def test_an_organisation_held_by_another_worker_is_left_to_it(world, standard, clock):
    from keyworker.core import clock as kw_clock
    from keyworker.notifications.services import lease_claim

    assert lease_claim(name=f"organisation:{world.org.pk}:recompute", holder="other", now=kw_clock.now(),
                       ttl=tasks.LEASE_TTL)
    assert tasks.organisation_cycle.enqueue(organisation_id=world.org.pk).return_value is None
    assert not Obligation.objects.filter(organisation=world.org).exists()


def test_each_organisations_cycle_logs_with_its_own_cycle_id(world, standard):
    """An operator follows one organisation's cycle through the JSON lines: its start, what its periodic work
    logs and its end carry one cycle id, another organisation's another."""
    import json
    import logging

    from keyworker.core import periodic
    from keyworker.core.tests.test_logs import _json_handler

    def noisy(*, organisation_id, as_of, now):
        logging.getLogger("keyworker.tests.periodic").warning("periodic work of %s", organisation_id)
        return 0

    handler, stream = _json_handler()
    root = logging.getLogger("keyworker")
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    periodic.register_periodic("tests.noisy", noisy)
    try:
        result = worker.run_cycle(worker_id="w1", as_of=dt.date(2026, 10, 26))
    finally:
        periodic._TASKS.pop("tests.noisy", None)
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert result.organisations == 2
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    by_org: dict[int, set] = {}
    for line in lines:
        for org_id in (world.org.pk, world.other_org.pk):
            if line["message"].startswith(f"Organisation {org_id}: cycle") or line["message"] == f"periodic work of {org_id}":
                by_org.setdefault(org_id, set()).add(line["cycle_id"])
    assert all(len(ids) == 1 and None not in ids for ids in by_org.values()) and len(by_org) == 2
    assert by_org[world.org.pk] != by_org[world.other_org.pk]
    cycle_lines = [line["message"] for line in lines if line["cycle_id"] in by_org[world.org.pk]]
    assert any(" started by worker w1" in m for m in cycle_lines) and any(" done (obligations" in m for m in cycle_lines)
    assert f"periodic work of {world.org.pk}" in cycle_lines
