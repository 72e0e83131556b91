"""The reminder run (SCH-6) for a large organisation: 20,000 children, 5,000 appointments in the next week.

    .venv/bin/python bench/bench_reminders.py [--children 20000] [--appointments 5000] [--sqlite] [--keep]

Uses a throwaway database (bench/database.py): a new PostgreSQL database by default, or a temporary SQLite file.
Each appointment is about one family, inviting its carers (about 1.5 per family); a third of the carers prefer
e-mail (half of them with a portal account), the others the phone, ClassDojo, face to face or a letter, and one
in 40 is under "no contact". The run is the production code path, `reminders_send`, as the worker calls it: first
on today (the appointments of the next 3 days), then, as a catch-up, four days later (the rest of the week), then
once more with nothing left to do. It prints the reminders sent and made tasks, the queries and the seconds of
each run. Exit status 1 if the first run takes 10 s or more, or if any carer is reminded twice.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIMIT_SECONDS = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--appointments", type=int, default=5_000)
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    parser.add_argument("--postgres-server", default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    from bench.database import DEFAULT_SERVER, throwaway_database

    os.environ.setdefault("KEYWORKER_LOG_LEVEL", "ERROR")
    with throwaway_database(name="reminders", postgres=not args.sqlite, server=args.postgres_server or DEFAULT_SERVER,
                            keep=args.keep) as where:
        import django

        django.setup()
        from django.core.management import call_command

        print(f"Database: {where}; {args.children} children, {args.appointments} appointments in the next week")
        call_command("migrate", verbosity=0)
        return run(args)


def run(args) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.generate import generate_organisation
    from keyworker.accounts.models import User
    from keyworker.meetings.models import Appointment, AppointmentReminder, Invitee, InviteeKind, InviteeRole
    from keyworker.meetings.reminders import reminders_send
    from keyworker.people.models import Carer, ContactMethod, ContactRestriction

    started = time.perf_counter()
    big = generate_organisation(children=args.children, seed=7)
    org, school = big.organisation, big.setting
    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    today = now.date()

    carers = list(Carer.objects.filter(organisation=org).values_list("id", "family_id"))
    by_family: dict[int, list[int]] = {}
    for cid, fid in carers:
        by_family.setdefault(fid, []).append(cid)
    families = rng.sample(sorted(by_family), min(args.appointments, len(by_family)))
    methods = [ContactMethod.PHONE, ContactMethod.MESSAGING_APP, ContactMethod.FACE_TO_FACE, ContactMethod.LETTER]
    emailing, with_account, barred, others = [], [], [], {m: [] for m in methods}
    for cid, _ in carers:
        roll = rng.random()
        if roll < 1 / 40:
            barred.append(cid)
        elif roll < 0.35:
            (with_account if rng.random() < 0.5 else emailing).append(cid)
        else:
            others[rng.choice(methods)].append(cid)
    Carer.objects.filter(pk__in=emailing + with_account).update(preferred_contact_method=ContactMethod.EMAIL)
    for m, ids in others.items():
        Carer.objects.filter(pk__in=ids).update(preferred_contact_method=m)
    Carer.objects.filter(pk__in=barred).update(contact_restriction=ContactRestriction.NO_CONTACT)
    from django.db.models import F, Value
    from django.db.models.functions import Cast, Concat

    Carer.objects.filter(pk__in=emailing + with_account).update(
        email=Concat(Value("carer"), Cast(F("id"), output_field=django_char()), Value("@families.example.org")))
    users = User.objects.bulk_create([User(email=f"carer{cid}@families.example.org", full_name=f"Carer {cid}",
                                           password="!", is_carer=True) for cid in with_account], batch_size=2000)
    user_of = {u.email: u.pk for u in users} if users[0].pk else dict(
        User.objects.filter(is_carer=True).values_list("email", "id"))
    links = [Carer(pk=cid, user_id=user_of[f"carer{cid}@families.example.org"]) for cid in with_account]
    Carer.objects.bulk_update(links, ["user_id"], batch_size=2000)

    appointments = []
    for i, fid in enumerate(families):
        start = now + dt.timedelta(minutes=30 + rng.randrange(7 * 24 * 60))
        appointments.append(Appointment(organisation=org, setting=school, kind="review_meeting", title="Review meeting",
                                        family_id=fid, starts_at=start, ends_at=start + dt.timedelta(minutes=30),
                                        place=f"Room {i % 12 + 1}"))
    Appointment.objects.bulk_create(appointments, batch_size=2000)
    ids = dict(Appointment.objects.filter(organisation=org).values_list("family_id", "id"))
    Invitee.objects.bulk_create([
        Invitee(organisation=org, appointment_id=ids[fid], kind=InviteeKind.CARER, role=InviteeRole.FAMILY, carer_id=cid)
        for fid in families for cid in by_family[fid]
    ], batch_size=5000)
    invitees = Invitee.objects.filter(organisation=org).count()
    print(f"Set up in {time.perf_counter() - started:.1f} s: {len(families)} appointments, {invitees} invited carers "
          f"({len(emailing) + len(with_account)} of {len(carers)} carers prefer e-mail, {len(barred)} under no contact)")

    failed = False
    for label, as_of, at in (("first run (next 3 days)", today, now),
                             ("four days later (the rest of the week)", today + dt.timedelta(days=4), now + dt.timedelta(days=4)),
                             ("again, nothing left", today + dt.timedelta(days=4), now + dt.timedelta(days=4, minutes=1))):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            result = reminders_send(organisation_id=org.pk, as_of=as_of, now=at)
            seconds = time.perf_counter() - t0
        print(f"{label}: {result.sent} e-mailed, {result.tasks} tasks for key workers; {len(queries)} queries; {seconds:.2f} s")
        if label.startswith("first") and seconds >= LIMIT_SECONDS:
            failed = True
            print(f"  slower than {LIMIT_SECONDS:.0f} s")
    total = AppointmentReminder.objects.filter(organisation=org).count()
    distinct = AppointmentReminder.objects.filter(organisation=org).values("appointment_id", "carer_id").distinct().count()
    print(f"Reminders in all: {total} (distinct appointment and carer: {distinct})")
    return 1 if failed or total != distinct else 0


def django_char():
    from django.db.models import CharField

    return CharField()


if __name__ == "__main__":
    sys.exit(main())
