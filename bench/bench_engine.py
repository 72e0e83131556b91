"""Time the standards engine on a large generated organisation (default 20,000 children over 13 schools).

    .venv/bin/python bench/bench_engine.py [--children 20000] [--settings 13] [--postgres] [--runs 50]

Uses a throwaway database: a temporary SQLite file, or with --postgres a new PostgreSQL database (dropped at
the end). Migrates, generates the organisation (bench/generate.py), gives every school a term calendar for
2025/26 and 2026/27, fills a contact log table of its own (bench_contact, created here with raw SQL: about one
contact a school week per family over the last year, with gaps) registered as the "contact_log" evidence
source, adopts the school template as of --as-of and then measures:

1. the full recompute (engine.recompute for the whole organisation): the first run, which creates the
   obligations, then the steady state, against the bare SQL that reads the same evidence. Targets: under 5 s
   on PostgreSQL, and within 3 times the bare SQL;
2. one piece of evidence recorded: a contact for one family, then engine.recompute(families={that family}):
   median time and queries over --runs families;
3. My week (a key worker of the first school) and team compliance (the headteacher, first school) through
   Django's test client: median and 95th percentile over --runs requests, queries, bytes. Target: 100 ms.

--profile prints a cProfile of one steady-state recompute; --explain prints the plans of the engine's largest
queries.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FULL_TARGET_S = 5.0
FULL_TARGET_RATIO = 3.0
PAGE_TARGET_MS = 100.0

# England, 2025/26 (the year before the demo calendar) and 2026/27 (the demo's, keyworker/demo/builder.py).
YEARS = [
    ("2025/26", [
        ("Autumn 2025", [("Autumn 1", "2025-09-03", "2025-10-24"), ("Autumn 2", "2025-11-03", "2025-12-19")]),
        ("Spring 2026", [("Spring 1", "2026-01-05", "2026-02-13"), ("Spring 2", "2026-02-23", "2026-03-27")]),
        ("Summer 2026", [("Summer 1", "2026-04-13", "2026-05-22"), ("Summer 2", "2026-06-01", "2026-07-22")]),
    ]),
    ("2026/27", [
        ("Autumn 2026", [("Autumn 1", "2026-09-02", "2026-10-23"), ("Autumn 2", "2026-11-02", "2026-12-18")]),
        ("Spring 2027", [("Spring 1", "2027-01-04", "2027-02-12"), ("Spring 2", "2027-02-22", "2027-03-25")]),
        ("Summer 2027", [("Summer 1", "2027-04-12", "2027-05-28"), ("Summer 2", "2027-06-07", "2027-07-21")]),
    ]),
]
CLOSURES = [("inset", "INSET day", "2025-09-02"), ("inset", "INSET day", "2026-01-05"), ("inset", "INSET day", "2027-01-04")]

CONTACT_TABLE_SQL = {
    "postgresql": [
        "CREATE TABLE bench_contact (id serial PRIMARY KEY, organisation_id integer NOT NULL, family_id integer NOT NULL,"
        " child_id integer NULL, happened_on date NOT NULL)",
    ],
    "sqlite": [
        "CREATE TABLE bench_contact (id integer PRIMARY KEY, organisation_id integer NOT NULL, family_id integer NOT NULL,"
        " child_id integer NULL, happened_on date NOT NULL)",
    ],
}
# The indexes of the real contact log (keyworker/contacts/models.py): by organisation and day, and by family.
CONTACT_INDEX_SQL = [
    "CREATE INDEX bench_contact_org_day ON bench_contact (organisation_id, happened_on)",
    "CREATE INDEX bench_contact_family_day ON bench_contact (family_id, happened_on)",
]
# The one query of the contact_log source, and the bare-SQL baseline run alone.
CONTACT_SELECT = (
    "SELECT id, family_id, child_id, happened_on FROM bench_contact"
    " WHERE organisation_id = %s AND happened_on >= %s AND happened_on <= %s"
)




def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--settings", type=int, default=13, help="schools the children are spread over")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default="2026-11-18", help="the day the engine computes for (default: %(default)s)")
    parser.add_argument("--contacts", type=int, default=600_000, help="contact log rows to aim for (about)")
    parser.add_argument("--full-runs", type=int, default=3, help="steady-state full recomputes after the first")
    parser.add_argument("--runs", type=int, default=50, help="one-family updates, and timed requests per page")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one steady-state full recompute")
    parser.add_argument("--explain", action="store_true", help="print the plans of the engine's largest queries")
    parser.add_argument("--postgres", action="store_true", help="use a throwaway PostgreSQL database instead of SQLite")
    parser.add_argument("--postgres-server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
                        help="server URL without a database name (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (its location is printed)")
    args = parser.parse_args()

    from bench.database import throwaway_database

    with throwaway_database(name="bench_engine", postgres=args.postgres, server=args.postgres_server, keep=args.keep) as where:
        return run(args, where)


def add_calendars(organisation) -> None:
    """Terms, half terms and INSET days of 2025/26 and 2026/27 on every setting of the organisation."""
    from keyworker.organisations.models import Closure, ClosureKind, HalfTerm, Setting, Term

    d = dt.date.fromisoformat
    for setting in Setting.objects.filter(organisation=organisation).order_by("id"):
        for school_year, terms in YEARS:
            for term_name, halves in terms:
                term = Term.objects.create(
                    organisation=organisation, setting=setting, name=term_name, school_year=school_year,
                    starts_on=d(halves[0][1]), ends_on=d(halves[-1][2]),
                )
                HalfTerm.objects.bulk_create([
                    HalfTerm(organisation=organisation, setting=setting, term=term, name=n, starts_on=d(a), ends_on=d(b))
                    for n, a, b in halves
                ])
        Closure.objects.bulk_create([
            Closure(organisation=organisation, setting=setting, kind=ClosureKind(k), name=n, starts_on=d(day), ends_on=d(day))
            for k, n, day in CLOSURES
        ])


def add_contacts(organisation, as_of: dt.date, target: int, seed: int) -> int:
    """About `target` contact rows: for each family, most school weeks of the last year hold a contact on one
    of the week's school days (some families are contacted less often; a few weeks hold two contacts)."""
    from django.db import connection

    from keyworker.organisations.calendar import TermCalendar
    from keyworker.organisations.models import Setting
    from keyworker.people.models import Child

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        for sql in CONTACT_TABLE_SQL[connection.vendor]:
            cursor.execute(sql)
    setting = Setting.objects.filter(organisation=organisation).order_by("id").first()
    cal = TermCalendar.for_setting(setting)  # every setting has the same calendar
    weeks: dict[dt.date, list[dt.date]] = defaultdict(list)
    for day in cal.school_days_between(as_of - dt.timedelta(days=365), as_of):
        weeks[day - dt.timedelta(days=day.weekday())].append(day)
    week_days = list(weeks.values())
    first_child: dict[int, int] = {}
    for child_id, family_id in Child.objects.filter(organisation=organisation).order_by("id").values_list("id", "family_id"):
        first_child.setdefault(family_id, child_id)
    # Engagement per family: 80% are contacted most weeks, 15% about two weeks in three, 5% rarely.
    mean = 0.8 * 0.95 + 0.15 * 0.7 + 0.05 * 0.3
    scale = min(1.0, target / (len(first_child) * len(week_days) * (mean + 0.08 * mean))) if first_child and week_days else 0
    rows = []
    org_id = organisation.pk
    for family_id, child_id in first_child.items():
        roll = rng.random()
        p = (0.95 if roll < 0.8 else 0.7 if roll < 0.95 else 0.3) * scale
        child = child_id if rng.random() < 0.7 else None
        for days in week_days:
            if rng.random() < p:
                rows.append((org_id, family_id, child, rng.choice(days)))
                if rng.random() < 0.08:
                    rows.append((org_id, family_id, child, rng.choice(days)))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(
                "COPY bench_contact (organisation_id, family_id, child_id, happened_on) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                "INSERT INTO bench_contact (organisation_id, family_id, child_id, happened_on) VALUES (%s, %s, %s, %s)", rows
            )
        for sql in CONTACT_INDEX_SQL:
            cursor.execute(sql)
    return len(rows)


