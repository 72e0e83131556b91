"""The running worker gives way to the web's pages: it lowers its own scheduling priority, and never raises it."""

import os
import subprocess
import sys

import pytest


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities on this system")
def test_the_worker_lowers_its_priority_and_never_raises_it():
    # In a child process, so the test run itself keeps its priority.
    code = ("from keyworker.core.processes import lower_priority; "
            "print(lower_priority(10), lower_priority(5), lower_priority(0), lower_priority(40))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    start = os.nice(0)
    assert out == [str(max(start, 10)), str(max(start, 10)), str(max(start, 10)), str(max(start, 19))]


def test_the_setting_defaults_to_ten():
    from django.conf import settings

    assert settings.WORKER_NICENESS == int(os.environ.get("KEYWORKER_WORKER_NICENESS", "10"))


@pytest.mark.django_db(transaction=True)
def test_the_worker_s_postgresql_sessions_read_without_parallel_workers(settings):
    """One large read of a recompute never takes every core of the database server: each session the worker opens
    (its own, and its writer threads') reads with at most KEYWORKER_WORKER_PARALLEL_WORKERS parallel workers."""
    import threading

    from django.db import connection

    from keyworker.core.processes import limit_parallel_reads, stop_limiting_parallel_reads

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    seen = {}

    def read(key):
        from django.db import connection as own  # this thread's own session

        with own.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            seen[key] = cursor.fetchone()[0]
        own.close()

    def in_thread(key):
        thread = threading.Thread(target=read, args=(key,))
        thread.start()
        thread.join()

    try:
        in_thread("before")
        limit_parallel_reads(0)
        in_thread("worker")
        limit_parallel_reads(-1)
        in_thread("server's")
    finally:
        stop_limiting_parallel_reads()
    assert seen["worker"] == "0"
    assert seen["before"] == seen["server's"]


def test_the_parallel_workers_setting_defaults_to_none():
    from django.conf import settings

    assert settings.WORKER_PARALLEL_WORKERS == int(os.environ.get("KEYWORKER_WORKER_PARALLEL_WORKERS", "0"))
