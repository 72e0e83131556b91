"""Time the Year 6 transitions pages in a generated school (20,000 children by default).

    .venv/bin/python bench/bench_transitions.py [--children 20000] [--postgres] [--runs 30]

Uses a throwaway database (bench/database.py), generates one organisation (bench/generate.py), gives every Year 6
pupil a transition plan with two visits (one held and written up, one coming), the dates shared for two in three and
the write-up shared for half. Then requests the cohort view as the headteacher (every leaving pupil) and one plan
page as its key worker, after a warm-up, and prints the median and 95th percentile wall time, the median CPU time,
the queries of one request and the page size. Target: under 100 ms median.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import time_page  # noqa: E402

TARGET_MS = 100.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--postgres-server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from bench.database import throwaway_database

    with throwaway_database(name="bench_transitions", postgres=args.postgres, server=args.postgres_server,
                            keep=args.keep) as where:
        return run(args, where)


def _plans(big) -> tuple[int, int]:
    """Plans, visits, shares and write-ups for every Year 6 pupil, in bulk: (plans, visits)."""
    from keyworker.core import clock
    from keyworker.people.models import Child
    from keyworker.transitions.models import TransitionDatesShare, TransitionPlan, TransitionVisit

    now = clock.now()
    children = list(Child.objects.filter(organisation=big.organisation, year_group="Year 6")
                    .values_list("id", "family_id", "setting_id"))
    plans = TransitionPlan.objects.bulk_create([
        TransitionPlan(organisation=big.organisation, child_id=c, family_id=f, setting_id=s,
                       destination_school=f"High School {i % 12}", destination_contact="Head of Year 7",
                       created_at=now - dt.timedelta(days=30), updated_at=now)
        for i, (c, f, s) in enumerate(children)], batch_size=2000)
    visits, shares = [], []
    for i, p in enumerate(plans):
        held = now - dt.timedelta(days=5 + i % 10)
        coming = now + dt.timedelta(days=5 + i % 20)
        written = i % 2 == 0
        visits.append(TransitionVisit(organisation=big.organisation, plan=p, family_id=p.family_id, child_id=p.child_id,
                                      starts_at=held, ends_at=held + dt.timedelta(hours=2), created_at=now - dt.timedelta(days=29),
                                      updated_at=now, write_up="It went well." if written else "",
                                      written_at=held + dt.timedelta(days=1) if written else None,
                                      shared_at=held + dt.timedelta(days=1) if written else None,
                                      shared_on=(held + dt.timedelta(days=1)).date() if written else None))
        visits.append(TransitionVisit(organisation=big.organisation, plan=p, family_id=p.family_id, child_id=p.child_id,
                                      starts_at=coming, ends_at=coming + dt.timedelta(hours=2),
                                      created_at=now - dt.timedelta(days=29), updated_at=now))
        if i % 3:
            shares.append(TransitionDatesShare(organisation=big.organisation, plan=p, family_id=p.family_id,
                                               child_id=p.child_id, shared_at=now - dt.timedelta(days=25),
                                               shared_on=(now - dt.timedelta(days=25)).date(), dates="Two visits"))
    TransitionVisit.objects.bulk_create(visits, batch_size=5000)
    TransitionDatesShare.objects.bulk_create(shares, batch_size=5000)
    return len(plans), len(visits)


def run(args, where: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.generate import generate_organisation
    from keyworker.caseload.models import KeyWorkerAllocation
    from keyworker.testing import verify_second_factor
    from keyworker.transitions.models import TransitionPlan

    print(f"Database: {where} ({connection.vendor})")
    call_command("migrate", verbosity=0)
    print(f"Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    big = generate_organisation(children=args.children, seed=6, name="Transitions bench", slug="transitions-bench")
    plans, visits = _plans(big)
    print(f"Generated {args.children:,} children; {plans:,} Year 6 plans, {visits:,} visits")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    allocated = KeyWorkerAllocation.objects.filter(
        organisation=big.organisation, ends_at__isnull=True,
        family_id__in=TransitionPlan.objects.filter(organisation=big.organisation).values("family_id"),
    ).select_related("staff__user").order_by("id").first()
    plan = TransitionPlan.objects.filter(family_id=allocated.family_id).order_by("id").first()
    head = Client()
    head.force_login(big.headteacher.user)
    verify_second_factor(head, big.headteacher.user)
    key_worker = Client()
    key_worker.force_login(allocated.staff.user)

    print()
    print(f"{args.runs} requests per page after {args.warmup} warm-up; times in ms")
    print(f"{'page':40} {'median':>8} {'p95':>8} {'cpu':>8} {'queries':>8} {'bytes':>9}")
    slow = []
    for label, client, url in (("Year 6 cohort (headteacher)", head, "/transitions/"),
                               ("A plan page (key worker)", key_worker, f"/transitions/{plan.pk}/")):
        median, p95, cpu, queries, size = time_page(client, url, args.runs, args.warmup)
        flag = "  over target" if median > TARGET_MS else ""
        print(f"{label:40} {median:8.1f} {p95:8.1f} {cpu:8.1f} {queries:8d} {size:9,}{flag}", flush=True)
        if flag:
            slow.append(label)
    print(f"Load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("Under the target median." if not slow else f"Over {TARGET_MS:.0f} ms median: {', '.join(slow)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
