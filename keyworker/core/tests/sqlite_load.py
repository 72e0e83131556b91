"""Run by test_sqlite_under_worker in a process of its own, on a real SQLite file (DATABASE_URL set by the test).

The worker loop runs in one thread while two threads post contact logs (half of them safeguarding concerns)
through the pages; prints one JSON line: how many posts, how many failed, and the slowest.
"""

import json
import os
import sys
import threading
import time


def main(posts_per_thread: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from keyworker.core import clock
    from keyworker.standards.management.commands.worker import run_cycle
    from keyworker.standards.services import policy_adopt_builtin
    from keyworker.testing import make_child, make_family, make_world

    call_command("migrate", verbosity=0)
    world = make_world()
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=clock.today())
    for i in range(40):  # enough families that a worker cycle holds the database for a while
        family = make_family(world.org, f"The Load{i} family")
        make_child(family, world.school, world.class_a)
    connections.close_all()

    from django.core.signals import got_request_exception

    exceptions: list[str] = []

    def _record(sender, request=None, **kwargs) -> None:
        import traceback

        exceptions.append(repr(sys.exc_info()[1]))
        traceback.print_exc()  # on stderr: the test shows it when it fails

    got_request_exception.connect(_record, weak=False)
    stop = threading.Event()
    cycles = [0]
    cycle_times: list[float] = []
    worker_errors: list[str] = []

    def worker() -> None:
        try:
            while not stop.is_set():
                began = time.perf_counter()
                run_cycle(worker_id="load-test")
                cycle_times.append(time.perf_counter() - began)
                cycles[0] += 1
        except Exception as exc:  # noqa: BLE001 - reported, the test fails on it
            worker_errors.append(repr(exc))
        finally:
            connections.close_all()

    failures: list[str] = []
    timings: list[float] = []
    today = clock.today().isoformat()

    def poster(staff, family, n: int) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(staff.user)
        for i in range(n):
            data = {"family": family.pk, "channel": "phone", "tone": "concern", "direction": "from_school",
                    "happened_on": today, "carer": "", "write_up": f"Load test contact {i}: spoke about the week.",
                    "safeguarding": "on" if i % 2 else "", "safeguarding_category": "neglect" if i % 2 else ""}
            start = time.perf_counter()
            try:
                response = client.post(f"/contacts/new/?family={family.pk}", data)
                if response.status_code != 302:
                    failures.append(f"{response.status_code}: {response.content[:200]!r}")
            except Exception as exc:  # noqa: BLE001
                failures.append(repr(exc))
            timings.append(time.perf_counter() - start)
        connections.close_all()

    threads = [threading.Thread(target=worker)]
    threads += [threading.Thread(target=poster, args=(world.ta_a, world.family_a, posts_per_thread)),
                threading.Thread(target=poster, args=(world.teacher_a, world.family_a, posts_per_thread))]
    for t in threads:
        t.start()
    for t in threads[1:]:
        t.join()
    stop.set()
    threads[0].join()
    print(json.dumps({
        "posts": len(timings), "failures": len(failures), "first_failures": failures[:3], "worker_cycles": cycles[0], "worker_cycle_s": [round(t, 2) for t in cycle_times],
        "worker_errors": worker_errors, "exceptions": sorted(set(exceptions))[:5], "slowest_s": round(max(timings), 3),
        "median_s": round(sorted(timings)[len(timings) // 2], 3),
        "journal_mode": _journal_mode(),
    }))


def _journal_mode() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