def contact_log_fetch(organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families=None):
    """The contact_log evidence source: the organisation's contacts (or a few families') from start to end, in one
    query whose rows come out in EvidenceRow's order, reference included, ready for the engine. (The bench table has
    no write-up, so min_words is not checked.)"""
    from django.db import connection

    sql = ("SELECT family_id, child_id, happened_on, 'contact:' || id FROM bench_contact"
           " WHERE organisation_id = %s AND happened_on >= %s AND happened_on <= %s")
    params = [organisation_id, start, end]
    if families is not None:
        ids = sorted(families) or [0]
        sql += f" AND family_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def bare_sql(organisation_id: int, start: dt.date, end: dt.date) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(CONTACT_SELECT, [organisation_id, start, end])
        return len(cursor.fetchall())


def engine_selects(organisation_id: int, as_of: dt.date) -> list[str]:
    """The SELECT statements of one full recompute, as executed (parameters in place)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from keyworker.standards import engine

    with CaptureQueriesContext(connection) as ctx:
        engine.recompute(organisation_id=organisation_id, as_of=as_of)
    return [q["sql"] for q in ctx.captured_queries
            if q["sql"].lstrip().upper().startswith("SELECT") and "FOR UPDATE" not in q["sql"].upper()]


def replay(selects: list[str]) -> int:
    """The engine's own reads as bare SQL: the same statements, every row fetched, nothing else done."""
    from django.db import connection

    rows = 0
    with connection.cursor() as cursor:
        for sql in selects:
            cursor.execute(sql)
            rows += len(cursor.fetchall())
    return rows


