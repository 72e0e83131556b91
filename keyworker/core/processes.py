"""The background worker gives way to the web: it runs at a lower scheduling priority, so a page a member of staff
is waiting for (recording a contact) gets the processor first while a whole organisation is recomputed, and its
PostgreSQL sessions read without parallel query workers, so one large read of a recompute never takes every core of
the database server.

KEYWORKER_WORKER_NICENESS (default 10, 0 to leave it alone) is the niceness the worker lowers itself to; a process
cannot raise its priority again, so the call only ever lowers it. KEYWORKER_WORKER_PARALLEL_WORKERS (default 0;
negative: the server's own setting) is the most parallel workers one of the worker's reads may take
(PostgreSQL's max_parallel_workers_per_gather, set on each of its sessions).
"""

import os

from django.db.backends.signals import connection_created


def lower_priority(niceness: int) -> int:
    """Lower this process's priority to `niceness` (a Unix nice value, 0-19) if it is not that low already; answer
    the niceness it now runs at (0 where the system has no such thing)."""
    if not hasattr(os, "nice"):
        return 0
    current = os.nice(0)
    target = max(0, min(19, niceness))
    if target > current:
        return os.nice(target - current)
    return current


# The limit set by limit_parallel_reads for this process (None: none set).
_parallel_workers: int | None = None


def _limit_parallel_workers(sender, connection, **kwargs) -> None:
    workers = _parallel_workers
    if workers is None or workers < 0 or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET max_parallel_workers_per_gather = {int(workers)}")  # a number, not input


def limit_parallel_reads(workers: int) -> None:
    """From now on, every PostgreSQL session this process opens (the worker's own, and those of threads writing a
    recompute's parts) lets one read take at most `workers` parallel query workers; the sessions open already are
    given it at once (outside a transaction). Negative: the server's setting is left as it is."""
    from django.db import connections

    global _parallel_workers
    _parallel_workers = workers
    connection_created.connect(_limit_parallel_workers, dispatch_uid="keyworker-worker-parallel-reads")
    for conn in connections.all(initialized_only=True):
        if conn.vendor == "postgresql" and conn.connection is not None and not conn.in_atomic_block:
            _limit_parallel_workers(None, conn)


def stop_limiting_parallel_reads() -> None:
    """Sessions opened from now on keep the server's setting (a worker that stops, or a test that ran one)."""
    global _parallel_workers
    _parallel_workers = None
    connection_created.disconnect(dispatch_uid="keyworker-worker-parallel-reads")
