"""GET /health/: the database and the queue, without a sign-in or a session; 503 when either is away."""

import datetime as dt

import pytest
from django.db import OperationalError

from keyworker.core import health


@pytest.fixture(autouse=True)
def _no_redis(settings, monkeypatch):
    settings.KEYWORKER_REDIS_URL = ""
    monkeypatch.delenv("KEYWORKER_REDIS_URL", raising=False)


@pytest.mark.django_db
def test_a_healthy_installation_answers_200_in_two_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # SELECT 1, the worker's heartbeat
        r = client.get("/health/")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["queue"] == {"backend": "database", "status": "ok", "worker": {
        "last_finished_at": None, "seconds_ago": None, "held_now": 0}}
    assert "no-store" in r["Cache-Control"]
    assert "Set-Cookie" not in r and not r.cookies  # no session is made
    assert r["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_it_needs_no_account_even_on_a_new_installation(client, new_installation):
    r = client.get("/health/")
    assert r.status_code == 200  # not sent to /start/


@pytest.mark.django_db
def test_any_host_name_and_plain_http_get_the_answer_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["keyworker.example.org"]
    r = client.get("/health/", HTTP_HOST="10.0.0.7:8000")
    assert r.status_code == 200


@pytest.mark.django_db
def test_a_database_that_does_not_answer_is_503(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def away(self, sql, params=None):
        raise OperationalError("could not connect to server: Connection refused (host db.internal)")

    monkeypatch.setattr(CursorWrapper, "execute", away)
    r = client.get("/health/")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["status"] == "error"
    assert body["checks"]["queue"]["status"] == "error"  # the queue is the database
    assert "db.internal" not in r.content.decode()  # details go to the log only
    assert "no-store" in r["Cache-Control"]


@pytest.mark.django_db
def test_redis_is_pinged_when_the_queue_is_on_redis(client, settings, monkeypatch):
    import redis

    pinged = []
    monkeypatch.setattr(redis.Redis, "ping", lambda self: pinged.append(self) or True)
    settings.KEYWORKER_REDIS_URL = "redis://127.0.0.1:6399/0"
    r = client.get("/health/")
    assert r.status_code == 200 and pinged
    assert r.json()["checks"]["queue"]["backend"] == "redis"


@pytest.mark.django_db
def test_redis_away_is_503(client, settings):
    settings.KEYWORKER_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    r = client.get("/health/")
    assert r.status_code == 503
    queue = r.json()["checks"]["queue"]
    assert queue["status"] == "error" and queue["backend"] == "redis"
    assert r.json()["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_the_heartbeat_is_when_a_worker_last_let_go_of_a_lease(client, clock):
    from keyworker.core import clock as kw_clock
    from keyworker.notifications.services import lease_claim, lease_release

    now = kw_clock.now()
    assert lease_claim(name="organisation:1:recompute", holder="w1", now=now - dt.timedelta(minutes=3),
                       ttl=dt.timedelta(minutes=10))
    lease_release(name="organisation:1:recompute", holder="w1", now=now - dt.timedelta(minutes=2))
    assert lease_claim(name="organisation:2:recompute", holder="w2", now=now, ttl=dt.timedelta(minutes=10))
    worker = client.get("/health/").json()["checks"]["queue"]["worker"]
    assert worker == {"last_finished_at": (now - dt.timedelta(minutes=2)).isoformat(), "seconds_ago": 120, "held_now": 1}


@pytest.mark.django_db
def test_only_get_and_head(client):
    assert client.head("/health/").status_code == 200
    assert client.post("/health/").status_code == 405


def test_a_failing_heartbeat_does_not_fail_the_check(monkeypatch):
    monkeypatch.setattr(health, "_HEARTBEATS", {"worker": lambda: 1 / 0})
    queue = health.check_queue({"status": "ok"})
    assert queue["status"] == "ok" and queue["worker"] == {"error": "unavailable"}
