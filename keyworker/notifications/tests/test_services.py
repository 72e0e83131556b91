"""Notifications: written in the caller's transaction, sent once, retried with backoff, stale claims taken back."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from keyworker.notifications.models import Delivery, Lease, Notification
from keyworker.notifications.services import (
    GIVE_UP_AFTER,
    claim_lease,
    deliveries_run,
    lease_claim,
    lease_release,
    notification_send,
)
from keyworker.notifications.tests.backends import FlakyBackend

pytestmark = pytest.mark.django_db
T = dt.timedelta


def send(world, staff=None, key="k1", **kw):
    fields = {"recipient": (staff or world.ta_a).user, "organisation_id": world.org.pk, "kind": "test",
              "subject": "Something happened", "body": "Details", "link": "/families/1/", "dedupe_key": key}
    fields.update(kw)
    return notification_send(**fields)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "keyworker.notifications.tests.backends.FlakyBackend"
    FlakyBackend.failures_left, FlakyBackend.attempts = 0, 0
    return FlakyBackend


def test_rows_are_written_in_the_callers_transaction(world):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        send(world)
        assert Notification.objects.count() == 1 and Delivery.objects.count() == 1
        raise Boom
    assert not Notification.objects.exists() and not Delivery.objects.exists()


def test_the_same_dedupe_key_tells_a_person_once(world):
    first, created = send(world)
    again, created_again = send(world, subject="Another wording")
    assert created and not created_again and first.pk == again.pk
    assert Delivery.objects.count() == 1
    _, other = send(world, staff=world.teacher_a)  # same key, another person
    assert other


def test_links_stay_inside_the_site(world):
    with pytest.raises(ValueError, match="path inside the site"):
        send(world, link="https://example.com/")


def test_a_delivery_is_sent_once(world, clock):
    send(world)
    result = deliveries_run(now=dt.datetime.now(dt.UTC), worker_id="w1")
    assert result.sent == 1 and len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.ta_a.user.email] and mail.outbox[0].subject == "Something happened"
    assert "/families/1/" in mail.outbox[0].body
    deliveries_run(now=dt.datetime.now(dt.UTC) + T(hours=1), worker_id="w1")
    assert len(mail.outbox) == 1
    d = Delivery.objects.get()
    assert d.status == "sent" and d.claimed_by == "w1" and d.sent_at is not None


def test_digest_notifications_wait_for_the_digest(world):
    send(world, digest=True)
    assert not Delivery.objects.exists()
    assert deliveries_run(now=dt.datetime.now(dt.UTC), worker_id="w1").sent == 0


def test_retry_with_backoff_while_the_mail_server_is_down_then_sent_once(world, flaky):
    flaky.failures_left = 2
    send(world)
    now = dt.datetime.now(dt.UTC)
    assert deliveries_run(now=now, worker_id="w1").retried == 1
    assert len(mail.outbox) == 0
    # Not due again until the backoff has passed.
    assert deliveries_run(now=now + T(seconds=30), worker_id="w1").sent == 0 and flaky.attempts == 1
    assert deliveries_run(now=now + T(minutes=1), worker_id="w1").retried == 1
    assert deliveries_run(now=now + T(minutes=5), worker_id="w1").sent == 0
    assert deliveries_run(now=now + T(minutes=6), worker_id="w1").sent == 1
    deliveries_run(now=now + T(hours=3), worker_id="w1")
    assert len(mail.outbox) == 1 and flaky.attempts == 3
    # Every attempt leaves a row.
    rows = list(Delivery.objects.order_by("attempts").values_list("attempts", "status"))
    assert rows == [(1, "failed"), (2, "failed"), (3, "sent")]
    assert "ConnectionRefusedError" in Delivery.objects.get(attempts=1).last_error


def test_a_server_away_for_three_days_is_tried_for_three_days_then_shown_as_not_delivered(world, flaky):
    flaky.failures_left = 1000
    send(world)
    now = dt.datetime.now(dt.UTC)
    for hour in range(72):
        deliveries_run(now=now + T(hours=hour, minutes=59), worker_id="w1")
    # Before three days have passed it is still waiting for its next try: 1 min, 5, 15, 1 h, 2 h, 4 h, 8 h, then 12 h.
    assert Delivery.objects.filter(status="pending").count() == 1
    assert not Delivery.objects.filter(status="undeliverable").exists()
    for hour in range(72, 90):
        deliveries_run(now=now + T(hours=hour, minutes=59), worker_id="w1")
    assert len(mail.outbox) == 0
    last = Delivery.objects.order_by("-attempts").first()
    assert last.status == "undeliverable" and "ConnectionRefusedError" in last.last_error
    assert last.created_at - last.first_attempt_at < GIVE_UP_AFTER <= now + T(hours=90) - last.first_attempt_at
    assert flaky.attempts == last.attempts == 13
    assert not Delivery.objects.filter(status="pending").exists()


def test_a_stale_claim_is_taken_back_and_sent(world):
    send(world)
    now = dt.datetime.now(dt.UTC)
    d = Delivery.objects.get()
    # A worker claimed it and stopped before sending.
    Delivery.objects.filter(pk=d.pk).update(status="sending", claimed_by="crashed", claimed_at=now)
    # Not stale while the worker could still be sending (its lease outlasts every step at the SMTP timeout).
    assert claim_lease() > T(seconds=20 * 10)
    assert deliveries_run(now=now + claim_lease() - T(seconds=1), worker_id="w2").sent == 0
    result = deliveries_run(now=now + claim_lease() + T(seconds=1), worker_id="w2")
    assert (result.taken_back, result.sent) == (1, 1) and len(mail.outbox) == 1
    d.refresh_from_db()
    assert d.status == "failed" and "crashed" in d.last_error
    assert Delivery.objects.filter(status="sent", claimed_by="w2").count() == 1


def test_two_workers_claiming_the_same_rows_send_each_once(world):
    for i in range(5):
        send(world, key=f"k{i}")
    now = dt.datetime.now(dt.UTC)
    # The second worker sees the same due rows, but its compare-and-set finds them claimed.
    first = deliveries_run(now=now, worker_id="w1")
    second = deliveries_run(now=now, worker_id="w2")
    assert (first.sent, second.sent) == (5, 0) and len(mail.outbox) == 5


@pytest.mark.django_db(transaction=True)
def test_two_threads_at_once_never_send_a_delivery_twice(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite test databases live in memory and are not shared between threads")
    for i in range(20):
        send(world, key=f"k{i}")
    now = dt.datetime.now(dt.UTC)
    barrier = threading.Barrier(2)
    results = []

    def work(worker_id):
        barrier.wait()
        try:
            results.append(deliveries_run(now=now, worker_id=worker_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.sent for r in results) == 20 and len(mail.outbox) == 20
    assert sorted(m.subject for m in mail.outbox) == ["Something happened"] * 20
    assert Delivery.objects.filter(status="sent").count() == 20


def test_a_lease_is_held_by_one_worker_until_it_expires_or_is_released(db):
    now = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)
    assert lease_claim(name="job", holder="w1", now=now, ttl=T(minutes=10))
    assert not lease_claim(name="job", holder="w2", now=now + T(minutes=1), ttl=T(minutes=10))
    assert lease_claim(name="job", holder="w2", now=now + T(minutes=11), ttl=T(minutes=10))  # w1 crashed
    lease_release(name="job", holder="w2", now=now + T(minutes=12))
    assert lease_claim(name="job", holder="w1", now=now + T(minutes=12, seconds=1), ttl=T(minutes=10))
    assert Lease.objects.get().holder == "w1"
