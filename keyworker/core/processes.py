"""The background worker gives way to the web: it runs at a lower scheduling priority, so a page a member of staff
is waiting for (recording a contact) gets the processor first while a whole organisation is recomputed.

KEYWORKER_WORKER_NICENESS (default 10, 0 to leave it alone) is the niceness the worker lowers itself to; a process
cannot raise its priority again, so the call only ever lowers it.
"""

import os


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
