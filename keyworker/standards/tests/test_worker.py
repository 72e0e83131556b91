"""`keyworker worker`: recompute, notify, send; safe alongside another worker and after a crash."""

import datetime as dt
import io
import os
import signal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from keyworker.notifications.models import Delivery, Notification
from keyworker.notifications.services import lease_claim
from keyworker.standards import tasks as cycle
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
                         grace_school_days=20)  # Autumn 1 stays open until 20 November


def run(*args):
    out = io.StringIO()
    call_command("worker", *args, stdout=out)
    return out.getvalue()


def test_one_cycle_recomputes_notifies_and_sends(world, standard):
    # On Mon 26 October the checks are overdue: each key worker's daily digest says so.
    assert "e-mails sent 2" in run("--once", "--as-of", "2026-10-26")
    out = run("--once")
    # Today is Wed 18 November 2026 in the setting's time zone.
    assert set(Obligation.objects.filter(family=world.family_a).values_list("due_on", "state")) == {
        (dt.date(2026, 10, 23), "escalated"), (dt.date(2026, 12, 18), "upcoming"),
    }
    assert "escalations 3" in out and "e-mails sent 1" in out and "Worker" in out and "stopped." in out
    # The headteacher's digest summarises the three families' escalations (the key workers' wait for tomorrow's).
    assert [m.to[0] for m in mail.outbox].count(world.headteacher.user.email) == 1 and len(mail.outbox) == 3
    assert "3 families overdue by more than 10 days" in mail.outbox[-1].body
    run("--once")
    assert len(mail.outbox) == 3  # nothing twice


def test_as_of_examines_another_day(world, standard):
    run("--once", "--as-of", "2026-10-26")
    assert Obligation.objects.get(family=world.family_a, due_on=dt.date(2026, 10, 23)).state == "overdue"
    assert not Notification.objects.filter(kind="obligation_escalated").exists()


def test_bad_arguments_are_clear_errors(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--once", "--as-of", "18/11/2026")
    with pytest.raises(CommandError, match="positive"):
        run("--once", "--interval", "0")


def test_an_organisation_held_by_another_worker_is_left_to_it(world, standard, clock):
    assert lease_claim(name=f"organisation:{world.org.pk}:recompute", holder="other", now=dt.datetime.now(dt.UTC),
                       ttl=dt.timedelta(minutes=10))
    out = run("--once")
    assert "held elsewhere 1" in out and not Obligation.objects.exists()
    clock.shift(dt.timedelta(minutes=11))  # the other worker died: its lease expires
    run("--once")
    assert Obligation.objects.filter(organisation=world.org).exists()


def test_a_crash_mid_run_loses_nothing_and_repeats_nothing(world, standard, monkeypatch):
    real = cycle.escalations_notify

    def crash(**kw):
        raise RuntimeError("power cut")

    run("--once", "--as-of", "2026-10-26")
    assert len(mail.outbox) == 2  # the key workers' digests of overdue checks
    monkeypatch.setattr(cycle, "escalations_notify", crash)
    with pytest.raises(CommandError, match=r"organisation\(s\) failed"):
        run("--once")
    assert not Notification.objects.filter(kind__in=["obligation_escalated", "escalations_summary"]).exists()
    monkeypatch.setattr(cycle, "escalations_notify", real)
    run("--once")
    run("--once")
    assert len(mail.outbox) == 3 and Delivery.objects.filter(status="sent").count() == 3


def test_a_crash_while_sending_is_taken_back_later(world, standard, clock):
    run("--once")
    assert len(mail.outbox) == 0  # escalated when first computed: the backlog is not news
    Notification.objects.create(organisation_id=world.org.pk, recipient=world.deputy.user, kind="test", subject="Mid-send",
                                dedupe_key="x", created_at=dt.datetime.now(dt.UTC))
    d = Delivery.objects.create(notification=Notification.objects.get(dedupe_key="x"), next_attempt_at=dt.datetime.now(dt.UTC),
                                created_at=dt.datetime.now(dt.UTC), status="sending", claimed_by="crashed",
                                claimed_at=dt.datetime.now(dt.UTC))
    run("--once")
    assert len(mail.outbox) == 0
    clock.shift(dt.timedelta(minutes=11))
    assert "taken back 1" in run("--once")
    assert len(mail.outbox) == 1 and mail.outbox[-1].subject == "Mid-send"
    d.refresh_from_db()
    assert d.status == "failed"


def test_sigterm_stops_the_loop_cleanly(world, standard, monkeypatch, settings):
    settings.KEYWORKER_TASKS_BACKEND = "database"
    ran = []

    class TaskWorker:
        running = True

        def run(self):
            ran.append(1)
            os.kill(os.getpid(), signal.SIGTERM)  # arrives while a task runs: the worker ends after it
            assert self.running is False

    monkeypatch.setattr(worker.Command, "_database_worker", lambda self, worker_id, batch: TaskWorker())
    before = signal.getsignal(signal.SIGTERM)
    out = run("--interval", "3600", "--no-schedule")
    assert ran == [1] and "stopping after this task" in out and out.rstrip().endswith("stopped.")
    assert signal.getsignal(signal.SIGTERM) == before
