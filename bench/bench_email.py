"""1,000 e-mails through a real local SMTP server that goes down, hangs, refuses for a while and comes back, sent by
two workers at once: every e-mail must be received exactly once.

    .venv/bin/python bench/bench_email.py [--emails 1000] [--workers 2] [--timeout 1] [--sqlite]

Uses a throwaway database (bench/database.py): by default a new PostgreSQL database on
postgres://postgres@127.0.0.1:5432 (--postgres-server URL or BENCH_POSTGRES), dropped at the end unless --keep;
--sqlite uses a temporary SQLite file (two workers then wait on SQLite's write lock). An aiosmtpd server on a free
port records every message it accepts (keyworker/notifications/tests/smtp.py). The SMTP timeout is --timeout
seconds and the retry schedule is compressed 60 times (1 s, 5 s, 15 s, 1 min, … instead of 1 min, 5 min, 15 min,
1 h, …) so the run takes a minute, not a day; everything else is the production code path: `deliveries_run` in
--workers threads with their own database connections and worker ids, with real time.

The server: up until a quarter of the e-mails are received, then down (connections refused) for 2 s, then hung
(it answers nothing at the end of DATA for 3 s, longer than the timeout) for 3 s, then refusing every recipient
with "451 4.3.0" for 1 s, then up until the end. It prints e-mails received, duplicates (by Message-ID and by a
marker in the body), missing, attempts (delivery rows) by status, the longest single `deliveries_run` (a hung
server must cost a worker about one timeout) and the seconds taken. Exit status 1 unless every e-mail was received
exactly once.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
COMPRESS = 60


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1.0, help="SMTP timeout in seconds (default 1)")
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    parser.add_argument("--postgres-server", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--deadline", type=float, default=300, help="give up after this many seconds")
    args = parser.parse_args()

    from bench.database import DEFAULT_SERVER, throwaway_database
    from keyworker.notifications.tests.smtp import SmtpServer

    server = SmtpServer()
    os.environ.update({
        "KEYWORKER_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "KEYWORKER_EMAIL_HOST": "127.0.0.1", "KEYWORKER_EMAIL_PORT": str(server.port),
        "KEYWORKER_EMAIL_TIMEOUT": str(args.timeout), "KEYWORKER_LOG_LEVEL": "ERROR",
        "KEYWORKER_BASE_URL": "https://keyworker.example.org",
    })
    with throwaway_database(name="email", postgres=not args.sqlite, server=args.postgres_server or DEFAULT_SERVER,
                            keep=args.keep) as where:
        import django

        django.setup()
        from django.core.management import call_command

        print(f"Database: {where}; SMTP server 127.0.0.1:{server.port}, timeout {args.timeout} s; "
              f"{args.emails} e-mails, {args.workers} workers")
        call_command("migrate", verbosity=0)
        return run(args, server)


def run(args, server) -> int:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from keyworker.notifications import services
    from keyworker.notifications.models import Delivery, Notification

    # The retry schedule, 60 times faster; the give-up point too (72 min), which this run never reaches.
    services.RETRY_DELAYS = tuple(d / COMPRESS for d in services.RETRY_DELAYS)
    services.RETRY_EVERY = services.RETRY_EVERY / COMPRESS
    services.GIVE_UP_AFTER = services.GIVE_UP_AFTER / COMPRESS

    users = get_user_model().objects.bulk_create([
        get_user_model()(email=f"staff{i}@school.example.org", full_name=f"Staff {i}", password="!") for i in range(50)
    ])
    now = timezone.now()
    Notification.objects.bulk_create([
        Notification(organisation_id=1, recipient=users[i % len(users)], kind="bench", subject=f"Bench e-mail {i}",
                     body=f"bench-marker-{i}", dedupe_key=f"bench:{i}", created_at=now)
        for i in range(args.emails)
    ])
    Delivery.objects.bulk_create([
        Delivery(notification=n, next_attempt_at=now, first_attempt_at=now, created_at=now)
        for n in Notification.objects.all()
    ])

    stop = threading.Event()
    errors: list[BaseException] = []
    longest = collections.defaultdict(float)
    runs = collections.Counter()

    def work(worker_id: str) -> None:
        try:
            while not stop.is_set():
                started = time.monotonic()
                services.deliveries_run(now=timezone.now(), worker_id=worker_id, limit=50)
                longest[worker_id] = max(longest[worker_id], time.monotonic() - started)
                runs[worker_id] += 1
                stop.wait(0.05)  # the worker loop's interval, shortened
        except BaseException as exc:  # noqa: BLE001 - reported at the end
            errors.append(exc)
        finally:
            connection.close()

    server.up()
    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(f"worker-{i + 1}",)) for i in range(args.workers)]
    for t in threads:
        t.start()
    timeline = []

    def phase(name: str) -> None:
        timeline.append(f"{time.monotonic() - started:5.1f} s {name} (received {len(server.received)})")

    try:
        while len(server.received) < args.emails // 4 and time.monotonic() - started < args.deadline:
            time.sleep(0.02)
        phase("down")
        server.down()
        time.sleep(2)
        phase("hung")
        server.hang(3 * args.timeout)
        time.sleep(3)
        phase("refusing 451")
        server.refuse("451 4.3.0 Try again later")
        time.sleep(1)
        phase("up")
        server.up()
        while time.monotonic() - started < args.deadline:
            if not Delivery.objects.filter(status__in=["pending", "sending"]).exists():
                break
            time.sleep(0.1)
        phase("all sent")
    finally:
        stop.set()
        for t in threads:
            t.join()
        connection.close()
        server.down()
    seconds = time.monotonic() - started

    received = server.received
    by_id = collections.Counter(r.message_id for r in received)
    by_marker = collections.Counter(r.body.strip() for r in received)
    expected = {f"bench-marker-{i}" for i in range(args.emails)}
    duplicates_id = sum(c - 1 for c in by_id.values() if c > 1)
    duplicates_marker = sum(c - 1 for c in by_marker.values() if c > 1)
    missing = len(expected - set(by_marker))
    statuses = collections.Counter(Delivery.objects.values_list("status", flat=True))
    print("Server: " + "; ".join(timeline))
    print(f"received {len(received)} messages, {len(by_marker)} distinct e-mails of {args.emails}")
    print(f"duplicates: {duplicates_id} by Message-ID, {duplicates_marker} by body marker; missing {missing}")
    print(f"attempts (delivery rows): {sum(statuses.values())} — " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    print("worker runs: " + ", ".join(f"{w} {runs[w]} (longest {longest[w]:.2f} s)" for w in sorted(runs)))
    print(f"seconds: {seconds:.1f}")
    if errors:
        print(f"worker errors: {errors!r}")
    ok = not errors and missing == 0 and duplicates_id == 0 and duplicates_marker == 0 and len(received) == args.emails
    print("OK: every e-mail received exactly once" if ok else "FAILED: not exactly once")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
