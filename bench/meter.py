"""Where a run's time goes, measured from outside the code it times: the database driver's calls, the commit and
the garbage collector, and every call of the engine's public entry point.

`Meter` patches psycopg's cursor and connection classes while it is active, so that it sees every statement,
whether sent through Django's cursor or through a raw psycopg cursor, and groups the time:

- reads: SELECT statements (and WITH ... SELECT), executing and fetching their rows;
- writes: INSERT, UPDATE, DELETE, COPY (and WITH ... INSERT/UPDATE/DELETE);
- commit: COMMIT, where PostgreSQL runs the foreign-key checks Django's constraints defer to it;
- other: SAVEPOINT, locks and the rest.

Everything else inside the timed block is Python: the computation. The garbage collector's pauses are timed
separately (they fall inside whichever phase they interrupt).
"""

from __future__ import annotations

import gc
import re
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def kind_of(sql) -> str:
    if isinstance(sql, bytes | bytearray):
        sql = sql.decode(errors="replace")
    if not isinstance(sql, str):
        return "other"
    head = sql.lstrip()[:12].upper()
    if head.startswith("SELECT"):
        return "lock" if "FOR UPDATE" in sql.upper() else "read"
    if head.startswith("WITH"):
        return "write" if _WRITE.search(sql) else "read"
    if head.startswith(("INSERT", "UPDATE", "DELETE", "COPY")):
        return "write"
    return "other"


@dataclass
class Statement:
    sql: str
    params: object
    kind: str
    seconds: float = 0.0
    rows: int = 0


@dataclass
class Phases:
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    rows: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    gc_seconds: float = 0.0
    gc_runs: int = 0
    statements: list[Statement] = field(default_factory=list)

    @property
    def database(self) -> float:
        return sum(self.seconds.values())


class Meter:
    """`with Meter() as m:` ... then m.phases; `record=True` keeps each statement (for replaying the reads)."""

    def __init__(self, record: bool = False) -> None:
        self.record = record
        self.phases = Phases()
        self._saved: list[tuple[type, str, object]] = []
        self._gc_started = 0.0

    # The garbage collector's pauses.
    def _gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started:
            self.phases.gc_seconds += time.perf_counter() - self._gc_started
            self.phases.gc_runs += 1
            self._gc_started = 0.0

    def __enter__(self) -> Meter:
        import psycopg

        phases, record = self.phases, self.record
        last: dict[int, Statement | str] = {}

        def patch(cls, name, make):
            original = cls.__dict__[name]
            self._saved.append((cls, name, original))
            setattr(cls, name, make(original))

        def execute(original):
            def wrapper(cur, query, params=None, *args, **kwargs):
                kind = kind_of(query)
                started = time.perf_counter()
                try:
                    return original(cur, query, params, *args, **kwargs)
                finally:
                    took = time.perf_counter() - started
                    phases.seconds[kind] += took
                    phases.counts[kind] += 1
                    if record and kind in ("read", "lock"):
                        st = Statement(query if isinstance(query, str) else str(query), params, kind, took)
                        phases.statements.append(st)
                        last[id(cur)] = st
                    else:
                        last[id(cur)] = kind
            return wrapper

        def executemany(original):
            def wrapper(cur, query, params_seq, *args, **kwargs):
                kind = kind_of(query)
                started = time.perf_counter()
                try:
                    return original(cur, query, params_seq, *args, **kwargs)
                finally:
                    phases.seconds[kind] += time.perf_counter() - started
                    phases.counts[kind] += 1
                    last[id(cur)] = kind
            return wrapper

        def fetch(original):
            def wrapper(cur, *args, **kwargs):
                started = time.perf_counter()
                result = original(cur, *args, **kwargs)
                took = time.perf_counter() - started
                st = last.get(id(cur), "read")
                kind = st.kind if isinstance(st, Statement) else st
                phases.seconds[kind] += took
                n = len(result) if isinstance(result, list) else (0 if result is None else 1)
                phases.rows[kind] += n
                if isinstance(st, Statement):
                    st.seconds += took
                    st.rows += n
                return result
            return wrapper

        def commit(original):
            def wrapper(conn, *args, **kwargs):
                started = time.perf_counter()
                try:
                    return original(conn, *args, **kwargs)
                finally:
                    phases.seconds["commit"] += time.perf_counter() - started
                    phases.counts["commit"] += 1
            return wrapper

        patch(psycopg.Cursor, "execute", execute)
        patch(psycopg.Cursor, "executemany", executemany)
        for name in ("fetchone", "fetchmany", "fetchall"):
            patch(psycopg.Cursor, name, fetch)
        patch(psycopg.Connection, "commit", commit)
        gc.callbacks.append(self._gc)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self._gc)
        for cls, name, original in reversed(self._saved):
            setattr(cls, name, original)
        self._saved.clear()


@dataclass
class Call:
    organisation_id: int | None
    families: object
    seconds: float
    result: object


@contextmanager
def engine_calls():
    """Every call of engine.recompute (the engine's public entry point) while active, timed, with its result."""
    from keyworker.standards import engine

    calls: list[Call] = []
    original = engine.recompute

    def timed(*args, **kwargs):
        started = time.perf_counter()
        result = original(*args, **kwargs)
        calls.append(Call(kwargs.get("organisation_id"), kwargs.get("families"), time.perf_counter() - started, result))
        return result

    engine.recompute = timed
    try:
        yield calls
    finally:
        engine.recompute = original


_ORDER_BY = re.compile(r"\s+ORDER BY\s+[^()]*$", re.IGNORECASE | re.DOTALL)


def without_order(sql: str) -> tuple[str, bool]:
    """A statement without its final ORDER BY (the floor reads the rows; sorting them is work the engine chose)."""
    stripped = _ORDER_BY.sub("", sql)
    return stripped, stripped != sql
