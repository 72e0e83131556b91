"""Time a common transfer file import of 1,500 pupils, preview included, into a school that already has children.

    .venv/bin/python bench/bench_ctf.py [--pupils 1500] [--known 150] [--roll 1000] [--postgres]

Uses a throwaway database (bench/database.py) and a generated school (bench/generate.py) of `--roll` children.
Generates a CTF 19 file of `--pupils` pupils, each with an address, two or three contacts (every 50th with a court
order), languages, SEN history and needs for one in six, school history and a year of attendance; `--known` of
them are children the school has already (matched by UPN) with a changed year group and phone. Then times, as the
upload page does: reading and previewing the file (ctf_upload), and importing it all or nothing (ctf_confirm); and
prints the queries of each. Target: under 30 s for the preview and the import together.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_S = 30.0
FORENAMES = ["Amara", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hamza", "Isla", "Jack", "Kai", "Lena"]
SURNAMES = ["Okafor", "Smith", "Patel", "Nowak", "Jones", "Khan", "Murphy", "O'Brien", "Evans", "Ali", "Brown"]


def upn(n: int) -> str:
    from keyworker.people.upn import upn_check_letter

    body = f"938{2020 + n % 5:04d}{n:05d}"[:12]
    return upn_check_letter(body) + body


def pupil_xml(i: int, known_upn: str | None) -> str:
    forename, surname = FORENAMES[i % len(FORENAMES)], SURNAMES[(i // 3) % len(SURNAMES)]
    contacts = []
    for k, (title, first, code) in enumerate((("Mrs", "Parent", "PAM"), ("Mr", "Other", "PAF"),
                                              ("Ms", "Gran", "GRM"))[: 2 + i % 2], start=1):
        court = "Y" if k == 2 and i % 50 == 0 else "N"
        contacts.append(
            f"<Contact><Order>{k}</Order><Title>{title}</Title><Surname>{escape(surname)}</Surname>"
            f"<Forename>{first}{i}</Forename><Relationship>{code}</Relationship><Responsibility>{'true' if k < 3 else 'false'}"
            f"</Responsibility><Address><AddressAsPupil>true</AddressAsPupil></Address><Phones><Phone><TelephoneType>M"
            f"</TelephoneType><PhoneNo>07700 9{i % 100000:05d}</PhoneNo></Phone></Phones>"
            f"<Email>carer{i}.{k}@example.org</Email><SuppInfo><CourtOrder>{court}</CourtOrder></SuppInfo></Contact>")
    sen = ""
    if i % 6 == 0:
        sen = ("<SENhistory><SEN><StartDate>2023-09-04</StartDate><SENprovision>K</SENprovision></SEN><SENneeds>"
               "<SENneed><NeedStartDate>2023-09-04</NeedStartDate><SENtypeRank>1</SENtypeRank><SENtype>SLCN</SENtype>"
               "</SENneed></SENneeds></SENhistory>")
    return (
        f"<Pupil><UPN>{known_upn or upn(i)}</UPN><Surname>{escape(surname)}</Surname><Forename>{forename}</Forename>"
        f"<DOB>{2014 + i % 6}-0{1 + i % 9}-1{i % 9}</DOB><Gender>{'MF'[i % 2]}</Gender><BasicDetails>"
        f"<NCyearActual>{1 + i % 6}</NCyearActual><Ethnicity>WBRI</Ethnicity><Languages><Type><LanguageType>F"
        f"</LanguageType><Language>{'ENG' if i % 4 else 'POL'}</Language></Type></Languages><MedicalFlag>"
        f"{'true' if i % 7 == 0 else 'false'}</MedicalFlag></BasicDetails>{sen}<Address><BS7666Address><PAON>{i}</PAON>"
        f"<Street>Bench Street</Street><PostTown>Westbury</PostTown></BS7666Address><PostCode>WB1 {i % 9}AA</PostCode>"
        f"</Address><Contacts>{''.join(contacts)}</Contacts><Attendance><YearData><Year>2025</Year><LEA>938</LEA>"
        f"<Estab>2015</Estab><SchoolName>Larkfield Primary</SchoolName><SessionsPossible>300</SessionsPossible>"
        f"<SessionsAuthorised>{i % 10}</SessionsAuthorised><SessionsAttended>{280 - i % 10}</SessionsAttended>"
        f"<SessionsUnauthorised>{i % 5}</SessionsUnauthorised></YearData></Attendance><StageAssessments><KeyStage>"
        f"<Stage>KS1</Stage></KeyStage></StageAssessments><SchoolHistory><School><URN>999001</URN><SchoolName>"
        f"Larkfield Primary</SchoolName><EntryDate>2020-09-02</EntryDate></School></SchoolHistory></Pupil>")


def ctf_file(pupils: int, known: list[str]) -> bytes:
    body = "".join(pupil_xml(i, known[i] if i < len(known) else None) for i in range(pupils))
    return ("<?xml version='1.0' encoding='utf-8'?><CTfile><Header><DocumentName>Common Transfer File</DocumentName>"
            "<CTFversion>19.0</CTFversion><DocumentQualifier>full</DocumentQualifier><SourceSchool><URN>999001</URN>"
            "<SchoolName>Larkfield Primary</SchoolName></SourceSchool></Header>"
            f"<CTFpupilData>{body}</CTFpupilData></CTfile>").encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=1500)
    parser.add_argument("--known", type=int, default=150, help="pupils the school has already (updated)")
    parser.add_argument("--roll", type=int, default=1000, help="children on the school's roll before the import")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--postgres-server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print where the preview and the import spend their time")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from bench.database import throwaway_database

    with throwaway_database(name="bench_ctf", postgres=args.postgres, server=args.postgres_server, keep=args.keep) as where:
        return run(args, where)


def run(args, where: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.generate import generate_organisation
    from keyworker.accounts.access import actor_for
    from keyworker.imports.ctf_services import ctf_confirm, ctf_upload
    from keyworker.people.models import Carer, Child

    print(f"Database: {where} ({connection.vendor})")
    call_command("migrate", verbosity=0)
    print(f"Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    big = generate_organisation(children=args.roll, seed=7, name="CTF bench", slug="ctf-bench")
    known = []
    for n, child in enumerate(Child.objects.filter(organisation=big.organisation).order_by("id")[: args.known]):
        child.upn = upn(900_00 + n)
        child.save(update_fields=["upn"])
        known.append(child.upn)
    data = ctf_file(args.pupils, known)
    print(f"School of {args.roll:,} children; a CTF of {args.pupils:,} pupils ({len(known)} known), "
          f"{len(data) / 1e6:.1f} MB")
    actor = actor_for(big.headteacher.user, big.organisation.pk)
    children_before, carers_before = Child.objects.count(), Carer.objects.count()

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    with CaptureQueriesContext(connection) as preview_q:
        started = time.perf_counter()
        upload = ctf_upload(actor=actor, setting=big.setting, name="bench.xml", data=data)
        preview_s = time.perf_counter() - started
    counts = upload.preview["counts"]
    print(f"Preview: {preview_s:6.2f} s, {len(preview_q):5d} queries; {counts['create']} new, {counts['update']} to "
          f"update, {counts['error']} with errors, {counts['warnings']} with warnings", flush=True)
    with CaptureQueriesContext(connection) as import_q:
        started = time.perf_counter()
        done = ctf_confirm(actor=actor, upload=upload)
        import_s = time.perf_counter() - started
    outcome = done.preview["outcome"]
    print(f"Import:  {import_s:6.2f} s, {len(import_q):5d} queries; {outcome['created']} created, {outcome['updated']} "
          f"updated, {Child.objects.count() - children_before} children and {Carer.objects.count() - carers_before} "
          f"carers added, {outcome['attendance_years']} years of attendance")
    total = preview_s + import_s
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    print(f"Total:   {total:6.2f} s (target {TARGET_S:.0f} s): {'under' if total < TARGET_S else 'OVER'} the target")
    print(f"Load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if total < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
