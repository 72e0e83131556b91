"""Time the manager's monitoring view (CC-M3) of a setting of 300 children with two years of observations.

    .venv/bin/python bench/bench_monitoring.py [--children 300] [--observations 30000] [--postgres] [--runs 30]

Uses a throwaway database (bench/database.py) and generates an early years setting: its manager, 20 key people,
300 children each with a key person. The view reads the registered monitoring sources. When the care app has
journals (an `Observation` model in `keyworker.care.models`), the benchmark writes about 30,000 observations over
two years through that model and measures with the registered sources; otherwise it registers a generated journal
source that holds the same observations in memory and reads the setting's children in one query, so the figures
are those of the view itself. Prints the median and 95th percentile wall time, the median CPU time, the queries of
one request (at 300 and at 30 children: they must be the same) and the page size. Target: under 150 ms median.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import time_page  # noqa: E402

TARGET_MS = 150.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=300)
    parser.add_argument("--observations", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--postgres-server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from bench.database import throwaway_database

    with throwaway_database(name="bench_monitoring", postgres=args.postgres, server=args.postgres_server,
                            keep=args.keep) as where:
        return run(args, where)


def _setting(slug: str, children: int, rng: random.Random):
    """An early years setting with a manager, 20 key people and `children` children, each allocated."""
    from keyworker.accounts.models import Role
    from keyworker.accounts.services import staff_save
    from keyworker.caseload.models import KeyWorkerAllocation
    from keyworker.core import clock
    from keyworker.organisations.models import Group, Setting, SettingKind
    from keyworker.organisations.services import organisation_create
    from keyworker.people.models import Child, Family

    org = organisation_create(name=f"Monitoring bench {slug}", slug=slug)
    setting = Setting.objects.create(organisation=org, name=f"Bench Nursery {slug}", kind=SettingKind.EARLY_YEARS)
    rooms = [Group.objects.create(organisation=org, setting=setting, name=f"Room {i}", year_group="2–3 years")
             for i in range(5)]
    roles = {r.code: r for r in Role.objects.filter(organisation=org)}
    manager = staff_save(actor=None, organisation=org, full_name=f"Manager {slug}", email=f"manager.{slug}@example.org",
                         setting=setting, roles=[roles["manager"]], groups=[], password="correct-horse-battery-staple")
    people = [staff_save(actor=None, organisation=org, full_name=f"Key Person {i}", email=f"kp{i}.{slug}@example.org",
                         setting=setting, roles=[roles["practitioner"]], groups=[rooms[i % 5]], password="correct-horse-battery-staple")
              for i in range(20)]
    families = Family.objects.bulk_create([Family(organisation=org, name=f"The Bench{i} family") for i in range(children)])
    kids = Child.objects.bulk_create([
        Child(organisation=org, family=f, setting=setting, group=rooms[i % 5], legal_first_name=f"Child{i}",
              legal_last_name=f"Bench{i}", date_of_birth=dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 700)),
              enrolled_on=dt.date(2024, 9, 1))
        for i, f in enumerate(families)])
    now = clock.now()
    KeyWorkerAllocation.objects.bulk_create([
        KeyWorkerAllocation(organisation=org, family=f, setting=setting, staff=people[i % 20], starts_at=now, reason="Bench")
        for i, f in enumerate(families)])
    return setting, manager, kids, people


def _observations_through_model(model, kids, people, total: int, today: dt.date, rng: random.Random) -> bool:
    """Write the observations through the journals' own model, filling what it requires; False if it cannot."""
    from django.db import models as m

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = []
    for n in range(total):
        child = kids[n % len(kids)]
        day = today - dt.timedelta(days=rng.randint(0, 730))
        values = {}
        for f in fields:
            if f.name == "organisation":
                values["organisation_id"] = child.organisation_id
            elif f.name == "child":
                values["child_id"] = child.pk
            elif f.name == "family":
                values["family_id"] = child.family_id
            elif f.name == "setting":
                values["setting_id"] = child.setting_id
            elif isinstance(f, m.ForeignKey) and f.related_model.__name__ == "StaffMember":
                values[f.attname] = people[n % len(people)].pk
            elif isinstance(f, m.DateTimeField):
                values[f.name] = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
            elif isinstance(f, m.DateField):
                values[f.name] = day
            elif f.has_default() or f.null or (f.blank and isinstance(f, (m.CharField, m.TextField))):
                continue
            elif isinstance(f, (m.CharField, m.TextField)):
                values[f.name] = f.choices[0][0] if f.choices else "Played in the sand and counted to ten."[:f.max_length or 200]
            elif isinstance(f, (m.IntegerField, m.BooleanField)):
                values[f.name] = 1 if isinstance(f, m.IntegerField) else False
            else:
                return False
        rows.append(model(**values))
    model.objects.bulk_create(rows, batch_size=5000)
    return True


