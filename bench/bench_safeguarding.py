"""Time raising a safeguarding concern through the page, and a child's chronology of 200 entries.

    .venv/bin/python bench/bench_safeguarding.py [--children 420] [--runs 100] [--sqlite]

Uses a throwaway database (bench/database.py): by default a new PostgreSQL database on
postgres://postgres@127.0.0.1:5432 (--postgres-server URL or BENCH_POSTGRES), dropped at the end unless --keep, with
persistent connections (KEYWORKER_CONN_MAX_AGE=600 unless set). Migrates, generates a school-sized organisation
with bench/generate.py (one school, --children children), gives a teaching assistant the designated safeguarding
lead role, writes --history concerns spread over the school's children (so the team's lists are not empty) and
ANALYZEs.

Time is fixed at 2026-11-18 10:30 UTC. Through Django's test Client signed in as class staff (force_login), it
times --runs concerns raised through the page (POST /safeguarding/raise/?child=<id>: the concern, its children,
the audit row, a notification and its delivery per team member, the SCH-A2 check) and prints the median and 95th
percentile wall time, the median CPU time and the queries of one. Target: under 100 ms median. Then, as the
safeguarding lead (password confirmed in the session), the chronology of a child with 200 entries (40 concerns,
160 actions, decisions, referrals and outcomes), the team dashboard and a search.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_MS = 100.0
NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)
TEXTS = [
    "{child} came in hungry again and said there was no food at home last night.",
    "{child} had a bruise on the arm and said a grown-up at home grabbed them.",
    "{child} was tearful at lunch and said they are scared to go home tonight.",
    "{child} said someone online asked them to send pictures and keep it a secret.",
]
CATEGORIES = ["neglect", "physical_abuse", "emotional_abuse", "online_safety"]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=420, help="children of the school")
    parser.add_argument("--history", type=int, default=300, help="concerns already recorded")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--page-runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file instead of PostgreSQL")
    parser.add_argument("--postgres-server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--slowest", type=int, default=0, help="print the N slowest queries of each measured request")
    args = parser.parse_args()

    from bench.database import throwaway_database

    os.environ.setdefault("KEYWORKER_CONN_MAX_AGE", "600")
    with throwaway_database(name="bench_safeguarding", postgres=not args.sqlite, server=args.postgres_server, keep=args.keep) as where:
        return run(args, where)


def _timed(fn, runs: int, warmup: int) -> tuple[list[float], list[float]]:
    for i in range(warmup):
        fn(-1 - i)
    times, cpu = [], []
    for i in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn(i)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return times, cpu


def run(args, where: str) -> int:  # noqa: PLR0915 - one benchmark, read top to bottom
    import time_machine

    traveller = time_machine.travel(NOW, tick=False)
    traveller.start()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.bench_engine import add_calendars
    from bench.generate import generate_organisation
    from keyworker.accounts import restricted
    from keyworker.accounts.models import GroupMembership, Role, StaffRole
    from keyworker.people.models import Child
    from keyworker.safeguarding.models import Concern, ConcernChild, Entry

    print(f"Database: {where} ({connection.vendor})")
    call_command("migrate", verbosity=0)
    big = generate_organisation(children=args.children, settings=1, seed=args.seed)
    org, school = big.organisation, big.setting
    rng = random.Random(args.seed)
    members = list(GroupMembership.objects.filter(group__setting=school).select_related("staff__user").order_by("id"))
    dsl = members[1].staff
    StaffRole.objects.create(organisation=org, staff=dsl, setting=school, role=Role.objects.get(organisation=org, code="safeguarding_lead"))
    children = list(Child.objects.filter(organisation=org).order_by("id"))
    with transaction.atomic():
        add_calendars(org)
        history = Concern.objects.bulk_create([
            Concern(organisation=org, setting=school, child=c, family_id=c.family_id, category=rng.choice(CATEGORIES),
                    what_happened=rng.choice(TEXTS).format(child=c.legal_first_name), raised_by=members[i % len(members)].staff,
                    happened_at=NOW - dt.timedelta(days=rng.randint(1, 300)), raised_at=NOW - dt.timedelta(days=rng.randint(0, 300)))
            for i, c in enumerate(rng.choices(children, k=args.history))
        ])
        ConcernChild.objects.bulk_create([ConcernChild(organisation=org, concern=c, child_id=c.child_id) for c in history])
        # One child with a chronology of 200 entries.
        subject = children[len(children) // 2]
        own = Concern.objects.bulk_create([
            Concern(organisation=org, setting=school, child=subject, family_id=subject.family_id, category=CATEGORIES[i % 4],
                    what_happened=TEXTS[i % 4].format(child=subject.legal_first_name), raised_by=dsl,
                    happened_at=NOW - dt.timedelta(days=200 - i * 5), raised_at=NOW - dt.timedelta(days=200 - i * 5))
            for i in range(40)
        ])
        ConcernChild.objects.bulk_create([ConcernChild(organisation=org, concern=c, child=subject) for c in own])
        kinds = ["action", "decision", "referral", "outcome"]
        Entry.objects.bulk_create([
            Entry(organisation=org, child=subject, concern=own[i % 40], kind=kinds[i % 4], by=dsl,
                  text=f"Entry {i}: followed up with the family and the class teacher today.", reason="Because of what was said.",
                  assigned_to=dsl if i % 4 == 0 else None, due_on=NOW.date() + dt.timedelta(days=i % 10) if i % 4 == 0 else None,
                  agency="childrens_services" if i % 4 == 2 else "", made_on=NOW.date() if i % 4 == 2 else None,
                  at=NOW - dt.timedelta(days=199 - i))
            for i in range(160)
        ])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"School: {len(children)} children, {len(members)} class staff, {args.history} concerns recorded")

    reporters = []
    for m in members[2:22]:
        client = Client()
        client.force_login(m.staff.user)
        kids = list(Child.objects.filter(group_id=m.group_id).values_list("id", flat=True))
        if kids:
            reporters.append((client, kids))
    print(f"{args.runs} timed requests after {args.warmup} warm-up; times in ms")
    print(f"{'what':44} {'median':>8} {'p95':>8} {'cpu':>8} {'runs':>5} {'queries':>8}")
    over = []

    def report(label: str, times: list[float], cpu: list[float], queries: int, target: float | None = None) -> None:
        median = statistics.median(times)
        flag = "  over target" if target and median > target else ""
        print(f"{label:44} {median:8.1f} {_pct(times, 0.95):8.1f} {statistics.median(cpu):8.1f} {len(times):5d} {queries:8d}{flag}",
              flush=True)
        if flag:
            over.append(label)

    def raise_page(i: int):
        client, kids = reporters[i % len(reporters)]
        child = kids[(i // len(reporters)) % len(kids)]
        response = client.post(f"/safeguarding/raise/?child={child}", {
            "child": child, "category": "neglect", "what_happened": "Came in without a coat and said there was no breakfast.",
            "happened_on": "2026-11-18", "happened_time": "08:45", "present": "Breakfast club staff",
        })
        assert response.status_code == 302, (response.status_code, response.content[:500])

    times, cpu = _timed(raise_page, args.runs, args.warmup)
    with CaptureQueriesContext(connection) as ctx:
        raise_page(args.runs)
    report("Raise a concern: page POST", times, cpu, len(ctx.captured_queries), TARGET_MS)

    lead = Client()
    lead.force_login(dsl.user)
    from keyworker.testing import verify_second_factor
    verify_second_factor(lead, dsl.user)  # the safeguarding team proves a second factor after the password
    session = lead.session
    session[restricted.SESSION_KEY] = NOW.timestamp()
    session.save()
    for label, url in (("Chronology of 200 entries", f"/safeguarding/children/{subject.pk}/"),
                       ("Team dashboard", "/safeguarding/"),
                       ("Search concerns", "/safeguarding/search/?q=breakfast")):
        def get(_i: int, url=url):
            response = lead.get(url)
            assert response.status_code == 200, (url, response.status_code)
        times, cpu = _timed(get, args.page_runs, 2)
        with CaptureQueriesContext(connection) as ctx:
            get(0)
        report(label, times, cpu, len(ctx.captured_queries))
        for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:args.slowest]:
            print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")
    traveller.stop()
    if over:
        print(f"Over target: {', '.join(over)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
