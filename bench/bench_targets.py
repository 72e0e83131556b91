"""Time the learning targets and homework pages (SCH-8) in a large generated school.

    .venv/bin/python bench/bench_targets.py [--children 20000] [--class-size 30] [--postgres] [--runs 30]

Uses a throwaway database (bench/database.py), generates one organisation (bench/generate.py), then gives every
child three learning targets (each reviewed once, all shared with the family), a note from home for one child in
ten, and every class ten pieces of homework with a return marked for every child (feedback for every other one).
Then requests, after a warm-up, as the class teacher: the class's targets, a child's targets page, the homework list
and one class's homework view (who returned it); as a carer: the portal's targets and homework pages of their child
and the carers' home. Prints the median and 95th percentile wall time, the median CPU time, the queries of one
request and the page size. Target: under 100 ms median.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import time_page  # noqa: E402

TARGET_MS = 100.0
TARGETS_PER_CHILD = 3
HOMEWORK_PER_CLASS = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--class-size", type=int, default=30)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--postgres-server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from bench.database import throwaway_database

    with throwaway_database(name="bench_targets", postgres=args.postgres, server=args.postgres_server, keep=args.keep) as where:
        return run(args, where)


def _records(big) -> dict[str, int]:
    """Targets, reviews, sharings, notes from home, homework and returns for the whole school, in bulk."""
    from keyworker.core import clock
    from keyworker.organisations.models import Group
    from keyworker.people.models import Carer, Child
    from keyworker.targets.models import (
        HomeNote,
        Homework,
        HomeworkReturn,
        LearningTarget,
        ShareMethod,
        TargetReview,
        TargetSharing,
        TargetStatus,
    )

    org, today, now = big.organisation, clock.today(), clock.now()
    children = list(Child.objects.filter(organisation=org).values_list("id", "family_id", "setting_id", "group_id"))
    targets = LearningTarget.objects.bulk_create([
        LearningTarget(organisation=org, child_id=c, family_id=f, setting_id=s, what=f"Target {k + 1}", why="Because",
                       how_we_know="We will see it", help_at_home="Practise together", review_on=today + dt.timedelta(days=10 + k),
                       status=TargetStatus.WORKING if k else TargetStatus.ACHIEVED, shared_on=today - dt.timedelta(days=20),
                       created_by=big.headteacher, created_at=now, updated_at=now)
        for c, f, s, _g in children for k in range(TARGETS_PER_CHILD)], batch_size=5000)
    TargetReview.objects.bulk_create([
        TargetReview(organisation=org, target=t, reviewed_on=today - dt.timedelta(days=5), progress="Getting there",
                     status=t.status, reviewed_by=big.headteacher, created_at=now) for t in targets], batch_size=5000)
    sharings = TargetSharing.objects.bulk_create([
        TargetSharing(organisation=org, child_id=c, family_id=f, setting_id=s, shared_on=today - dt.timedelta(days=20),
                      method=ShareMethod.PAPER, shared_by=big.headteacher, created_at=now) for c, f, s, _g in children],
        batch_size=5000)
    through = TargetSharing.targets.through
    by_child: dict[int, list[int]] = {}
    for t in targets:
        by_child.setdefault(t.child_id, []).append(t.pk)
    through.objects.bulk_create([through(targetsharing_id=sh.pk, learningtarget_id=t) for sh in sharings
                                 for t in by_child[sh.child_id]], batch_size=5000)
    carer_of = dict(Carer.objects.filter(organisation=org).order_by("-id").values_list("family_id", "id"))
    HomeNote.objects.bulk_create([
        HomeNote(organisation=org, child_id=c, family_id=f, carer_id=carer_of.get(f), carer_name="A carer", text="Going well",
                 created_at=now) for i, (c, f, _s, _g) in enumerate(children) if i % 10 == 0], batch_size=5000)
    groups = list(Group.objects.filter(organisation=org).values_list("id", "setting_id"))
    homework = Homework.objects.bulk_create([
        Homework(organisation=org, setting_id=s, group_id=g, title=f"Homework {k + 1}", what_to_do="Do it",
                 how_to_help="Help a little", set_on=today - dt.timedelta(days=7 * k + 5), due_on=today - dt.timedelta(days=7 * k - 2),
                 set_by=big.headteacher, created_at=now)
        for g, s in groups for k in range(HOMEWORK_PER_CLASS)], batch_size=5000)
    in_group: dict[int, list[tuple[int, int]]] = {}
    for c, f, _s, g in children:
        in_group.setdefault(g, []).append((c, f))
    returns = HomeworkReturn.objects.bulk_create([
        HomeworkReturn(organisation=org, homework=h, child_id=c, family_id=f, returned=(c + h.pk) % 5 != 0, marked_on=today,
                       feedback="Well done" if c % 2 else "", marked_by=big.headteacher, updated_at=now)
        for h in homework for c, f in in_group.get(h.group_id, []) if h.due_on < today], batch_size=5000)
    return {"targets": len(targets), "sharings": len(sharings), "homework": len(homework), "returns": len(returns)}


def run(args, where: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.generate import generate_organisation
    from keyworker.accounts.models import GroupMembership
    from keyworker.people.models import Carer, Child
    from keyworker.targets.models import Homework
    from keyworker.testing import carer_account, verify_second_factor

    print(f"Database: {where} ({connection.vendor})")
    call_command("migrate", verbosity=0)
    print(f"Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    started = time.perf_counter()
    big = generate_organisation(children=args.children, class_size=args.class_size, seed=8, name="Targets bench",
                                slug="targets-bench")
    counts = _records(big)
    print(f"Generated {args.children:,} children in classes of {args.class_size}: "
          + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + f" ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    child = Child.objects.filter(organisation=big.organisation, group__isnull=False).order_by("id").first()
    teacher = (GroupMembership.objects.filter(group_id=child.group_id, staff__staff_roles__role__code="teacher")
               .select_related("staff__user").first().staff)
    homework = Homework.objects.filter(group_id=child.group_id).order_by("-due_on").exclude(returns=None).first()
    carer = Carer.objects.filter(family_id=child.family_id).order_by("id").first()
    carer_user = carer_account(carer, "bench.targets@example.org")

    staff = Client()
    staff.force_login(teacher.user)
    verify_second_factor(staff, teacher.user)
    family = Client()
    family.force_login(carer_user)
    pages = [
        ("Class targets (teacher)", staff, f"/targets/?group={child.group_id}"),
        ("A child's targets (teacher)", staff, f"/targets/children/{child.pk}/"),
        ("Homework list (teacher)", staff, "/targets/homework/"),
        ("Class homework view (teacher)", staff, f"/targets/homework/{homework.pk}/"),
        ("Portal: child's targets", family, f"/family/targets/{child.pk}/"),
        ("Portal: child's homework", family, f"/family/homework/{child.pk}/"),
        ("Portal: home", family, "/family/"),
    ]
    print()
    print(f"{args.runs} requests per page after {args.warmup} warm-up; times in ms")
    print(f"{'page':34} {'median':>8} {'p95':>8} {'cpu':>8} {'queries':>8} {'bytes':>9}")
    slow = []
    for label, client, url in pages:
        median, p95, cpu, queries, size = time_page(client, url, args.runs, args.warmup)
        flag = "  over target" if median > TARGET_MS else ""
        print(f"{label:34} {median:8.1f} {p95:8.1f} {cpu:8.1f} {queries:8d} {size:9,}{flag}", flush=True)
        if flag:
            slow.append(label)
    print(f"Load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("Under the target median." if not slow else f"Over {TARGET_MS:.0f} ms median: {', '.join(slow)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
