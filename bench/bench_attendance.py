"""Time the attendance register at scale: an import of a year of marks, and rates over millions of marks.

    .venv/bin/python bench/bench_attendance.py --postgres [--import-children 1500] [--rate-children 20000] [--runs 5]
        [--import-runs 3] [--file-rows 600000] [--skip-rates]

Uses a throwaway database (with --postgres a new PostgreSQL database, dropped at the end; else a temporary
SQLite file). Migrates, generates two organisations (bench/generate.py) with the 2025/26 and 2026/27 term
calendars of bench/bench_engine.py, then measures:

1. the import: a year (2025/26) of marks for --import-children children (about 380 sessions each, so about
   570,000 rows for 1,500 children) through keyworker.attendance.importing.marks_import, as CSV files of at most
   --file-rows rows (default: one file), signed in as the headteacher: the median of --import-runs imports into
   an empty register (the marks deleted between runs), then the same files again (every mark unchanged), then a
   file changing one mark in fifty (changes with their revisions). Each import is timed inside an outer
   transaction so that its time splits into reading the file, checking the rows (with the queries that load
   the lookups), writing, and the commit (where PostgreSQL runs the foreign-key checks it defers);
2. rates: a year of marks for --rate-children children (about 7.6 million rows for 20,000), written with one
   INSERT ... SELECT, then ANALYZE; selectors.rates_by_child for every child of the organisation, and for one
   school, against the bare SQL aggregate that computes the same counts, in the same run (median of --runs);
3. the class overview page (a class of 12, the school year) through Django's test client: median of --runs.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
YEAR = (dt.date(2025, 9, 3), dt.date(2026, 7, 22))

# The bare aggregate: the counts rates_by_child computes, in one statement.
BARE_SQL = """
SELECT m.child_id,
       SUM(CASE WHEN c.possible AND c.category = 'present' THEN 1 ELSE 0 END),
       SUM(CASE WHEN c.possible AND c.category = 'authorised' THEN 1 ELSE 0 END),
       SUM(CASE WHEN c.possible AND c.category = 'unauthorised' THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT c.possible THEN 1 ELSE 0 END)
FROM attendance_attendancemark m JOIN attendance_attendancecode c ON c.id = m.code_id
WHERE m.organisation_id = %s AND m.date >= %s AND m.date <= %s {extra}
GROUP BY m.child_id
"""

# A pseudo-random code per child, day and session in portable SQL: 92 % present; illness, appointments, late,
# N, O, G; a few dual-registered sessions; every ninth and seventh child with more absence (persistent absentees).
FILL_SQL = """
INSERT INTO attendance_attendancemark (organisation_id, child_id, setting_id, date, session, code_id, recorded_by_id,
                                       recorded_at, reason)
SELECT organisation_id, id, setting_id, d, s,
       CASE
         WHEN r < 920 THEN (CASE WHEN k = 1 THEN %(am)s ELSE %(pm)s END)
         WHEN r < 950 THEN %(i)s WHEN r < 960 THEN %(m)s WHEN r < 970 THEN %(l)s WHEN r < 980 THEN %(n)s
         WHEN r < 988 THEN %(o)s WHEN r < 996 THEN %(g)s ELSE %(d)s
       END,
       NULL, %(at)s, ''
