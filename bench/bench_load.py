"""A bounded load test: 50 staff of a 1,500-child school at once, against the production server and PostgreSQL.

    .venv/bin/python bench/bench_load.py                 # build kw_load (20,000 children, 13 schools), run, drop it
    .venv/bin/python bench/bench_load.py --keep          # ... keep the database
    .venv/bin/python bench/bench_load.py --reuse         # run again on the kept database (set-up skipped)
    .venv/bin/python bench/bench_load.py --reuse --saturate --duration 60   # no think time: the most requests a second
    .venv/bin/python bench/bench_load.py --build-only --keep --children 100000 --db-name kw_load_100k  # a bigger database

Set-up (skipped with --reuse): a new PostgreSQL database (--db-name on --postgres-server), migrated; one organisation
of --children children over --settings schools (bench/generate.py: 20,000 over 13 gives schools of about 1,540),
the 2025/26 and 2026/27 calendars, a year of contact logs and unauthorised absences, and a year of obligation
history written by the engine itself (the school template adopted on 3 September 2025, then engine.recompute
every 7 days to today), as bench_engine.py builds organisation A; then VACUUM ANALYZE.

The run, all on 127.0.0.1:
- the static files collected into a temporary directory (keyworker collectstatic) and served by WhiteNoise
  wrapped around the WSGI application (bench/load_wsgi.py), as a production server does;
- gunicorn with --gunicorn-workers sync workers (default 4 on 2 CPUs: one request is mostly this process's
  Python, so more workers than about two per CPU only queue inside the machine, while fewer leave a CPU idle
  while a worker waits for PostgreSQL), KEYWORKER_ENV=production, persistent database connections, TLS
  redirects and secure cookies off (plain HTTP on loopback);
- `keyworker worker` beside it (its 30 s cycle: recomputes, notices, e-mails to the console backend);
- locust, headless, --users users spawned at --spawn-rate, for --duration seconds (bench/locustfile.py).

The users are distinct staff of the first school: key workers (teachers and teaching assistants with families)
and a few leaders (the school's leadership team and designated safeguarding lead, given those roles here; they
need a second factor). Nobody types a password: each user's session is made beforehand the way the test suite
does (Client.force_login, and for leaders keyworker.testing.verify_second_factor, which records a verified
authenticator app on the session), and the locust user sends that session cookie. Each walks the main pages with
a think time of 1 to 4 s (none with --saturate): My week, My families, a family, a child, the contacts list,
the record-contact form and its POST, the families list, the class register, the inbox, a static file, and for
leaders compliance. It prints per page: requests, errors, p50, p95, max, requests a second; and the load average.
Every process it started is stopped at the end.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
P95_TARGET_MS = 300
SECRET = "bench-load-secret-key-not-for-production-use-0123456789abcdef"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def server_env(url: str) -> dict[str, str]:
    """The environment of the server, the worker and this process: production settings on plain loopback HTTP."""
    env = os.environ.copy()
    env.update({
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "KEYWORKER_ENV": "production",
        "KEYWORKER_SECRET_KEY": SECRET,
        "KEYWORKER_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "KEYWORKER_CONN_MAX_AGE": "600",
        "KEYWORKER_SSL_REDIRECT": "0",
        "KEYWORKER_SECURE_COOKIES": "0",
        "KEYWORKER_HSTS_SECONDS": "0",
        "KEYWORKER_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "KEYWORKER_LOG_LEVEL": "ERROR",
    })
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--settings", type=int, default=None, help="schools (default: children / 1,540, so schools of about 1,540)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--history-step", type=int, default=7, help="days between the engine's runs over the year")
    parser.add_argument("--db-name", default="kw_load")
    parser.add_argument("--postgres-server", default=SERVER)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--build-only", action="store_true", help="build (and --keep) the database, no load")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--leaders", type=int, default=5, help="of the users, leaders (second factor)")
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=120, help="seconds of load")
    parser.add_argument("--saturate", action="store_true", help="no think time between pages")
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-worker", action="store_true", help="without `keyworker worker` beside the server")
    parser.add_argument("--pages", action="store_true",
                        help="no load: time each page in this process (Django's test client) for a key worker and a leader")
    parser.add_argument("--page-runs", type=int, default=20)
    parser.add_argument("--profile", metavar="PAGE", help="with --pages: a cProfile of this page (its name, e.g. 'My week')")
    args = parser.parse_args()
    if args.settings is None:
        args.settings = max(1, round(args.children / 1540))

    from bench.database import postgres_admin, postgres_url

    url = postgres_url(args.postgres_server, args.db_name)
    os.environ.update(server_env(url))
    if not args.reuse:
        postgres_admin(args.postgres_server, f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')
        postgres_admin(args.postgres_server, f'CREATE DATABASE "{args.db_name}"')
    try:
        return run(args, url)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep or args.reuse:
            print(f"Kept {url}")
        else:
            postgres_admin(args.postgres_server, f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')


# Data ------------------------------------------------------------------------------------------------------------

def build(args, as_of: dt.date) -> int:
    """One organisation as bench_engine.py's A: records and a year of obligation history. Returns its id."""
    import time_machine
    from django.db import connection, transaction

    from bench.bench_contacts import add_contact_history
    from bench.bench_engine import HISTORY_FROM, add_absences, add_calendars, connection_org
    from bench.generate import generate_organisation
    from keyworker.standards import engine
    from keyworker.standards.services import policy_adopt_builtin

    t = time.perf_counter()
    big = generate_organisation(children=args.children, settings=args.settings, seed=args.seed,
                                name="Benchmark Trust", slug=f"benchmark-load-{args.seed}")
    org = big.organisation
    print("   generated: " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in big.counts.items())
          + f" in {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    with transaction.atomic():
        add_calendars(org)
        contacts = add_contact_history(org, as_of=as_of, target=30 * args.children, seed=args.seed, since=HISTORY_FROM)
        absences = add_absences(org, start=HISTORY_FROM, end=as_of, rate=0.005, seed=args.seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"   {contacts:,} contact logs, {absences:,} unauthorised absences in {time.perf_counter() - t:.1f} s", flush=True)
    steps, day = [], HISTORY_FROM
    while day < as_of:
        steps.append(day)
        day += dt.timedelta(days=args.history_step)
    steps.append(as_of)
    t = time.perf_counter()
    for i, day in enumerate(steps):
        with time_machine.travel(dt.datetime.combine(day, dt.time(17, 0), tzinfo=dt.UTC), tick=False):
            if i == 0:
                policy_adopt_builtin(organisation=connection_org(org.pk), template_code="school_key_worker", as_of=day)
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            else:
                engine.recompute(organisation_id=org.pk, as_of=day)
        if i % 16 == 0 or i == len(steps) - 1:
            print(f"   history to {day}: {time.perf_counter() - t:6.1f} s so far", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CREATE TABLE bench_load_meta (key text PRIMARY KEY, value text NOT NULL)")
        for key, value in (("organisation", org.pk), ("children", args.children), ("as_of", as_of)):
            cursor.execute("INSERT INTO bench_load_meta VALUES (%s, %s)", [key, str(value)])
    return org.pk


def users(organisation_id: int, n_users: int, n_leaders: int, as_of: dt.date) -> list[dict]:
    """Distinct staff of the organisation's first school with a signed-in session each (see the docstring)."""
    from collections import defaultdict

    from django.test import Client

    from keyworker.accounts.models import GroupMembership, Role, StaffMember, StaffRole
    from keyworker.caseload.models import KeyWorkerAllocation
    from keyworker.organisations.models import Group, Setting
    from keyworker.people.models import Child
    from keyworker.testing import verify_second_factor

    school = Setting.objects.filter(organisation_id=organisation_id).order_by("id").first()
    families: dict[int, list[int]] = defaultdict(list)
    for staff_id, family_id in (KeyWorkerAllocation.objects.filter(organisation_id=organisation_id, setting=school,
                                                                    ends_at__isnull=True)
                                .order_by("staff_id", "family_id").values_list("staff_id", "family_id")):
        families[staff_id].append(family_id)
    children: dict[int, list[int]] = defaultdict(list)
    for family_id, child_id in Child.objects.filter(organisation_id=organisation_id, setting=school).values_list("family_id", "id"):
        children[family_id].append(child_id)
    group_of: dict[int, int] = {}
    for group_id, staff_id in (GroupMembership.objects.filter(group__setting=school).order_by("id")
                               .values_list("group_id", "staff_id")):
        group_of.setdefault(staff_id, group_id)
    groups = list(Group.objects.filter(setting=school).order_by("id").values_list("id", flat=True))
    key_workers = [s for s in sorted(families, key=lambda s: (-len(families[s]), s))][: n_users - n_leaders]
    staff = {s.pk: s for s in StaffMember.objects.filter(pk__in=key_workers).select_related("user")}

    # Leaders: staff of the school without a caseload in this run, given the school's leader roles.
    spare = (StaffMember.objects.filter(organisation_id=organisation_id, staff_roles__setting=school)
             .exclude(pk__in=key_workers).order_by("id").distinct().select_related("user")[:n_leaders])
    roles = {r.code: r for r in Role.objects.filter(organisation_id=organisation_id)}
    leaders = []
    for i, member in enumerate(spare):
        code = "safeguarding_lead" if i == 0 else "leadership_team"
        StaffRole.objects.get_or_create(organisation_id=organisation_id, staff=member, setting=school, role=roles[code])
        leaders.append(member)

    day = as_of
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    out = []
    for kind, members in (("key_worker", [staff[s] for s in key_workers]), ("leader", leaders)):
        for i, member in enumerate(members):
            client = Client()
            client.force_login(member.user)
            if kind == "leader":
                verify_second_factor(client, member.user)
            fams = families.get(member.pk) or [f for fs in list(families.values())[i:i + 1] for f in fs]
            out.append({
                "kind": kind, "email": member.user.email, "session": client.cookies["sessionid"].value,
                "families": fams, "children": [c for f in fams for c in children.get(f, [])],
                "group": group_of.get(member.pk) or groups[i % len(groups)], "register_date": day.isoformat(),
                "today": as_of.isoformat(),
            })
    return out


# The run ---------------------------------------------------------------------------------------------------------

def wait_for(url: str, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (loopback)
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def stop(proc: subprocess.Popen, name: str) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    print(f"   stopped {name} (pid {proc.pid})")


def run(args, url: str) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from keyworker.core import clock

    as_of = clock.today()
    organisation_id = None
    if args.reuse:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_load_meta') IS NOT NULL")
            if cursor.fetchone()[0]:
                cursor.execute("SELECT key, value FROM bench_load_meta")
                meta = dict(cursor.fetchall())
                organisation_id = int(meta["organisation"])
                print(f"Reusing {url}: {meta['children']} children, history to {meta['as_of']}")
                as_of = dt.date.fromisoformat(meta["as_of"])
                call_command("migrate", verbosity=0)  # the code may have new migrations since it was built, as on an upgrade
    if organisation_id is None:
        t = time.perf_counter()
        print(f"Building {url}: {args.children:,} children over {args.settings} schools, history to {as_of} "
              f"(load {_load()})", flush=True)
        call_command("migrate", verbosity=0)
        organisation_id = build(args, as_of)
        print(f"   built in {time.perf_counter() - t:.1f} s", flush=True)
    if args.build_only:
        return 0

    people = users(organisation_id, args.users, args.leaders, as_of)
    kinds = Counter(p["kind"] for p in people)
    print(f"{len(people)} users: {kinds['key_worker']} key workers, {kinds['leader']} leaders; sessions made beforehand")
    if args.pages:
        collect_static(Path(tempfile.mkdtemp(prefix="bench-load-")) / "static")
        return pages(args, people)
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    (tmp / "users.json").write_text(json.dumps(people))
    collect_static(tmp / "static")
    connection.close()

    # The server's static files and their manifest are the ones collected here (KEYWORKER_STATIC_ROOT, as deployed).
    env = server_env(url) | {"BENCH_STATIC_ROOT": str(tmp / "static"), "KEYWORKER_STATIC_ROOT": str(tmp / "static"),
                             "BENCH_LOAD_USERS": str(tmp / "users.json"),
                             "BENCH_LOAD_SATURATE": "1" if args.saturate else ""}
    venv_bin = Path(sys.executable).parent
    host = f"http://127.0.0.1:{args.port}"
    gunicorn = subprocess.Popen(
        [str(venv_bin / "gunicorn"), "bench.load_wsgi:application", "--bind", f"127.0.0.1:{args.port}",
         "--chdir", str(ROOT), "--workers", str(args.gunicorn_workers), "--worker-class", "sync", "--timeout", "60",
         "--log-level", "warning", "--error-logfile", str(tmp / "gunicorn.log")],
        cwd=str(ROOT), env=env,
    )
    procs = [(gunicorn, "gunicorn")]
    try:
        wait_for(host + "/static/core/keyworker.css")
        if not args.no_worker:
            # `python -m config.manage`: this checkout's code (the installed `keyworker` script may point at another).
            worker = subprocess.Popen([sys.executable, "-m", "config.manage", "worker"], cwd=str(ROOT), env=env,
                                      stdout=open(tmp / "worker.log", "w"), stderr=subprocess.STDOUT)  # noqa: SIM115
            procs.append((worker, "keyworker worker"))
        print(f"Load: {args.users} users for {args.duration} s against gunicorn ({args.gunicorn_workers} sync workers)"
              f"{' and the worker' if not args.no_worker else ''}; think time {'none' if args.saturate else '1-4 s'}; "
              f"load average before {_load()}", flush=True)
        loads = []
        locust = subprocess.Popen(
            [str(venv_bin / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--host", host,
             "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.duration}s",
             "--csv", str(tmp / "locust"), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
            cwd=str(ROOT), env=env, stdout=subprocess.DEVNULL, stderr=open(tmp / "locust.log", "w"),  # noqa: SIM115
        )
        procs.append((locust, "locust"))
        while locust.poll() is None:
            time.sleep(10)
            loads.append(os.getloadavg()[0])
        report(tmp, loads)
        log = (tmp / "locust.log").read_text()
        if "Traceback" in log or "Error" in log:
            print("locust's log:\n" + log[-3000:])
    finally:
        for proc, name in reversed(procs):
            stop(proc, name)
    errors = (tmp / "gunicorn.log").read_text() if (tmp / "gunicorn.log").exists() else ""
    if errors.strip():
        print("gunicorn's log (last lines):\n" + "\n".join(errors.strip().splitlines()[-20:]))
    print(f"Files of the run in {tmp}")
    return 0


def page_urls(me: dict) -> dict[str, str]:
    return {
        "My week": "/my-week/", "My families": "/families/", "a family": f"/families/{me['families'][0]}/",
        "a child": f"/families/children/{me['children'][0]}/", "contacts list": "/contacts/",
        "record-contact form": f"/contacts/new/?family={me['families'][0]}", "families list": "/families/all/",
        "attendance register": f"/attendance/register/{me['group']}/?date={me['register_date']}&session=AM",
        "inbox": "/inbox/", "compliance": "/compliance/",
    }


def collect_static(root: Path) -> None:
    """The static files collected into `root`, with the manifest production pages look their names up in; this
    process's pages use them from now on."""
    from django.conf import settings
    from django.core.management import call_command

    settings.STATIC_ROOT = str(root)
    call_command("collectstatic", interactive=False, verbosity=0)


def pages(args, people: list[dict]) -> int:
    """Each page in this process for the first key worker and the first leader: p50, p95, CPU, queries, size."""
    import cProfile
    import pstats

    from django.test import Client

    from bench.pages import time_page

    print(f"Pages in this process, {args.page_runs} runs each (load {_load()})")
    print(f"{'who':<12}{'page':<22}{'p50 ms':>8}{'p95 ms':>8}{'CPU ms':>8}{'queries':>8}{'bytes':>9}")
    for kind in ("key_worker", "leader"):
        me = next(p for p in people if p["kind"] == kind)
        client = Client()
        client.cookies["sessionid"] = me["session"]
        for name, url in page_urls(me).items():
            if args.profile and name != args.profile:
                continue
            p50, p95, cpu, queries, size = time_page(client, url, args.page_runs, 3)
            print(f"{kind:<12}{name:<22}{p50:8.1f}{p95:8.1f}{cpu:8.1f}{queries:8d}{size:9,d}", flush=True)
            if args.profile:
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(args.page_runs):
                    client.get(url)
                profile.disable()
                stats = pstats.Stats(profile).strip_dirs()
                stats.sort_stats("cumulative").print_stats(35)
                stats.sort_stats("tottime").print_stats(20)
    return 0


def report(tmp: Path, loads: list[float]) -> None:
    with open(tmp / "locust_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    print()
    print(f"{'page':<34}{'requests':>9}{'errors':>8}{'p50':>7}{'p95':>7}{'max':>8}{'req/s':>8}")
    worst = 0.0
    for row in rows:
        name = row["Name"] if row["Type"] else "All"
        p95 = float(row["95%"] or 0)
        print(f"{(row['Type'] + ' ' + name).strip():<34}{int(row['Request Count']):>9}{int(row['Failure Count']):>8}"
              f"{float(row['50%'] or 0):>7.0f}{p95:>7.0f}{float(row['Max Response Time'] or 0):>8.0f}"
              f"{float(row['Requests/s'] or 0):>8.1f}" + ("   over target" if row["Type"] and p95 >= P95_TARGET_MS else ""))
        if row["Type"]:
            worst = max(worst, p95)
    print(f"(times in ms; target p95 under {P95_TARGET_MS} ms for every page; worst p95 {worst:.0f} ms; "
          f"load average during the run {min(loads, default=0):.1f}-{max(loads, default=0):.1f}, after {_load()})")
    failures = tmp / "locust_failures.csv"
    if failures.exists():
        with open(failures, newline="") as f:
            failed = list(csv.DictReader(f))
        for row in failed[:10]:
            print(f"   failed: {row['Method']} {row['Name']}: {row['Error'][:200]} x{row['Occurrences']}")


if __name__ == "__main__":
    raise SystemExit(main())