def run(args, where: str) -> int:  # noqa: PLR0915 - one benchmark, read top to bottom
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.generate import generate_organisation
    from keyworker.accounts.models import StaffMember
    from keyworker.caseload.models import KeyWorkerAllocation
    from keyworker.people.models import Child
    from keyworker.standards import engine
    from keyworker.standards.evidence import EvidenceSource, register_evidence, unregister_evidence
    from keyworker.standards.models import OPEN_STATES, Obligation, Standard
    from keyworker.standards.services import policy_adopt_builtin

    as_of = dt.date.fromisoformat(args.as_of)
    since = as_of - dt.timedelta(days=engine.LOOKBACK_DAYS)
    print(f"Database: {where} ({connection.vendor})")
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"Migrated in {time.perf_counter() - t:.1f} s")
    print(f"Load average before: {_load()} on {os.cpu_count()} CPUs")

    big = generate_organisation(children=args.children, settings=args.settings, seed=args.seed)
    org = big.organisation
    print(f"Generated in {big.seconds:.1f} s: " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in big.counts.items()))
    t = time.perf_counter()
    with transaction.atomic():
        add_calendars(org)
        contacts = add_contacts(org, as_of, args.contacts, args.seed)
    print(f"Calendars (2025/26, 2026/27) and {contacts:,} contact log rows in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"ANALYZE in {time.perf_counter() - t:.1f} s")

    # Adopting runs a first recompute; the contact_log source is registered afterwards, so that the timed
    # first run below is the one that creates the weekly contact obligations.
    t = time.perf_counter()
    unregister_evidence("contact_log")  # the contacts app's own source: this bench reads its own table instead
    policy_adopt_builtin(organisation=org, template_code="school_key_worker", as_of=as_of)
    adopt_s = time.perf_counter() - t
    register_evidence(EvidenceSource("contact_log", "A contact log with a write-up", contact_log_fetch,
                                     conditions=frozenset({"min_words"}), by_family=True))
    computed = [s.clause for s in Standard.objects.filter(organisation=org, enabled=True).order_by("id")
                if engine.evidence_source(s.evidence) is not None]
    print(f"Adopted the school template as of {as_of} in {adopt_s:.1f} s (its recompute without contact_log); "
          f"standards with evidence: {', '.join(computed)}")

    # 1. Full recompute ---------------------------------------------------------------------------------
    print()
    print(f"1. Full recompute, {args.children:,} children, evidence from {since} to {as_of} (times in s)")
    bare = []
    for _ in range(3):
        t = time.perf_counter()
        n_rows = bare_sql(org.pk, since, as_of)
        bare.append(time.perf_counter() - t)
    t = time.perf_counter()
    contact_log_fetch(org.pk, since, as_of, {})
    fetch_s = time.perf_counter() - t
    bare_s = statistics.median(bare)
    print(f"   bare SQL (same SELECT, all rows fetched): {bare_s:7.3f}  ({n_rows:,} rows; median of 3)")
    print(f"   the source's fetch (rows for the engine): {fetch_s:7.3f}")
    t = time.perf_counter()
    first = engine.recompute(organisation_id=org.pk, as_of=as_of)
    first_s = time.perf_counter() - t
    with connection.cursor() as cursor:
        # The planner learns about the new obligations and the visibility map covers them, as autovacuum would
        # after so many inserts (the daily runs come long after the first).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"   first run (creates):                      {first_s:7.3f}  ({first.created:,} created, {first.events:,} events)")
    steady = []
    for _ in range(max(1, args.full_runs)):
        t = time.perf_counter()
        again = engine.recompute(organisation_id=org.pk, as_of=as_of)
        steady.append(time.perf_counter() - t)
        assert again.created == again.updated == again.removed == 0, again
    steady_s = statistics.median(steady)
    print(f"   steady state (nothing changes):           {steady_s:7.3f}  (median of {len(steady)}: "
          f"{', '.join(f'{s:.3f}' for s in steady)})")
    with CaptureQueriesContext(connection) as ctx:
        engine.recompute(organisation_id=org.pk, as_of=as_of)
    states = Counter(Obligation.objects.filter(organisation=org).values_list("state", flat=True))
    print(f"   queries per full run: {len(ctx.captured_queries)}; obligations: {sum(states.values()):,} ("
          + ", ".join(f"{n:,} {s}" for s, n in sorted(states.items())) + ")")
    selects = engine_selects(org.pk, as_of)
    same = []
    for _ in range(3):
        t = time.perf_counter()
        n_same = replay(selects)
        same.append(time.perf_counter() - t)
    same_s = statistics.median(same)
    print(f"   the engine's own {len(selects)} SELECTs replayed bare:     {same_s:7.3f}  ({n_same:,} rows: the evidence it "
          "reads, the stored obligations, children, allocations, calendars; median of 3)")
    ratio = steady_s / bare_s if bare_s else float("inf")
    print(f"   steady state / bare SQL: {ratio:.1f}x (target {FULL_TARGET_RATIO:.0f}x); steady state / its own reads bare: "
          f"{steady_s / same_s:.1f}x; first / bare SQL: {first_s / bare_s:.1f}x; target under {FULL_TARGET_S:.0f} s: "
          + ("met" if max(first_s, steady_s) < FULL_TARGET_S else "MISSED"))

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        engine.recompute(organisation_id=org.pk, as_of=as_of)
        profiler.disable()
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(25)
            print(f"\n   cProfile of a steady-state run, by {order}:")
            print("\n".join("   " + line for line in out.getvalue().splitlines() if line.strip()))
    if args.explain:
        explain(org.pk, as_of, since)

    # 2. One piece of evidence ----------------------------------------------------------------------------
    print()
    weekly = Standard.objects.get(organisation=org, clause="SCH-4", enabled=True)
    week_start = as_of - dt.timedelta(days=as_of.weekday())
    candidates = list(
        Obligation.objects.filter(organisation=org, standard=weekly, period_start=week_start, state__in=OPEN_STATES)
        .order_by("family_id").values_list("family_id", flat=True)[: args.runs + 1]
    )
    times, cpu, queries, updated = [], [], [], []
    for i, family_id in enumerate(candidates):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_contact (organisation_id, family_id, child_id, happened_on) VALUES (%s, %s, NULL, %s)",
                           [org.pk, family_id, as_of])
        if i == 0:  # the query count, from one run that is not timed
            with CaptureQueriesContext(connection) as ctx:
                result = engine.recompute(organisation_id=org.pk, as_of=as_of, families={family_id})
            queries.append(len(ctx.captured_queries))
            updated.append(result.updated)
            continue
        t, c = time.perf_counter(), time.process_time()
        result = engine.recompute(organisation_id=org.pk, as_of=as_of, families={family_id})
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        updated.append(result.updated)
    if times:
        print(f"2. One contact recorded, then recompute(families={{that family}}): {len(times)} families (times in ms)")
        print(f"   median {statistics.median(times):.1f}, p95 {_pct(times, 0.95):.1f}, cpu {statistics.median(cpu):.1f}; "
              f"{queries[0]} queries; obligations updated per run: {min(updated)}-{max(updated)}")
    else:
        print("2. No family with an open obligation this week: nothing to time")

    # 3. My week and team compliance ---------------------------------------------------------------------
    print()
    caseloads = Counter(
        KeyWorkerAllocation.objects.filter(organisation=org, setting=big.setting, ends_at__isnull=True)
        .values_list("staff_id", flat=True)
    )
    staff_id, families = max(caseloads.items(), key=lambda item: (item[1], -item[0]))
    key_worker = StaffMember.objects.select_related("user").get(pk=staff_id)
    mine = Obligation.objects.filter(responsible_staff=key_worker).count()
    setting_children = Child.objects.filter(setting=big.setting).count()
    print(f"3. Pages for {big.setting} ({setting_children:,} children), as of {as_of}; key worker {key_worker} with "
          f"{families} families and {mine} obligations (the largest caseload of the school)")
    kw_client, head_client = Client(), Client()
    kw_client.force_login(key_worker.user)
    head_client.force_login(big.headteacher.user)
    from keyworker.testing import verify_second_factor
    verify_second_factor(head_client, big.headteacher.user)  # leaders prove a second factor after the password
    pages = [
        ("My week (key worker)", kw_client, f"/my-week/?as_of={as_of}"),
        ("Team compliance (headteacher)", head_client, f"/compliance/?setting={big.setting.pk}&as_of={as_of}"),
    ]
    print(f"   {'page':32} {'median':>8} {'p95':>8} {'cpu':>8} {'runs':>5} {'queries':>8} {'bytes':>10}")
    slow = []
    for label, client, url in pages:
        for _ in range(args.warmup):
            response = client.get(url)
            assert response.status_code == 200, (label, url, response.status_code)
        times, cpu = [], []
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        median = statistics.median(times)
        flag = "  over target" if median > PAGE_TARGET_MS else ""
        print(f"   {label:32} {median:8.1f} {_pct(times, 0.95):8.1f} {statistics.median(cpu):8.1f} {len(times):5d} "
              f"{len(ctx.captured_queries):8d} {len(response.content):10,}{flag}", flush=True)
        if flag:
            slow.append(label)
    print(f"Load average after: {_load()}")
    if slow:
        print(f"Over {PAGE_TARGET_MS:.0f} ms median: {', '.join(slow)}")
    return 0