FROM (
  SELECT organisation_id, id, setting_id, d, s, k,
         CASE WHEN id %% 9 = 0 AND o < 110 THEN 930 + o %% 70
              WHEN id %% 7 = 0 AND o < 30 THEN 930 + o ELSE o END AS r
  FROM (
    SELECT ch.organisation_id, ch.id, ch.setting_id, d.d, s.s, s.k,
           ((ch.id * 1103515245) + (d.n * 12345) + (s.k * 2654435761)) %% 1000 AS o
    FROM people_child ch CROSS JOIN bench_days d
    CROSS JOIN (SELECT 'AM' AS s, 1 AS k UNION ALL SELECT 'PM', 2) s
    WHERE ch.organisation_id = %(org)s
  ) y
) x
"""


def _median_ms(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        started = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), out


def _phases(phases: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.1f} s" for k, v in phases.items())


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--import-children", type=int, default=1500)
    parser.add_argument("--rate-children", type=int, default=20_000)
    parser.add_argument("--settings", type=int, default=13, help="schools the rate children are spread over")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-rates", action="store_true")
    parser.add_argument("--import-runs", type=int, default=3)
    parser.add_argument("--file-rows", type=int, default=600_000, help="rows per CSV file of the import")
    parser.add_argument("--postgres", action="store_true", help="use a throwaway PostgreSQL database instead of SQLite")
    parser.add_argument("--postgres-server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (its location is printed)")
    args = parser.parse_args()

    from bench.database import throwaway_database

    with throwaway_database(name="bench_attendance", postgres=args.postgres, server=args.postgres_server, keep=args.keep) as where:
        return run(args, where)


def _school_days(setting) -> list[dt.date]:
    from keyworker.organisations.calendar import TermCalendar

    return TermCalendar.for_setting(setting).school_days_between(*YEAR)


def bench_import(args) -> None:
    from django.db import connection

    from bench.bench_engine import add_calendars
    from bench.generate import generate_organisation
    from keyworker.accounts.access import actor_for
    from keyworker.attendance.importing import marks_import
    from keyworker.attendance.models import AttendanceMark

    gen = generate_organisation(children=args.import_children, settings=1, seed=7, name="Import Academy", slug="import-academy")
    add_calendars(gen.organisation)
    days = _school_days(gen.setting)
    from keyworker.people.models import Child

    refs = list(Child.objects.filter(organisation=gen.organisation).order_by("id").values_list("mis_reference", flat=True))
    rows = []
    for k, ref in enumerate(refs):
        for i, day in enumerate(days):
            for s, session in enumerate(("AM", "PM")):
                r = (k * 7919 + i * 104729 + s * 31) % 100
                code = ("/" if session == "AM" else "\\") if r < 93 else "IIIMLNOG"[r - 93] if r < 101 else "/"
                rows.append((ref, f"{day:%d/%m/%Y}", session, code))
    def as_files(rows):
        files = []
        for start in range(0, len(rows), args.file_rows):
            buf = io.StringIO()
            w = csv.writer(buf)
            w.writerow(["MIS id", "Date", "Session", "Code"])
            w.writerows(rows[start:start + args.file_rows])
            files.append(buf.getvalue().encode())
        return files

    files = as_files(rows)
    actor = actor_for(gen.headteacher.user, gen.organisation.pk)
    print(f"\nImport: {len(refs):,} children x {len(days)} school days x 2 = {len(rows):,} rows in {len(files)} CSV files "
          f"({sum(len(f) for f in files) / 1e6:.1f} MB); load average {_load()}")

    from django.db import transaction

    from keyworker.attendance import importing

    phases: dict[str, float] = {}

    def timed(name, fn):
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - t
        return wrapper

    importing.read_marks_table = timed("read", importing.read_marks_table)
    importing._check_rows = timed("check", importing._check_rows)
    importing._write_postgres = timed("write", importing._write_postgres)
    importing._write_portable = timed("write", importing._write_portable)

    def import_all(files):
        totals = [0, 0, 0]
        phases.clear()
        for n, data in enumerate(files, start=1):
            # An outer transaction, so that the commit (and the foreign-key checks PostgreSQL defers to it) is timed
            # on its own; marks_import's own transaction becomes a savepoint.
            with transaction.atomic():
                report = marks_import(actor=actor, name=f"marks-{n}.csv", data=data)
                t = time.perf_counter()
            phases["commit"] = phases.get("commit", 0.0) + time.perf_counter() - t
            assert report.ok, report.problems[:5]
            totals[0] += report.created
            totals[1] += report.changed
            totals[2] += report.unchanged
        return totals

    times = []
    for run in range(args.import_runs):
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {AttendanceMark._meta.db_table} WHERE organisation_id = %s", [gen.organisation.pk])  # noqa: S608
        t = time.perf_counter()
        created, _, _ = import_all(files)
        times.append(time.perf_counter() - t)
        assert AttendanceMark.objects.filter(organisation=gen.organisation).count() == len(rows) == created
        print(f"  run {run + 1}: {len(rows):,} new marks in {times[-1]:.1f} s ({_phases(phases)}; load average {_load()})")
    total = statistics.median(times)
    print(f"  into an empty register: median {total:.1f} s ({len(rows) / total:,.0f} rows/s)")
    t = time.perf_counter()
    _, changed, unchanged = import_all(files)
    again = time.perf_counter() - t
    assert (changed, unchanged) == (0, len(rows))
    print(f"  the same files again (all {unchanged:,} unchanged): {again:.1f} s ({_phases(phases)})")
    edited = [(ref, day, session, "M" if i % 50 == 0 and code != "M" else "L" if i % 50 == 0 else code)
              for i, (ref, day, session, code) in enumerate(rows)]
    t = time.perf_counter()
    _, changed, unchanged = import_all(as_files(edited))
    took = time.perf_counter() - t
    assert changed == sum(1 for a, b in zip(rows, edited, strict=True) if a[3] != b[3])
    print(f"  one mark in fifty changed ({changed:,} changes with revisions, {unchanged:,} unchanged): {took:.1f} s "
          f"({_phases(phases)})")


def fill_marks(organisation, setting) -> int:
    from django.db import connection, transaction

    from keyworker.attendance.models import AttendanceCode, AttendanceMark

    days = _school_days(setting)
    codes = {c.code: c.pk for c in AttendanceCode.objects.filter(jurisdiction="england")}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE bench_days (d date PRIMARY KEY, n integer NOT NULL)")
        cur.executemany("INSERT INTO bench_days (d, n) VALUES (%s, %s)", [(d, i) for i, d in enumerate(days)])
        cur.execute(FILL_SQL, {
            "am": codes["/"], "pm": codes["\\"], "i": codes["I"], "m": codes["M"], "l": codes["L"], "n": codes["N"],
            "o": codes["O"], "g": codes["G"], "d": codes["D"], "org": organisation.pk,
            "at": dt.datetime(2026, 7, 22, 16, 0, tzinfo=dt.UTC),
        })
        cur.execute("DROP TABLE bench_days")
    return AttendanceMark.objects.filter(organisation=organisation).count()


def bench_rates(args) -> None:
    from django.db import connection
    from django.test import Client

    from bench.bench_engine import add_calendars
    from bench.generate import generate_organisation
    from keyworker.attendance.selectors import band, rates_by_child, thresholds
    from keyworker.organisations.models import Group
    from keyworker.people.models import Child

    gen = generate_organisation(children=args.rate_children, settings=args.settings, seed=1)
    add_calendars(gen.organisation)
    org = gen.organisation
    t = time.perf_counter()
    n = fill_marks(org, gen.setting)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"\nRates: {args.rate_children:,} children, {n:,} marks written and analysed in {time.perf_counter() - t:.0f} s")

    start, end = YEAR
    all_ids = list(Child.objects.filter(organisation=org).values_list("id", flat=True))
    school_ids = list(Child.objects.filter(organisation=org, setting=gen.setting).values_list("id", flat=True))
    limits = thresholds(org.pk)

    def ours(ids):
        return lambda: rates_by_child(org.pk, ids, start, end)

    def ours_qs():
        return rates_by_child(org.pk, Child.objects.filter(organisation=org), start, end)

    def bare(extra: str, params: list):
        def go():
            with connection.cursor() as cur:
                cur.execute(BARE_SQL.format(extra=extra), [org.pk, start, end, *params])
                return cur.fetchall()
        return go

    cases = [
        (f"every child ({len(all_ids):,}), as a subquery", ours_qs, bare("", [])),
        (f"every child ({len(all_ids):,}), as a list of ids", ours(all_ids), bare("", [])),
        (f"one school ({len(school_ids):,})", ours(school_ids),
         bare("AND m.setting_id = %s", [gen.setting.pk])),
    ]
    print(f"  load average {_load()}; median of {args.runs} runs after one warm-up")
    for label, fn, raw in cases:
        fn()
        raw()
        ours_ms, got = _median_ms(fn, args.runs)
        bare_ms, rows = _median_ms(raw, args.runs)
        assert len(got) == len(rows)
        for child_id, p, a, u, np in rows[:200]:
            r = got[child_id]
            assert (r.present, r.authorised, r.unauthorised, r.not_possible) == (p, a, u, np)
        print(f"  {label:40s} rates_by_child {ours_ms:8.0f} ms   bare SQL {bare_ms:8.0f} ms   ratio {ours_ms / bare_ms:4.2f}")
    got = rates_by_child(org.pk, all_ids, start, end)
    bands = [band(r, limits) for r in got.values()]
    print(f"  persistent {bands.count('persistent'):,}, severe {bands.count('severe'):,} of {len(got):,} children")

    group = Group.objects.filter(organisation=org, setting=gen.setting).order_by("id").first()
    client = Client()
    client.force_login(gen.headteacher.user)
    from keyworker.testing import verify_second_factor
    verify_second_factor(client, gen.headteacher.user)  # leaders prove a second factor after the password
    url = f"/attendance/classes/{group.pk}/?from={start}&to={end}"
    assert client.get(url).status_code == 200
    page_ms, _ = _median_ms(lambda: client.get(url), max(args.runs, 10))
    print(f"  class overview page (class of {Child.objects.filter(group=group).count()}, the school year): {page_ms:.0f} ms median")


def run(args, where: str) -> int:
    import django
    from django.core.management import call_command

    django.setup()
    print(f"Database: {where}")
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"Migrated in {time.perf_counter() - t:.0f} s")
    if not args.skip_import:
        bench_import(args)
    if not args.skip_rates:
        bench_rates(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
