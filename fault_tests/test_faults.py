"""Faults survived, against real processes: a worker killed mid-task, the database cutting the workers off, the
queue's Redis restarted, a claim outlived, the web while the database is away. Nothing lost, nothing done twice.

Run with `-m faults`. The worker tests need PostgreSQL (DATABASE_URL) and skip on SQLite; the Redis test starts
its own `redis-server` on a free port and skips without one, unless KEYWORKER_REQUIRE_REDIS=1.
"""

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection

from keyworker.imports import services as imports
from keyworker.imports.models import ImportJob, ImportStatus
from keyworker.notifications.models import Delivery, Notification
from keyworker.people.models import Child

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.faults
DEADLINE = 240.0  # seconds any one wait may take on a busy two-core machine before the test fails


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check, timeout: float = DEADLINE, every: float = 0.1, output=None):
    """Poll `check` until it answers truthy; fail with `what` (and the processes' `output()`) after the timeout.
    The processes run in real time."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"Timed out waiting for {what}" + (f"\n{output()}" if output else ""))


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the worker processes share the test database")
    return connection.settings_dict


def database_url(db: dict) -> str:
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class Workers:
    """`keyworker worker` processes on the test database, with their output kept for a failing test."""

    def __init__(self, tmp_path: Path, env: dict[str, str]):
        self.tmp_path = tmp_path
        self.env = env
        self.running: list[subprocess.Popen] = []

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        log = (self.tmp_path / f"worker-{len(self.running)}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "config.manage", "worker", "--interval", "1", *args], cwd=ROOT,
            env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT,
        )
        self.running.append(process)
        return process

    def output(self) -> str:
        return "\n".join(p.read_text()[-3000:] for p in sorted(self.tmp_path.glob("worker-*.log")))

    def stop(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(postgres, tmp_path, settings):
    settings.KEYWORKER_TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    env = {**os.environ, "DATABASE_URL": database_url(postgres), "KEYWORKER_TASKS_BACKEND": "database",
           "KEYWORKER_TASKS_CLAIM_SECONDS": "4", "KEYWORKER_WORKER_NICENESS": "0",
           "KEYWORKER_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
           "KEYWORKER_EMAIL_FILE_PATH": str(tmp_path / "emails"), "KEYWORKER_MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "PYTHONPATH": str(ROOT)}
    running = Workers(tmp_path, env)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(imports, "BACKGROUND_FROM_ROWS", 10)  # every import of these tests goes to the queue
    return settings.MEDIA_ROOT


def children_csv(rows: int) -> bytes:
    """`rows` children in pairs of siblings, in the columns of the sample export (the world's classes)."""
    sample = (ROOT / "keyworker/imports/fixtures/children_good.csv").read_text().splitlines()
    header, template = sample[0], sample[1].split(",")
    start = next(_batches)
    lines = [header]
    for n in range(start, start + rows):
        row = list(template)
        row[0], row[1], row[4], row[5], row[10] = f"Child{n}", f"Family{n // 2}", "", f"F{n}", f"HH-F{n // 2}"
        row[21] = f"carer{n // 2}@example.org"
        lines.append(",".join(row))
    return "\n".join(lines).encode()


_batches = iter(range(0, 10**9, 100_000))


def confirmed_import(world, rows: int) -> ImportJob:
    """A children import of `rows` rows, checked and confirmed: its run is queued for the background worker."""
    from keyworker.accounts.access import actor_for

    actor = actor_for(world.headteacher.user, world.org.pk)
    job = imports.import_upload(actor=actor, setting=world.school, kind="children", name="export.csv",
                                data=children_csv(rows))
    job = imports.import_map(actor=actor, job=job, mapping=job.mapping)
    assert job.status == ImportStatus.VALIDATED, job.message
    return imports.import_start(actor=actor, job=job)


def status(job: ImportJob) -> str:
    job.refresh_from_db()
    return job.status


def test_a_worker_killed_mid_import_is_replaced_and_the_import_done_once(world, workers):
    before = Child.objects.count()
    job = confirmed_import(world, rows=4000)
    first = workers.start("--no-schedule")
    # The progress is on the import's row while the import's own transaction is open: any web process sees it.
    wait_for("the import's progress on its row", lambda: ImportJob.objects.filter(pk=job.pk, progress__gt=0).exists())
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert status(job) == ImportStatus.IMPORTING and Child.objects.count() == before  # rolled back with the process
    workers.start()  # its schedule gives back the task claimed by the dead worker, then runs it
    wait_for("the import to finish on another worker", lambda: status(job) != ImportStatus.IMPORTING,
             output=workers.output)
    assert job.status == ImportStatus.DONE, (job.message, workers.output())
    assert Child.objects.count() == before + 4000  # once, not twice
    from django_tasks_db.models import DBTaskResult

    run = DBTaskResult.objects.get(task_path="keyworker.imports.tasks.import_file")
    assert run.status == "SUCCESSFUL" and len(run.worker_ids) >= 2


def terminate_workers_connections() -> int:
    """What a database restart does to the workers: every other connection to this database is cut."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


def test_workers_cut_off_from_the_database_carry_on_and_lose_nothing(world, workers):
    before = Child.objects.count()
    job = confirmed_import(world, rows=3000)
    workers.start("--no-schedule")
    workers.start()
    wait_for("the import under way", lambda: ImportJob.objects.filter(pk=job.pk, progress__gt=0).exists())
    assert terminate_workers_connections() >= 1
    time.sleep(1)
    terminate_workers_connections()  # and again, while they reconnect
    wait_for("the import to finish after the cut", lambda: status(job) != ImportStatus.IMPORTING,
             output=workers.output)
    assert job.status == ImportStatus.DONE, (job.message, workers.output())
    assert Child.objects.count() == before + 3000
    # Both workers are still running and still take work.
    assert all(p.poll() is None for p in workers.running), workers.output()
    second = confirmed_import(world, rows=5)
    wait_for("a new task after the cut", lambda: status(second) != ImportStatus.IMPORTING, output=workers.output)
    assert second.status == ImportStatus.DONE, (second.message, workers.output())


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of the test's own (never the machine's), writing every command to its append-only file."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("KEYWORKER_REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is required (KEYWORKER_REQUIRE_REDIS=1)")
        pytest.skip("redis-server is not installed")
    port = free_port()
    data = tmp_path / "redis"
    data.mkdir()

    def start() -> subprocess.Popen:
        process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data),
                                    "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        wait_for("redis-server to answer", lambda: _pings(redis.Redis(port=port)), timeout=30)
        return process

    class Redis:
        url = f"redis://127.0.0.1:{port}/0"
        process = start()

        def restart(self, *, kill: bool = True) -> None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.process.wait()
            self.process = start()

    own = Redis()
    yield own
    own.process.kill()
    own.process.wait()


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001 - not up yet
        return False


def test_the_queues_redis_restarted_loses_nothing(world, postgres, tmp_path, settings, own_redis):
    settings.KEYWORKER_TASKS_BACKEND = "rq"
    settings.RQ_QUEUES = {"default": {"URL": own_redis.url, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.TASK_QUEUES}}
    before = Child.objects.count()
    queued = [confirmed_import(world, rows=20) for _ in range(3)]  # queued while no worker runs
    assert {status(j) for j in queued} == {ImportStatus.IMPORTING}
    own_redis.restart(kill=True)  # killed outright: the append-only file keeps the queue
    env = {**os.environ, "DATABASE_URL": database_url(postgres), "KEYWORKER_TASKS_BACKEND": "rq",
           "KEYWORKER_REDIS_URL": own_redis.url, "KEYWORKER_WORKER_NICENESS": "0", "PYTHONPATH": str(ROOT),
           "KEYWORKER_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
           "KEYWORKER_EMAIL_FILE_PATH": str(tmp_path / "emails"), "KEYWORKER_MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    running = Workers(tmp_path, env)
    try:
        running.start()
        wait_for("the imports queued before the restart", lambda: all(status(j) == ImportStatus.DONE for j in queued),
                 output=running.output)
        own_redis.restart(kill=True)  # under a running worker: it waits for Redis and carries on
        later = confirmed_import(world, rows=20)
        wait_for("an import queued after the restart", lambda: status(later) == ImportStatus.DONE,
                 output=running.output)
        assert Child.objects.count() == before + 80, running.output()
    finally:
        running.stop()


@pytest.mark.django_db
def test_a_claim_outlived_sends_no_e_mail_twice(world, clock, settings):
    """A worker cut off for longer than its lease comes back and runs the same organisation again: the dedupe keys
    of its notifications and the compare-and-set on each e-mail keep everything single."""
    from keyworker.core import clock as kw_clock
    from keyworker.notifications.services import lease_claim
    from keyworker.standards import tasks
    from keyworker.standards.tests.test_escalation import make_standard, register_fakes, unregister_fakes

    register_fakes()
    try:
        make_standard(world.org, clause="SCH-2", title="Half-termly data check", cadence="half_termly",
                      evidence="test_check", escalate_after_days=10, escalate_to_roles=["headteacher"],
                      grace_school_days=20)
        tasks.organisation_cycle_run(organisation_id=world.org.pk, worker_id="setup", as_of=dt.date(2026, 10, 26))
        # The partitioned worker holds the organisation's lease, then goes quiet for longer than it lasts.
        assert lease_claim(name=f"organisation:{world.org.pk}:recompute", holder="partitioned", now=kw_clock.now(),
                           ttl=tasks.LEASE_TTL)
        clock.shift(tasks.LEASE_TTL + dt.timedelta(minutes=1))
        assert tasks.organisation_cycle.enqueue(organisation_id=world.org.pk).return_value is not None
        from keyworker.notifications.tasks import deliveries_send, digests_send

        digests_send.enqueue()
        deliveries_send.enqueue()
        notifications, deliveries, sent = Notification.objects.count(), Delivery.objects.count(), len(mail.outbox)
        assert sent >= 1
        # It comes back and does its run all the same, then sends: nothing new is written or sent.
        assert tasks.organisation_cycle_run(organisation_id=world.org.pk, worker_id="partitioned") is not None
        digests_send.enqueue()
        deliveries_send.enqueue()
        assert (Notification.objects.count(), Delivery.objects.count(), len(mail.outbox)) == (notifications, deliveries, sent)
    finally:
        unregister_fakes()


@pytest.fixture
def server_without_database(tmp_path):
    """The web served by a process whose PostgreSQL is away (nothing listens on its port)."""
    port, db_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{db_port}/keyworker", "PYTHONPATH": str(ROOT),
           "KEYWORKER_DEBUG": "0"}
    log = (tmp_path / "server.log").open("w")
    # The WSGI application as gunicorn would load it, behind the standard library's server.
    serve = ("import django.core.wsgi, wsgiref.simple_server, sys; wsgiref.simple_server.make_server('127.0.0.1', "
             "int(sys.argv[1]), django.core.wsgi.get_wsgi_application()).serve_forever()")
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    process = subprocess.Popen([sys.executable, "-c", serve, str(port)], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)

    def answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    try:
        wait_for("the server to listen", answers, timeout=120, every=0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/family/", "/api/v1/children/"])
def test_the_web_while_the_database_is_away_says_try_again(server_without_database, path):
    # The API is asked with a token, which only the database can check.
    request = urllib.request.Request(server_without_database + path, headers={"Authorization": "Token not-checked"})
    try:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310 - our own server
    except urllib.error.HTTPError as answer:
        body = answer.read().decode()
        assert answer.code == 503 and answer.headers["Retry-After"] == "5"
        assert "try again" in body.lower() and "Traceback" not in body
    else:
        pytest.fail("The page answered without its database")
