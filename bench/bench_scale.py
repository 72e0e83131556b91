"""What one PostgreSQL primary holds and does per child: for docs/scale.md.

    .venv/bin/python bench/bench_load.py --build-only --keep                              # kw_load: 20,000 children
    .venv/bin/python bench/bench_load.py --build-only --keep --children 100000 --db-name kw_load_100k
    .venv/bin/python bench/bench_scale.py --db-name kw_load                               # measure one of them
    .venv/bin/python bench/bench_scale.py --db-name kw_load_100k --runs 3

On a database bench_load.py built (one organisation, a year of contacts, absences and obligation history written
by the engine), it prints:

1. rows and bytes (pg_total_relation_size: table, indexes and TOAST) per table, in all and per child, for the
   tables over 1 MB; the history covers 3 September 2025 to the build's day (about 15 months: the per-year
   figure divides by that span);
2. the steady full recompute (engine.recompute of the organisation, nothing changed): median of --runs, and the
   process's CPU;
3. My week and compliance in this process (Django's test client) for a key worker and the school's leader:
   p50, p95, CPU, queries.
The load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    from bench.bench_load import SERVER, server_env
    from bench.database import postgres_url

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db-name", default="kw_load")
    parser.add_argument("--postgres-server", default=SERVER)
    parser.add_argument("--runs", type=int, default=5, help="steady full recomputes timed")
    parser.add_argument("--page-runs", type=int, default=20)
    parser.add_argument("--sections", default="1,2,3")
    args = parser.parse_args()
    sections = {int(s) for s in args.sections.split(",") if s}
    os.environ.update(server_env(postgres_url(args.postgres_server, args.db_name)))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)  # a database bench_load.py built with older code: upgraded as a deployment is
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, value FROM bench_load_meta")
        meta = dict(cursor.fetchall())
    organisation_id, children = int(meta["organisation"]), int(meta["children"])
    as_of = dt.date.fromisoformat(meta["as_of"])
    from bench.bench_engine import HISTORY_FROM

    years = (as_of - HISTORY_FROM).days / 365.25
    print(f"{args.db_name}: {children:,} children, history {HISTORY_FROM} to {as_of} ({years:.2f} years); load {_load()}")

    if 1 in sections:
        with connection.cursor() as cursor:
            cursor.execute("""
                SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid), pg_relation_size(c.oid)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 3 DESC""")
            tables = cursor.fetchall()
            cursor.execute("SELECT pg_database_size(current_database())")
            database = cursor.fetchone()[0]
        total_rows = sum(max(r, 0) for _, r, _, _ in tables)
        total_bytes = sum(b for _, _, b, _ in tables)
        print("\n1. Rows and bytes (estimated rows from the statistics after VACUUM ANALYZE; bytes with indexes)")
        print(f"{'table':<42}{'rows':>12}{'MB':>9}{'rows/child':>12}{'bytes/child':>13}{'heap %':>8}")
        for name, rows, size, heap in tables:
            if size < 1 << 20:
                continue
            print(f"{name:<42}{max(rows, 0):>12,}{size / 1e6:>9.1f}{max(rows, 0) / children:>12.1f}"
                  f"{size / children:>13,.0f}{100 * heap / size:>8.0f}")
        print(f"{'all tables':<42}{total_rows:>12,}{total_bytes / 1e6:>9.1f}{total_rows / children:>12.1f}"
              f"{total_bytes / children:>13,.0f}")
        print(f"database {database / 1e6:.1f} MB: {database / children:,.0f} bytes per child; "
              f"per child per year of history: {total_rows / children / years:.0f} rows, "
              f"{total_bytes / children / years:,.0f} bytes")

    if 2 in sections:
        import time_machine

        from keyworker.standards import engine

        wall, cpu = [], []
        at = dt.datetime.combine(as_of, dt.time(17, 30), tzinfo=dt.UTC)
        with time_machine.travel(at, tick=True):
            engine.recompute(organisation_id=organisation_id, as_of=as_of)  # warm
            for _ in range(args.runs):
                t, c = time.perf_counter(), time.process_time()
                engine.recompute(organisation_id=organisation_id, as_of=as_of)
                wall.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
        print(f"\n2. Steady full recompute: median {statistics.median(wall):.2f} s (min {min(wall):.2f}, max "
              f"{max(wall):.2f}; {args.runs} runs), process CPU {statistics.median(cpu):.2f} s; load {_load()}")

    if 3 in sections:
        import tempfile

        from django.test import Client

        from bench.bench_load import collect_static, users
        from bench.pages import time_page

        collect_static(Path(tempfile.mkdtemp(prefix="bench-scale-")) / "static")
        people = users(organisation_id, 2, 1, as_of)
        print(f"\n3. Pages in this process ({args.page_runs} runs; load {_load()})")
        for me in people:
            client = Client()
            client.cookies["sessionid"] = me["session"]
            for name, url in (("My week", "/my-week/"), ("compliance", "/compliance/"), ("My families", "/families/")):
                p50, p95, c, queries, size = time_page(client, url, args.page_runs, 3)
                print(f"   {me['kind']:<11}{name:<13} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  CPU {c:6.1f} ms  "
                      f"{queries} queries  {size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