def _generated_source(kids, total: int, today: dt.date, rng: random.Random):
    """A journal source holding `total` observation dates in memory; one query for the setting's children."""
    from keyworker.care.monitoring_sources import MonitoredRecord, MonitoringSource
    from keyworker.people.models import Child

    latest: dict[int, dt.date] = {}
    for n in range(total):
        child = kids[n % len(kids)]
        day = today - dt.timedelta(days=rng.randint(0, 730))
        latest[child.pk] = max(day, latest.get(child.pk, day))

    def records(setting, as_of):
        out = {}
        for pk in Child.objects.filter(setting=setting).values_list("id", flat=True):
            last = latest.get(pk)
            age = (as_of - last).days if last else None
            fresh = age is not None and age <= 14
            out[pk] = MonitoredRecord(pk, "journal", last, None, last + dt.timedelta(days=14) if last else None, fresh,
                                      f"Observed {age} days ago" if fresh else f"No observation for {age} days",
                                      f"/care/journals/{pk}/")
        return out

    return MonitoringSource("journal", "Learning journal", ("early_years",), records)


def run(args, where: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from keyworker.care import models as care_models
    from keyworker.care.monitoring_sources import monitoring_sources, register_monitoring_source
    from keyworker.core import clock
    from keyworker.testing import needs_second_factor, verify_second_factor

    print(f"Database: {where} ({connection.vendor})")
    call_command("migrate", verbosity=0)
    print(f"Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    rng = random.Random(7)
    today = clock.today()
    big, manager, kids, people = _setting("mon-bench-big", args.children, rng)
    small, small_manager, small_kids, small_people = _setting("mon-bench-small", max(1, args.children // 10), rng)
    observation = getattr(care_models, "Observation", None)
    through_model = observation is not None and monitoring_sources("early_years") and all(
        _observations_through_model(observation, k, p, n, today, rng)
        for k, p, n in ((kids, people, args.observations), (small_kids, small_people, args.observations // 10)))
    if not through_model:
        source = _generated_source(kids + small_kids, args.observations + args.observations // 10, today, rng)
        register_monitoring_source(source)
    how = "the journals' Observation model" if through_model else "a generated journal source"
    print(f"Generated {len(kids)} children ({len(small_kids)} in the small setting), {args.observations:,} observations "
          f"through {how}; sources: {', '.join(s.kind for s in monitoring_sources('early_years'))}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    print()
    print(f"{args.runs} requests per page after {args.warmup} warm-up; times in ms")
    print(f"{'page':40} {'median':>8} {'p95':>8} {'cpu':>8} {'queries':>8} {'bytes':>9}")
    results = {}
    for label, setting, staff, runs in (("Monitoring view (300 children)", big, manager, args.runs),
                                        ("Monitoring view (30 children)", small, small_manager, max(5, args.runs // 3))):
        client = Client()
        client.force_login(staff.user)
        if needs_second_factor(staff.user):  # a manager proves a second factor, as signing in would ask
            verify_second_factor(client, staff.user)
        median, p95, cpu, queries, size = time_page(client, f"/care/monitoring/{setting.pk}/", runs, args.warmup)
        results[label] = (median, queries)
        flag = "  over target" if median > TARGET_MS and "300" in label else ""
        print(f"{label:40} {median:8.1f} {p95:8.1f} {cpu:8.1f} {queries:8d} {size:9,}{flag}", flush=True)
    (big_ms, big_q), (_, small_q) = results.values()
    print(f"Load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("Queries: the same at both sizes." if big_q == small_q else f"Queries differ: {big_q} and {small_q}.")
    print("Under the target median." if big_ms <= TARGET_MS else f"Over {TARGET_MS:.0f} ms median.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
