"""Sending through a real local SMTP server that goes down, hangs and refuses: every e-mail arrives exactly once,
permanent refusals stop at once, a hung server costs a worker one timeout, and two workers never send one twice."""

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from keyworker.notifications import services
from keyworker.notifications.models import Delivery, Notification
from keyworker.notifications.services import (
    SEND_STEPS,
    claim_lease,
    deliveries_run,
    message_id,
    notification_send,
)
from keyworker.notifications.tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db
T = dt.timedelta
NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def smtp(settings):
    server = SmtpServer()
    server.up()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "", ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 1  # seconds: a hung server is given up on after this
    yield server
    server.down()


def send(world, key="k1", staff=None, **kw):
    fields = {"recipient": (staff or world.ta_a).user, "organisation_id": world.org.pk, "kind": "test",
              "subject": f"Something happened {key}", "body": f"Details {key}", "link": "/families/1/",
              "dedupe_key": key, "now": NOW}
    fields.update(kw)
    return notification_send(**fields)[0]


def statuses() -> list[str]:
    return list(Delivery.objects.order_by("id").values_list("status", flat=True))


def test_every_smtp_setting_comes_from_the_environment():
    env = {**os.environ, "KEYWORKER_EMAIL_HOST": "smtp.example.org", "KEYWORKER_EMAIL_PORT": "587",
           "KEYWORKER_EMAIL_HOST_USER": "keyworker", "KEYWORKER_EMAIL_HOST_PASSWORD": "s3cret",
           "KEYWORKER_EMAIL_USE_TLS": "true", "KEYWORKER_EMAIL_TIMEOUT": "7.5",
           "KEYWORKER_DEFAULT_FROM_EMAIL": "School <office@example.org>", "KEYWORKER_SERVER_EMAIL": "ops@example.org"}
    code = ("import config.settings as s; print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, "
            "s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_TIMEOUT, s.SERVER_EMAIL, '|', s.DEFAULT_FROM_EMAIL)")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "smtp.example.org 587 keyworker s3cret True False 7.5 ops@example.org | School <office@example.org>"
    # Without any: a timeout all the same, so a hung server never holds a worker for ever.
    bare = {k: v for k, v in os.environ.items() if not k.startswith("KEYWORKER_EMAIL")}
    out = subprocess.run([sys.executable, "-c", "import config.settings as s; print(s.EMAIL_TIMEOUT)"], env=bare,
                         cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "20.0"


def test_an_email_arrives_once_with_a_stable_message_id(world, smtp):
    notification = send(world)
    result = deliveries_run(now=NOW, worker_id="w1")
    assert result.sent == 1 and statuses() == ["sent"]
    [got] = smtp.received
    assert got.to == world.ta_a.user.email and got.subject == "Something happened k1" and "/families/1/" in got.body
    assert got.message_id == message_id(notification) == f"<notification.{notification.pk}.20261118103000@127.0.0.1>"
    deliveries_run(now=NOW + T(hours=1), worker_id="w2")
    assert len(smtp.received) == 1


def test_a_name_with_a_newline_is_sent_on_one_line_not_failed_for_ever(world, smtp):
    # The API accepts a family name with a newline; it reaches subjects ("Contact due: the Smith\nBcc: … family").
    send(world, subject="Contact due: the Smith\r\nBcc: someone@example.org\u2028family")
    result = deliveries_run(now=NOW, worker_id="w1")
    assert (result.sent, result.retried) == (1, 0) and statuses() == ["sent"]
    [got] = smtp.received
    assert got.subject == "Contact due: the Smith Bcc: someone@example.org family"
    assert got.to == world.ta_a.user.email  # no second recipient slipped in


def test_a_5xx_refusal_is_permanent_and_shown_not_retried(world, smtp):
    smtp.refuse("550 5.1.1 No such mailbox here")
    send(world)
    result = deliveries_run(now=NOW, worker_id="w1")
    assert (result.sent, result.retried, result.failed) == (0, 0, 1)
    d = Delivery.objects.get()
    assert d.status == "undeliverable" and "550" in d.last_error and "No such mailbox" in d.last_error
    smtp.up()
    deliveries_run(now=NOW + T(days=4), worker_id="w1")
    assert smtp.received == [] and statuses() == ["undeliverable"]


@pytest.mark.parametrize("reply", ["451 4.3.0 Try again later", "452 4.2.2 Mailbox full"])
def test_a_4xx_refusal_is_retried_and_then_arrives_once(world, smtp, reply):
    smtp.refuse(reply)
    send(world)
    assert deliveries_run(now=NOW, worker_id="w1").retried == 1
    smtp.up()
    assert deliveries_run(now=NOW + T(seconds=59), worker_id="w1").sent == 0  # waits its minute
    assert deliveries_run(now=NOW + T(minutes=1), worker_id="w1").sent == 1
    assert statuses() == ["failed", "sent"] and len(smtp.received) == 1


def test_one_refused_recipient_does_not_hold_up_the_others(world, smtp):
    smtp.handler.refuse_addresses[world.teacher_a.user.email] = "550 5.1.1 Gone"
    send(world, key="a", staff=world.teacher_a)
    send(world, key="b", staff=world.ta_a)
    result = deliveries_run(now=NOW, worker_id="w1")
    assert (result.sent, result.failed) == (1, 1)
    assert [r.to for r in smtp.received] == [world.ta_a.user.email]


def test_an_invalid_address_is_permanent(world, smtp):
    type(world.ta_a.user).objects.filter(pk=world.ta_a.user.pk).update(email="not an address")
    send(world)
    result = deliveries_run(now=NOW, worker_id="w1")
    assert result.failed == 1 and statuses() == ["undeliverable"]
    assert "valid" in Delivery.objects.get().last_error


def test_a_server_that_is_down_leaves_every_email_waiting_then_each_arrives_once(world, smtp):
    for i in range(3):
        send(world, key=f"k{i}")
    smtp.down()
    result = deliveries_run(now=NOW, worker_id="w1")
    assert (result.sent, result.retried) == (0, 3) and "Connection refused" in result.stopped
    smtp.up()
    assert deliveries_run(now=NOW + T(minutes=1), worker_id="w2").sent == 3
    assert sorted(r.subject for r in smtp.received) == [f"Something happened k{i}" for i in range(3)]


def test_a_hung_server_holds_a_worker_for_one_timeout_not_one_per_email(world, smtp):
    for i in range(5):
        send(world, key=f"k{i}")
    smtp.hang(3)
    started = time.monotonic()
    result = deliveries_run(now=NOW, worker_id="w1")
    elapsed = time.monotonic() - started
    assert elapsed < 2.5, f"a hung server held the worker for {elapsed:.1f} s"
    assert result.retried == 1 and "timed out" in result.stopped
    assert statuses().count("pending") == 5 and statuses().count("failed") == 1  # 4 untouched, 1 to retry
    smtp.up()
    deliveries_run(now=NOW + T(minutes=1), worker_id="w1")
    assert sorted(r.subject for r in smtp.received) == [f"Something happened k{i}" for i in range(5)]
    assert Delivery.objects.filter(status="sent").count() == 5


def test_a_claim_lasts_longer_than_any_send_and_is_stamped_when_it_is_really_taken(world, smtp, settings):
    assert claim_lease() >= T(seconds=settings.EMAIL_TIMEOUT * SEND_STEPS)
    settings.EMAIL_TIMEOUT = 20
    assert claim_lease() > T(seconds=20 * SEND_STEPS)
    settings.EMAIL_TIMEOUT = 1
    smtp.handler.slow_seconds = 0.4  # a slow server: the third message is claimed about 0.8 s into the run
    for i in range(3):
        send(world, key=f"k{i}")
    assert deliveries_run(now=NOW, worker_id="w1").sent == 3
    claims = list(Delivery.objects.order_by("id").values_list("claimed_at", flat=True))
    assert claims[0] < NOW + T(seconds=0.4) and claims[2] >= NOW + T(seconds=0.8)


def test_a_claim_is_not_taken_back_while_its_worker_could_still_be_sending(world, smtp):
    send(world)
    Delivery.objects.update(status="sending", claimed_by="w1", claimed_at=NOW)
    assert deliveries_run(now=NOW + claim_lease() - T(seconds=1), worker_id="w2").taken_back == 0
    assert smtp.received == []
    result = deliveries_run(now=NOW + claim_lease() + T(seconds=1), worker_id="w2")
    assert (result.taken_back, result.sent) == (1, 1) and len(smtp.received) == 1


def test_two_workers_take_turns_through_down_hung_and_refusing_and_every_email_arrives_once(world, smtp):
    keys = [f"k{i}" for i in range(24)]
    for key in keys:
        send(world, key=key)
    modes = [smtp.up, smtp.down, lambda: smtp.hang(1.5), lambda: smtp.refuse("451 4.3.0 Busy"), smtp.up]
    now = NOW
    for step in range(40):
        modes[min(step // 3, len(modes) - 1)]()
        for worker in ("w1", "w2"):
            deliveries_run(now=now, worker_id=worker, limit=4)
        now += T(minutes=7)
    subjects = sorted(r.subject for r in smtp.received)
    assert subjects == sorted(f"Something happened {k}" for k in keys)
    assert len({r.message_id for r in smtp.received}) == 24
    assert Delivery.objects.filter(status="sent").count() == 24 and not Delivery.objects.exclude(
        status__in=["sent", "failed"]).exists()


@pytest.mark.django_db(transaction=True)
def test_two_worker_threads_at_once_through_an_outage_send_every_email_exactly_once(world, smtp, monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite test databases live in memory and are not shared between threads")
    # Time runs at its real pace (a faster one would make claims look stale); the retry schedule is compressed.
    monkeypatch.setattr(services, "RETRY_DELAYS", (T(seconds=0.5), T(seconds=1), T(seconds=2)))
    monkeypatch.setattr(services, "RETRY_EVERY", T(seconds=2))
    for i in range(60):
        send(world, key=f"k{i}")
    started = time.monotonic()
    stop = threading.Event()
    errors = []

    def work(worker_id):
        try:
            while not stop.is_set():
                deliveries_run(now=NOW + T(seconds=time.monotonic() - started), worker_id=worker_id, limit=10)
                stop.wait(0.01)  # the worker's loop interval, shortened
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
        while Delivery.objects.filter(status__in=["pending", "sending"]).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors
    received = sorted(r.subject for r in smtp.received)
    expected = sorted(f"Something happened k{i}" for i in range(60))
    assert not [s for s in set(received) if received.count(s) > 1], "duplicates"
    assert received == expected, f"missing: {sorted(set(expected) - set(received))}"
    assert Notification.objects.count() == 60 and Delivery.objects.filter(status="sent").count() == 60