def explain(organisation_id: int, as_of: dt.date, since: dt.date) -> None:
    """The plans of the queries that read the most rows in a full run."""
    from django.db import connection
    from django.db.models import Q

    from keyworker.people.models import Child
    from keyworker.standards.models import Obligation

    analyze = connection.vendor == "postgresql"
    print("\n   EXPLAIN" + (" ANALYZE" if analyze else "") + " of the largest queries:")
    with connection.cursor() as cursor:
        prefix = "EXPLAIN ANALYZE " if analyze else "EXPLAIN QUERY PLAN "
        cursor.execute(prefix + CONTACT_SELECT, [organisation_id, since, as_of])
        print("   - evidence (contact_log):")
        for row in cursor.fetchall():
            print("     " + " ".join(str(x) for x in row))
    queries = {
        "stored obligations": Obligation.objects.filter(organisation_id=organisation_id, period_start__gte=since),
        "children on roll": Child.objects.filter(organisation_id=organisation_id, enrolled_on__lte=as_of)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of)).values("id", "family_id", "setting_id"),
    }
    for label, qs in queries.items():
        print(f"   - {label}:")
        plan = qs.explain(analyze=True) if analyze else qs.explain()
        print("\n".join("     " + line for line in plan.splitlines()))


if __name__ == "__main__":
    sys.exit(main())
