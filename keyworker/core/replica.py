"""Reads that may run a moment behind the primary (downloads, reports) go to a read replica when one is configured.

`KEYWORKER_REPLICA_DATABASE_URL` adds a second database alias, "replica" (a PostgreSQL streaming replica of the
primary). Code that reads for a report wraps its reads in `replica_reads()`; `ReplicaRouter` then sends them to the
replica. Everything else, every write, and any read inside a transaction on the primary (a service that reads what it
is about to change) stays on the primary. Without a replica configured nothing changes.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_reading = ContextVar("keyworker_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within the block, reads outside a transaction go to the replica (if there is one)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads to the replica inside `replica_reads()`, all else to the primary."""

    def db_for_read(self, model, **hints) -> str | None:
        if _reading.get() and REPLICA in settings.DATABASES and not connections["default"].in_atomic_block:
            return REPLICA
        return None

    def db_for_write(self, model, **hints) -> str | None:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool | None:
        return db == "default"  # the replica follows the primary's schema by replication
