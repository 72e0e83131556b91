"""Time recording a contact, the contact list and a family timeline with a year of contact history.

    .venv/bin/python bench/bench_contacts.py [--families 15000] [--contacts 600000] [--runs 200] [--sqlite]

Uses a throwaway database (bench/database.py): by default a new PostgreSQL database on
postgres://postgres@127.0.0.1:5432 (--postgres-server URL or BENCH_POSTGRES), dropped at the end unless --keep,
with persistent connections (KEYWORKER_CONN_MAX_AGE=600 unless set, as a production server would run);
--sqlite uses a temporary SQLite file instead. Migrates, generates the organisation with bench/generate.py
(about 1.25 children per family, so 15,000 families are about 18,750 children, over --settings schools), gives
every school the 2025/26 and 2026/27 calendars of bench_engine.py, writes a year of real contact logs
(ContactLog rows, one child each: most school weeks for most families, about --contacts in all), adopts the
school template (so recording refreshes the family's weekly contact obligation, as in production) and ANALYZEs.

Time is fixed at 2026-11-18 10:30 UTC, a Wednesday in term. Then, through Django's test Client signed in as key
workers (force_login), it times --runs recordings through the page (POST /contacts/new/) and --runs through the
API (POST /api/v1/contacts/), each for one of the key worker's families, and prints the median and 95th
percentile wall time, the median CPU time of this process and the queries of one recording. Target: under 50 ms
median. It also times the contact list (headteacher: all contacts; key worker: their own), a family's contact
list and a family's timeline (/families/<id>/timeline/).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_MS = 50.0
NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)
WRITE_UPS = [
    "Caught up with {carer} at the gate: {child} has settled well after the weekend.",
    "Phoned {carer} about the trip letter and what {child} needs to bring on Thursday.",
    "Told {carer} that {child} read a whole page aloud to the class today.",
    "{carer} said {child} has been tired in the mornings; we agreed to check in daily this week.",
    "Reminded {carer} about the parents' evening booking and the new PE day.",
]
TONES = ["celebration", "positive", "positive", "positive", "neutral", "neutral", "concern"]
CHANNELS = ["face_to_face", "phone", "messaging_app", "email", "letter", "meeting"]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=15_000)
    parser.add_argument("--settings", type=int, default=12, help="schools the families are spread over")
    parser.add_argument("--contacts", type=int, default=600_000, help="contact logs over the last year to aim for (about)")
    parser.add_argument("--runs", type=int, default=200, help="recordings through the page, and through the API")
    parser.add_argument("--page-runs", type=int, default=50, help="timed requests per list or timeline page")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file instead of PostgreSQL")
    parser.add_argument("--postgres-server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
                        help="server URL without a database name (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (its location is printed)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of 20 page recordings")
    parser.add_argument("--slowest", type=int, default=0, help="print the N slowest queries of each measured request")
    args = parser.parse_args()

    from bench.database import throwaway_database

    # Persistent connections, as a production server keeps them: without, each request would time a new connection.
    os.environ.setdefault("KEYWORKER_CONN_MAX_AGE", "600")
    with throwaway_database(name="bench_contacts", postgres=not args.sqlite, server=args.postgres_server, keep=args.keep) as where:
        return run(args, where)


def add_contact_history(organisation, *, as_of: dt.date, target: int, seed: int, since: dt.date | None = None) -> int:
    """About `target` contact logs over the year before `as_of` (or from `since`): for each family, most school weeks hold a contact
    by its key worker (the headteacher for a family without one) on one of the week's school days; 80% of families
    are contacted most weeks, 15% two weeks in three, 5% rarely; a few weeks hold two. One child per contact."""
    from django.db import connection

    from keyworker.accounts.models import StaffMember
    from keyworker.caseload.models import KeyWorkerAllocation
    from keyworker.contacts.models import ContactLog
    from keyworker.contacts.services import word_count
    from keyworker.organisations.calendar import TermCalendar
    from keyworker.organisations.models import Setting
    from keyworker.people.models import Carer, Child, ContactRestriction

    rng = random.Random(seed)
    setting = Setting.objects.filter(organisation=organisation).order_by("id").first()
    cal = TermCalendar.for_setting(setting)  # every setting has the same calendar
    weeks: dict[dt.date, list[dt.date]] = defaultdict(list)
    for day in cal.school_days_between(since or as_of - dt.timedelta(days=365), as_of):
        weeks[day - dt.timedelta(days=day.weekday())].append(day)
    week_days = list(weeks.values())
    head = StaffMember.objects.filter(organisation=organisation).order_by("id").values_list("id", flat=True).first()
    key_worker = dict(KeyWorkerAllocation.objects.filter(organisation=organisation, ends_at__isnull=True)
                      .values_list("family_id", "staff_id"))
    child_of: dict[int, tuple[int, int, str]] = {}
    for child_id, family_id, setting_id, name in Child.objects.filter(organisation=organisation).order_by("id").values_list(
        "id", "family_id", "setting_id", "legal_first_name"
    ):
        child_of.setdefault(family_id, (child_id, setting_id, name))
    carer_of: dict[int, tuple[int, str]] = {}
    for carer_id, family_id, name in Carer.objects.filter(organisation=organisation).exclude(
        contact_restriction=ContactRestriction.NO_CONTACT
    ).order_by("contact_order", "id").values_list("id", "family_id", "first_name"):
        carer_of.setdefault(family_id, (carer_id, name))
    mean = 0.8 * 0.95 + 0.15 * 0.7 + 0.05 * 0.3
    scale = min(1.0, target / (len(child_of) * len(week_days) * (mean * 1.08))) if child_of and week_days else 0
    at = dt.time(15, 20)
    rows: list[tuple] = []
    about: list[int] = []
    for family_id, (child_id, setting_id, child_name) in child_of.items():
        roll = rng.random()
        p = (0.95 if roll < 0.8 else 0.7 if roll < 0.95 else 0.3) * scale
        carer_id, carer_name = carer_of.get(family_id, (None, "the family"))
        author = key_worker.get(family_id, head)
        for days in week_days:
            for _ in range(2 if rng.random() < 0.08 else 1):
                if rng.random() >= p:
                    continue
                day = rng.choice(days)
                write_up = rng.choice(WRITE_UPS).format(carer=carer_name, child=child_name)
                tone = rng.choice(TONES)
                rows.append((
                    organisation.pk, family_id, setting_id, author, day, rng.choice(CHANNELS), "from_school", tone, carer_id,
                    write_up, word_count(write_up), "", None, rng.random() < 0.8,
                    dt.datetime.combine(day, at, tzinfo=dt.UTC), None, None, "", "", None, None, 1,
                ))
                about.append(child_id)
    columns = ("organisation_id", "family_id", "setting_id", "author_id", "happened_on", "channel", "direction", "tone",
               "carer_id", "write_up", "word_count", "follow_up", "follow_up_on", "used_preferred_method", "created_at",
               "edited_at", "voided_at", "void_reason", "safeguarding_category", "flagged_at", "flagged_by_id", "version")
    table, through = ContactLog._meta.db_table, ContactLog.children.through._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            first_id = cursor.fetchone()[0] + 1
            with cursor.cursor.copy(f"COPY {table} (id, {', '.join(columns)}) FROM STDIN") as copy:
                for i, row in enumerate(rows):
                    copy.write_row((first_id + i, *row))
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [first_id + len(rows)])
            with cursor.cursor.copy(f"COPY {through} (contactlog_id, child_id) FROM STDIN") as copy:
                for i, child_id in enumerate(about):
                    copy.write_row((first_id + i, child_id))
    else:
        logs = ContactLog.objects.bulk_create([ContactLog(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000)
        ContactLog.children.through.objects.bulk_create(
            [ContactLog.children.through(contactlog_id=log.pk, child_id=c) for log, c in zip(logs, about, strict=True)],
            batch_size=5000,
        )
    return len(rows)


def _key_workers(organisation, count: int):
    """`count` key workers of different schools' classes, each with their current families (at least two)."""
    from keyworker.accounts.models import StaffMember
    from keyworker.caseload.models import KeyWorkerAllocation

    families: dict[int, list[int]] = defaultdict(list)
    for staff_id, family_id in KeyWorkerAllocation.objects.filter(organisation=organisation, ends_at__isnull=True).order_by(
        "staff_id", "family_id"
    ).values_list("staff_id", "family_id"):
        families[staff_id].append(family_id)
    chosen = [s for s, f in sorted(families.items()) if len(f) >= 2]
    step = max(1, len(chosen) // count)
    picked = chosen[::step][:count]
    staff = StaffMember.objects.select_related("user").in_bulk(picked)
    return [(staff[s], families[s]) for s in picked]


def _timed(label: str, fn, runs: int, warmup: int) -> tuple[list[float], list[float]]:
    for _ in range(warmup):
        fn(-1)
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
    from keyworker.contacts.models import ContactLog
    from keyworker.standards.services import policy_adopt_builtin

    as_of = NOW.date()
    print(f"Database: {where} ({connection.vendor}), connections kept {os.environ['KEYWORKER_CONN_MAX_AGE']} s")
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"Migrated in {time.perf_counter() - t:.1f} s")
    print(f"Load average before: {_load()} on {os.cpu_count()} CPUs")

    big = generate_organisation(children=round(args.families * 1.25), settings=args.settings, seed=args.seed)
    org = big.organisation
    print(f"Generated in {big.seconds:.1f} s: " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in big.counts.items()))
    t = time.perf_counter()
    with transaction.atomic():
        add_calendars(org)
        made = add_contact_history(org, as_of=as_of, target=args.contacts, seed=args.seed)
    print(f"Calendars and {made:,} contact logs over the last year in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    policy_adopt_builtin(organisation=org, template_code="school_key_worker", as_of=as_of)
    print(f"Adopted the school template (first recompute) in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"ANALYZE in {time.perf_counter() - t:.1f} s")

    workers = _key_workers(org, 20)
    clients = []
    for staff, families in workers:
        client = Client()
        client.force_login(staff.user)
        clients.append((client, staff, families))
    print(f"Recording as {len(clients)} key workers ({sum(len(f) for _, _, f in clients)} families between them)")
    print()
    print(f"{args.runs} timed requests after {args.warmup} warm-up (pages: {args.page_runs}); times in ms")
    print(f"{'what':44} {'median':>8} {'p95':>8} {'cpu':>8} {'runs':>5} {'queries':>8}")
    slow = []

    def slowest(ctx) -> None:
        for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:args.slowest]:
            print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:400]}")

    def report(label: str, times: list[float], cpu: list[float], queries: int) -> None:
        median = statistics.median(times)
        flag = "  over target" if median > TARGET_MS else ""
        print(f"{label:44} {median:8.1f} {_pct(times, 0.95):8.1f} {statistics.median(cpu):8.1f} {len(times):5d} {queries:8d}{flag}",
              flush=True)
        if flag:
            slow.append(label)

    def page_post(i: int):
        client, _staff, families = clients[i % len(clients)]
        family = families[(i // len(clients)) % len(families)]
        response = client.post(f"/contacts/new/?family={family}", {
            "family": family, "channel": "phone", "tone": "positive", "direction": "from_school", "happened_on": "2026-11-18",
            "carer": "", "write_up": "Phoned home about the school trip and the reading book; all fine.",
        })
        assert response.status_code == 302, (response.status_code, response.content[:500])
        return response

    def api_post(i: int):
        client, _staff, families = clients[i % len(clients)]
        family = families[(i // len(clients) + 1) % len(families)]
        response = client.post("/api/v1/contacts/", {
            "family": family, "channel": "email", "tone": "neutral", "happened_on": "2026-11-18",
            "write_up": "E-mailed home the trip letter and the date of the parents' evening.",
        }, content_type="application/json")
        assert response.status_code == 201, (response.status_code, response.content[:500])
        return response

    for label, fn in (("Record a contact: page POST", page_post), ("Record a contact: API POST", api_post)):
        times, cpu = _timed(label, fn, args.runs, args.warmup)
        with CaptureQueriesContext(connection) as ctx:
            fn(args.runs)
        report(label, times, cpu, len(ctx.captured_queries))
        slowest(ctx)

    if args.profile:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(20):
            page_post(i)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())

    head = Client()
    head.force_login(big.headteacher.user)
    from keyworker.testing import verify_second_factor
    verify_second_factor(head, big.headteacher.user)  # leaders prove a second factor after the password
    kw_client, kw_staff, kw_families = clients[0]
    family = kw_families[0]
    pages = [
        ("Contact list p.1 (headteacher)", head, "/contacts/"),
        ("Contact list p.20 (headteacher)", head, "/contacts/?page=20"),
        ("Contact list, concerns (headteacher)", head, "/contacts/?tone=concern"),
        ("Contact list, a class (headteacher)", head, f"/contacts/?class={_a_class(kw_families)}"),
        ("Contact list, mine (key worker)", kw_client, f"/contacts/?staff={kw_staff.pk}"),
        ("Contact list (key worker)", kw_client, "/contacts/"),
        ("Family's contacts (key worker)", kw_client, f"/contacts/?family={family}"),
        ("Family timeline (key worker)", kw_client, f"/families/{family}/timeline/"),
        ("Family timeline p.3 (key worker)", kw_client, f"/families/{family}/timeline/?page=3"),
    ]
    for label, client, url in pages:
        def get(_i: int, client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        times, cpu = _timed(label, get, args.page_runs, args.warmup)
        with CaptureQueriesContext(connection) as ctx:
            get(0)
        report(label, times, cpu, len(ctx.captured_queries))
        slowest(ctx)
    print(f"Contact logs now: {ContactLog.objects.filter(organisation=org).count():,}")
    print(f"Load average after: {_load()}")
    print()
    print("All under the target median." if not slow else f"Over {TARGET_MS:.0f} ms median: {', '.join(slow)}")
    traveller.stop()
    return 0


def _a_class(family_ids: list[int]) -> int:
    from keyworker.people.models import Child

    return Child.objects.filter(family_id__in=family_ids).exclude(group=None).values_list("group_id", flat=True).first()


if __name__ == "__main__":
    sys.exit(main())
