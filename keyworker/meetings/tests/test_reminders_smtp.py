"""Every reminder e-mailed exactly once, when two workers run at once and the mail server fails in the middle:
a real local SMTP server (aiosmtpd) receives them."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from keyworker.meetings import reminders
from keyworker.meetings.models import AppointmentReminder, ReminderState
from keyworker.notifications import services
from keyworker.notifications.models import Delivery, Notification
from keyworker.notifications.services import deliveries_run
from keyworker.notifications.tests.smtp import SmtpServer
from keyworker.testing import carer_account, make_family

from .reminder_world import NOW, TODAY, appointment, emailing

T = dt.timedelta


@pytest.fixture
def smtp(settings):
    server = SmtpServer()
    server.up()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "", ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 1
    yield server
    server.down()


def families_with_appointments(world, n: int) -> list[str]:
    """n families, each with one e-mail-preferring carer (every third without a portal account) and a review."""
    addresses = []
    for i in range(n):
        family = make_family(world.org, f"The F{i} family")
        carer = emailing(family, f"carer{i}@example.org")
        if i % 3:
            carer_account(carer)
        appointment(world, family=family, carers=[carer], starts_in=T(days=1 + i % 3, minutes=i))
        addresses.append(carer.email)
    return addresses


def assert_each_once(smtp, addresses):
    received = sorted(r.to for r in smtp.received)
    assert not [a for a in set(received) if received.count(a) > 1], "duplicates"
    assert received == sorted(addresses), f"missing: {sorted(set(addresses) - set(received))}"
    assert all(r.subject.startswith("Reminder: your appointment with Test Primary") for r in smtp.received)
    assert AppointmentReminder.objects.filter(state=ReminderState.SENT).count() == len(addresses)
    assert Notification.objects.count() == len(addresses)


@pytest.mark.django_db
def test_a_run_that_loses_the_race_tells_nobody_and_the_outage_loses_nothing(world, smtp, monkeypatch):
    addresses = families_with_appointments(world, 18)
    # Run A reads who is due; run B, started meanwhile, writes them all first; A then finds every row taken.
    real = reminders._key_workers
    seen, started = [], []

    def meanwhile(*args, **kwargs):
        if not started:
            started.append(True)
            seen.append(reminders.reminders_send(organisation_id=world.org.pk, as_of=TODAY, now=NOW))
        return real(*args, **kwargs)

    monkeypatch.setattr(reminders, "_key_workers", meanwhile)
    a = reminders.reminders_send(organisation_id=world.org.pk, as_of=TODAY, now=NOW)
    assert (seen[0].sent, a.sent) == (18, 0)
    # The mail server fails in the middle of sending: up, down, hung, refusing for a while, up again.
    modes = [smtp.up, smtp.down, lambda: smtp.hang(1.5), lambda: smtp.refuse("451 4.3.0 Busy"), smtp.up]
    now = NOW
    for step in range(30):
        modes[min(step // 2, len(modes) - 1)]()
        for worker in ("w1", "w2"):
            deliveries_run(now=now, worker_id=worker, limit=3)
            reminders.reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=now)
        now += T(minutes=7)
    assert_each_once(smtp, addresses)


@pytest.mark.django_db(transaction=True)
def test_two_worker_threads_at_once_through_an_outage_remind_every_carer_exactly_once(world, smtp, monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite test databases live in memory and are not shared between threads")
    monkeypatch.setattr(services, "RETRY_DELAYS", (T(seconds=0.5), T(seconds=1), T(seconds=2)))
    monkeypatch.setattr(services, "RETRY_EVERY", T(seconds=2))
    addresses = families_with_appointments(world, 40)
    started = time.monotonic()
    stop = threading.Event()
    go = threading.Barrier(2)
    errors = []

    def work(worker_id):
        try:
            go.wait()
            while not stop.is_set():
                at = NOW + T(seconds=time.monotonic() - started)
                reminders.reminders_run(organisation_id=world.org.pk, as_of=TODAY, now=at)
                deliveries_run(now=at, worker_id=worker_id, limit=5)
                stop.wait(0.01)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    try:
        for mode in (lambda: None, smtp.down, lambda: smtp.hang(1.5), smtp.up):
            mode()
            time.sleep(0.5)
        deadline = time.monotonic() + 90
        while (Delivery.objects.filter(status__in=["pending", "sending"]).exists() or not Delivery.objects.exists()) \
                and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors
    assert_each_once(smtp, addresses)
