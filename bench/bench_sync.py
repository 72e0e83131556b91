"""Benchmark: the nightly MIS sync of 20,000 children where 1 % changed (and a few left), on a fresh database.

    .venv/bin/python bench/bench_sync.py              # a temporary SQLite file
    .venv/bin/python bench/bench_sync.py --postgres   # a throwaway PostgreSQL database, dropped afterwards

Imports the generated export once (bench_import's file), saves its columns as a mapping, changes 1 % of the pupils
(class, surname or EHCP) and leaves a handful out, then times `sync_run` on the new file: read, check, compare and
write. Prints the time (target: under 20 s) and counts the rows written: only the changed children and the leavers.
"""

import argparse
import csv
import datetime as dt
import random
import shutil
import tempfile
import time
from pathlib import Path

from bench_import import CLASSES_PER_YEAR, YEARS, _configure, _drop_postgres, write_csv


def _changed(path: Path, out: Path, share: float, leavers: int, seed: int) -> int:
    rng = random.Random(seed)
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    col = {h: i for i, h in enumerate(head)}
    changed = 0
    for row in rng.sample(body, int(len(body) * share)):
        what = rng.randrange(3)
        if what == 0:
            row[col["Reg Group"]] = row[col["Reg Group"]][:-1] + chr(65 + (ord(row[col["Reg Group"]][-1]) - 64) % CLASSES_PER_YEAR)
        elif what == 1:
            row[col["Legal Surname"]] += "-Jones"
        else:
            row[col["SEN Status"]] = "E" if row[col["SEN Status"]] != "E" else "N"
        changed += 1
    for _ in range(leavers):
        body.pop(rng.randrange(len(body)))
    with out.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([head, *body])
    return changed


def run(children: int, share: float, leavers: int, seed: int, postgres: bool) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench_sync_"))
    try:
        url = _configure(postgres, tmp)
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from keyworker.imports import services
        from keyworker.imports.reading import read_table
        from keyworker.imports.sync import mapping_save, sync_run
        from keyworker.organisations.models import Group, Setting, SettingKind
        from keyworker.organisations.services import organisation_create

        print(f"Database: {connection.vendor} ({url})")
        call_command("migrate", verbosity=0)
        org = organisation_create(name="Bench Academy", slug="bench-academy")
        setting = Setting.objects.create(organisation=org, name="Bench Primary", kind=SettingKind.SCHOOL)
        Group.objects.bulk_create([
            Group(organisation=org, setting=setting, name=f"{y.replace('Year ', 'Y').replace('Reception', 'R')}{chr(65 + c)}",
                  year_group=y) for y in YEARS for c in range(CLASSES_PER_YEAR)])
        first = tmp / "pupils.csv"
        rows, _families = write_csv(first, children, seed)
        job = services.import_upload(actor=None, setting=setting, kind="children", name=first.name, data=first.read_bytes())
        job = services.import_map(actor=None, job=job, mapping=job.mapping)
        job = services.import_run(actor=None, job=services.import_confirm(actor=None, job=job))
        saved = mapping_save(actor=None, setting=setting, name="Nightly", headers=job.headers, mapping=job.mapping)
        print(f"On roll: {rows} children (first import: {services.import_summary(job)})")
        tonight = tmp / "tonight.csv"
        n_changed = _changed(first, tonight, share, leavers, seed + 1)
        print(f"Tonight's file: {n_changed} children changed ({share:.0%}), {leavers} left out")
        c0, t0 = time.process_time(), time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            table = read_table(tonight.name, tonight.read_bytes())
            t1 = time.perf_counter()
            report = sync_run(saved=saved, table=table, file_name=tonight.name, as_of=dt.date.today())
        c2, t2 = time.process_time(), time.perf_counter()
        writes = [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
        print(f"Read:                   {t1 - t0:6.2f} s")
        print(f"Check, compare, write:  {t2 - t1:6.2f} s")
        print(f"Total:                  {t2 - t0:6.2f} s wall, {c2 - c0:6.2f} s CPU (target: 20 s)")
        print(f"Report: {report.summary()}")
        print(f"Statements: {len(queries.captured_queries)} in all, {len(writes)} writing "
              f"(children updated in batches of 500: {len(report.updated)} changed + {len(report.leavers)} leavers)")
    finally:
        if postgres:
            _drop_postgres()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--share", type=float, default=0.01)
    parser.add_argument("--leavers", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    run(args.children, args.share, args.leavers, args.seed, args.postgres)


if __name__ == "__main__":
    main()
