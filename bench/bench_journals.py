"""Time a child's learning journal with 500 observations, and storing a 12-megapixel phone photo.

    .venv/bin/python bench/bench_journals.py [--observations 500] [--runs 30] [--postgres]

Uses a throwaway database (bench/database.py): a nursery with one room, a key person and a child with `--observations`
observations (a third of them group observations of two children, each with a next step and a carer's comment, half
tagged with two areas). Requests the staff journal page (paged, 20 a page), the chart and the carer's journal page
after a warm-up, and prints the median and 95th percentile wall time, the queries of one request and the page size.
Then stores a 4000x3000 JPEG with EXIF (camera, time and a GPS position) through journals_photos.photo_store:
resized to 2048, a 320 thumbnail, EXIF removed. Targets: page under 100 ms median; photo under 1 s median.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import time_page  # noqa: E402

PAGE_TARGET_MS = 100.0
PHOTO_TARGET_MS = 1000.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--observations", type=int, default=500)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--photo-runs", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--postgres-server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("KEYWORKER_MEDIA_ROOT", tempfile.mkdtemp(prefix="bench_journals_media_"))
    from bench.database import throwaway_database

    with throwaway_database(name="bench_journals", postgres=args.postgres, server=args.postgres_server, keep=args.keep) as where:
        return run(args, where)


def _world(n_obs: int):
    from keyworker.care.models_journals import JournalComment, NextStep, Observation, ObservationChild
    from keyworker.core import clock
    from keyworker.organisations.models import SettingKind
    from keyworker.testing import (
        allocate,
        carer_account,
        make_child,
        make_family,
        make_group,
        make_org,
        make_setting,
        make_staff,
    )

    org = make_org("Journal bench")
    setting = make_setting(org, SettingKind.EARLY_YEARS, name="Bench Nursery")
    room = make_group(setting, "Ladybirds", "Pre-school")
    key_person = make_staff(org, setting, ["practitioner"], [room], name="Kai Keyperson")
    family, friend_family = make_family(org, "The Evans family"), make_family(org, "The Fox family")
    today = clock.today()
    child = make_child(family, setting, room, date_of_birth=dt.date(2023, 3, 1), enrolled_on=today - dt.timedelta(days=800))
    friend = make_child(friend_family, setting, room, date_of_birth=dt.date(2023, 5, 1), enrolled_on=child.enrolled_on)
    allocate(family, setting, key_person)
    allocate(friend_family, setting, key_person)
    carer = family.carers.order_by("id").first()
    carer_account(carer, "bench.journal@example.org")
    now = clock.now()
    observations = Observation.objects.bulk_create([
        Observation(organisation=org, setting=setting, framework="eyfs", observed_on=today - dt.timedelta(days=i * 700 // n_obs),
                    text=f"Observation {i}: poured water from jug to jug, counting to five, and talked about full and empty.",
                    interests=["water", "pouring"], schemas=["transporting"],
                    areas=["eyfs.maths", "eyfs.pd"] if i % 2 else ["eyfs.cl"], recorded_by=key_person, created_at=now,
                    updated_at=now) for i in range(n_obs)])
    tags, steps, comments = [], [], []
    for i, o in enumerate(observations):
        tags.append(ObservationChild(organisation=org, observation=o, child=child, family=family, observed_on=o.observed_on))
        if i % 3 == 0:
            tags.append(ObservationChild(organisation=org, observation=o, child=friend, family=friend_family,
                                         observed_on=o.observed_on))
            steps.append(NextStep(organisation=org, observation=o, child=child, text="Offer funnels", planned_by=key_person,
                                  planned_at=now))
            comments.append(JournalComment(organisation=org, observation=o, child=child, carer=carer, carer_name="Carer",
                                           text="Lovely!", created_at=now))
    ObservationChild.objects.bulk_create(tags)
    NextStep.objects.bulk_create(steps)
    JournalComment.objects.bulk_create(comments)
    return key_person, child, carer


def _phone_photo() -> bytes:
    from PIL import Image

    image = Image.effect_noise((4000, 3000), 40).convert("RGB")
    gradient = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    image = Image.blend(image, gradient, 0.6)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0132] = "PhoneMaker", "Phone 15", "2026:11:18 10:00:00"
    exif[0x8825] = {1: "N", 2: (55.0, 57.0, 0.0), 3: "W", 4: (3.0, 11.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def run(args, where: str) -> int:
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from keyworker.care.journals_photos import photo_delete, photo_store
    from keyworker.testing import needs_second_factor, verify_second_factor

    print(f"Database: {where} ({connection.vendor})")
    call_command("migrate", verbosity=0)
    print(f"Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    key_person, child, carer = _world(args.observations)
    print(f"Generated a child with {args.observations} observations")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    staff = Client()
    staff.force_login(key_person.user)
    if needs_second_factor(key_person.user):
        verify_second_factor(staff, key_person.user)
    family = Client()
    family.force_login(carer.user)
    print()
    print(f"{args.runs} requests per page after {args.warmup} warm-up; times in ms")
    print(f"{'page':40} {'median':>8} {'p95':>8} {'cpu':>8} {'queries':>8} {'bytes':>9}")
    slow = []
    pages = (("Journal, page 1 (staff)", staff, f"/care/journals/children/{child.pk}/"),
             ("Journal, page 13 (staff)", staff, f"/care/journals/children/{child.pk}/?page=13"),
             ("Learning over time (staff)", staff, f"/care/journals/children/{child.pk}/chart/"),
             ("Journal (carer)", family, f"/family/journal/{child.pk}/"))
    for label, client, url in pages:
        median, p95, cpu, queries, size = time_page(client, url, args.runs, args.warmup)
        flag = "  over target" if median > PAGE_TARGET_MS else ""
        print(f"{label:40} {median:8.1f} {p95:8.1f} {cpu:8.1f} {queries:8d} {size:9,}{flag}", flush=True)
        if flag:
            slow.append(label)
    data = _phone_photo()
    print()
    print(f"Storing a 4000x3000 JPEG with EXIF ({len(data) / 1024 / 1024:.1f} MB), {args.photo_runs} runs; times in ms")
    times, cpu = [], []
    for _ in range(args.photo_runs):
        upload = SimpleUploadedFile("IMG_0001.jpg", data, content_type="image/jpeg")
        t, c = time.perf_counter(), time.process_time()
        stored = photo_store(upload, organisation_id=child.organisation_id)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        photo_delete(stored)
    median = statistics.median(times)
    flag = "  over target" if median > PHOTO_TARGET_MS else ""
    print(f"{'':40} {'median':>8} {'max':>8} {'cpu':>8}")
    print(f"{'Photo stored (2048 + 320 thumbnail)':40} {median:8.1f} {max(times):8.1f} {statistics.median(cpu):8.1f}{flag}")
    if flag:
        slow.append("photo")
    print(f"Load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("Under the targets." if not slow else f"Over target: {', '.join(slow)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
