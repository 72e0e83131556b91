"""Time proposing (and applying) a key worker for every family of a setting without one.

    .venv/bin/python bench/bench_allocate.py                     # SQLite: 2,000 families, 60 classes, none allocated
    .venv/bin/python bench/bench_allocate.py --postgres          # the same on a throwaway PostgreSQL database
    .venv/bin/python bench/bench_allocate.py --families 500 --classes 20 --allocated 0.5 --runs 3

Uses a throwaway database (bench/database.py), migrates, generates one school (bench/generate.py: a teacher and a
teaching assistant per class, about 1.25 children per family, some siblings in different classes, a few children
under child protection) with `--allocated` of its families holding a key worker already, then prints for
keyworker.caseload.selectors.setting_proposal (what the "allocate everyone" page and the API's propose compute) the
median and slowest of --runs, its number of queries, and how balanced the proposal is; then
services.allocation_assign_many applying the whole proposal with one reason (rolled back after each run, so
every run applies the same rows): seconds and queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)  # bench/generate.py's day


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=2000)
    parser.add_argument("--classes", type=int, default=60)
    parser.add_argument("--allocated", type=float, default=0.0, help="share of families holding a key worker already")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--apply-runs", type=int, default=2)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL database instead of SQLite")
    parser.add_argument("--postgres-server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one proposal")
    args = parser.parse_args()

    from bench.database import throwaway_database

    with throwaway_database(name="bench_allocate", postgres=args.postgres, server=args.postgres_server, keep=args.keep) as where:
        return run(args, where)


def run(args, where: str) -> int:
    import time_machine

    traveller = time_machine.travel(NOW, tick=False)
    traveller.start()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from bench.generate import generate_organisation
    from keyworker.accounts.access import actor_for
    from keyworker.caseload import selectors, services

    print(f"Database: {where} ({connection.vendor}); load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"Migrated in {time.perf_counter() - t:.1f} s")
    children = round(args.families * 1.25)
    generated = generate_organisation(children=children, class_size=math.ceil(children / args.classes),
                                      allocated_share=args.allocated, seed=1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    setting, actor = generated.setting, actor_for(generated.headteacher.user, generated.organisation.pk)
    print(f"Generated {generated.counts} in {generated.seconds:.1f} s")

    selectors.setting_proposal(actor, setting)  # warm-up
    times = []
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            proposal = selectors.setting_proposal(actor, setting)
            times.append(time.perf_counter() - t)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(selectors.setting_proposal, actor, setting)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    rows = proposal.rows
    proposed = [r for r in rows if r.proposed]
    loads = sorted(proposal.loads.values())
    print(f"\nPropose: {len(rows)} families without a key worker, {len(proposed)} proposed, "
          f"{sum(1 for r in rows if not r.options)} with no one who can take them")
    print(f"  median {statistics.median(times):.3f} s, slowest {max(times):.3f} s over {args.runs} runs; "
          f"{len(ctx.captured_queries)} queries")
    if loads:
        print(f"  families per key worker after: {loads[0]} to {loads[-1]} (median {statistics.median(loads):g}); "
              f"{sum(1 for r in proposed if r.child_protection)} under child protection, each with a teacher")
        from keyworker.accounts.models import GroupMembership

        teams: dict[int, list[int]] = {}
        for staff_id, group_id in GroupMembership.objects.filter(group__setting=setting).values_list("staff_id", "group_id"):
            teams.setdefault(group_id, []).append(proposal.loads.get(staff_id, 0))
        gap = max((max(t) - min(t) for t in teams.values() if t), default=0)
        print(f"  largest difference within one class team: {gap} famil{'y' if gap == 1 else 'ies'}")

    choices = {r.family.pk: r.proposed.pk for r in proposed}
    for n in range(args.apply_runs):
        with transaction.atomic():
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                result = services.allocation_assign_many(actor=actor, setting=setting, choices=choices, reason="First day")
                seconds = time.perf_counter() - t
            transaction.set_rollback(True)
        print(f"Apply run {n + 1}: {len(result.allocated)} families allocated in {seconds:.3f} s, "
              f"{len(ctx.captured_queries)} queries (obligations refreshed once for all of them)")
    traveller.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
