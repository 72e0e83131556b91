"""`keyworker compliance`: per standard and per key worker, as of a date, in text, JSON and CSV."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.standards import engine
from keyworker.standards.models import Cadence, Obligation, Subject
from keyworker.standards.tests.test_escalation import (
    RECORDS,
    D,
    make_standard,
    register_fakes,
    unregister_fakes,
)
from keyworker.testing import allocate, make_child, make_family

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fakes():
    register_fakes()
    yield
    unregister_fakes()


@pytest.fixture
def history(world):
    """Weekly contact (SCH-4) for three families and a half-termly check per child (SCH-2), as of Wed 18 November."""
    # A grace of 60 school days: no period of the term has closed yet, so nothing is missed.
    weekly = make_standard(world.org, grace_school_days=60)
    make_standard(world.org, clause="SCH-2", title="Half-termly data check", cadence=Cadence.HALF_TERMLY,
                  subject=Subject.CHILD, evidence="test_check", escalate_after_days=None, grace_school_days=60)
    RECORDS["test_contact"] += [(world.family_a.pk, None, D(2026, 11, 3)), (world.family_a.pk, None, D(2026, 11, 10))]
    RECORDS["test_check"].append((world.family_a.pk, world.child_a.pk, D(2026, 10, 1)))
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    waived = Obligation.objects.filter(standard=weekly, family=world.family_b, state="escalated").first()
    waived.state = "waived"
    waived.save()
    return world


def run(*args):
    out = io.StringIO()
    call_command("compliance", *args, stdout=out)
    return out.getvalue()


def test_json(history):
    report = json.loads(run("--organisation", history.org.slug, "--as-of", "2026-11-18", "--format", "json"))
    assert report["as_of"] == "2026-11-18" and report["from"] == "2026-09-02" and report["settings"] == ["Test Primary"]
    assert report["to"] == "2026-11-18" and "(met on time + met late) ÷ (due − waived)" in report["definition"]
    # Ten school weeks were due by Wednesday 18th (the week of the 16th is due on Friday), for three families.
    # Two weeks met by the Adams family; one waived; the rest still open (overdue or escalated).
    sch2, sch4 = report["standards"]
    assert {k: v for k, v in sch2.items() if k != "percent_exact"} == {
        "clause": "SCH-2", "title": "Half-termly data check", "due": 3, "met_on_time": 1, "met_late": 0, "missed": 0,
        "waived": 0, "still_open": 2, "percent": 33}
    assert {k: v for k, v in sch4.items() if k != "percent_exact"} == {
        "clause": "SCH-4", "title": "Weekly contact", "due": 30, "met_on_time": 2, "met_late": 0, "missed": 0,
        "waived": 1, "still_open": 27, "percent": 7}
    assert sch2["percent_exact"] == pytest.approx(100 / 3) and sch4["percent_exact"] == pytest.approx(200 / 29)
    assert [(r["name"], r["due"], r["met_on_time"], r["waived"], r["percent"]) for r in report["key_workers"]] == [
        ("Ben Teacher", 11, 0, 1, 0),
        ("Kim Keyworker", 11, 3, 0, 27),
        ("No key worker", 11, 0, 0, 0),
    ]


def test_a_period(history):
    report = json.loads(run("--organisation", history.org.slug, "--as-of", "2026-11-18", "--from", "2026-11-02",
                            "--to", "2026-12-18", "--format", "json"))
    assert (report["from"], report["to"]) == ("2026-11-02", "2026-12-18")
    # Autumn 2 so far: the weeks of 2 and 9 November for three families; the data check is due on 18 December.
    assert [(r["clause"], r["due"], r["met_on_time"], r["waived"], r["percent"]) for r in report["standards"]] == [
        ("SCH-4", 6, 2, 0, 33),
    ]


def test_csv(history):
    rows = list(csv.DictReader(io.StringIO(run("--organisation", history.org.slug, "--as-of", "2026-11-18", "--format", "csv"))))
    assert [(r["section"], r["clause"] or r["name"], r["due"], r["met_on_time"], r["percent"]) for r in rows] == [
        ("standard", "SCH-2", "3", "1", "33"),
        ("standard", "SCH-4", "30", "2", "7"),
        ("key_worker", "Ben Teacher", "11", "0", "0"),
        ("key_worker", "Kim Keyworker", "11", "3", "27"),
        ("key_worker", "No key worker", "11", "0", "0"),
    ]
    assert rows[1]["still_open"] == "27" and rows[1]["waived"] == "1" and rows[1]["title"] == "Weekly contact"
    assert float(rows[1]["percent_exact"]) == pytest.approx(200 / 29)


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_kept_as_text(history):
    from keyworker.standards.models import Standard

    Standard.objects.filter(organisation=history.org, clause="SCH-2").update(title='=HYPERLINK("http://evil","x")')
    history.ta_a.user.__class__.objects.filter(pk=history.ta_a.user_id).update(full_name="@SUM(1+1)")
    out = run("--organisation", history.org.slug, "--as-of", "2026-11-18", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["title"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert "'@SUM(1+1)" in {r["name"] for r in rows}
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())


def test_text_and_an_earlier_date(history):
    out = run("--organisation", history.org.slug, "--setting", "test primary", "--as-of", "2026-10-23")
    assert "Per clause" in out and "Per key worker" in out and "Kim Keyworker" in out
    sch2 = next(line for line in out.splitlines() if "SCH-2" in line)
    # due, met on time, met late, missed, waived, still open, share
    assert sch2.split()[-7:] == ["3", "1", "0", "0", "0", "2", "33%"]
    sch4 = next(line for line in out.splitlines() if "SCH-4" in line)
    assert sch4.split()[-7] == "24"  # eight school weeks by Friday 23 October, for three families


def test_figures_come_from_a_fixed_number_of_queries(history):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            run("--organisation", history.org.slug, "--as-of", "2026-11-18", "--format", "json")
        return len(ctx.captured_queries)

    small = count()
    for _ in range(10):
        f = make_family(history.org)
        make_child(f, history.school, history.class_a)
        allocate(f, history.school, history.teacher_a)
    engine.recompute(organisation_id=history.org.pk, as_of=D(2026, 11, 18))
    assert count() == small


def test_nothing_due_yet(world):
    report = json.loads(run("--organisation", world.org.slug, "--as-of", "2026-11-18", "--format", "json"))
    assert report["standards"] == [] and report["key_workers"] == []
    assert "Nothing was due." in run("--organisation", world.org.slug)


@pytest.mark.parametrize(("args", "message"), [
    (["--organisation", "nope"], "No organisation with the slug “nope”"),
    (["--setting", "Nowhere"], "has no setting “Nowhere”. Its settings: Test Primary"),
    (["--as-of", "18/11/2026"], "YYYY-MM-DD"),
    (["--from", "2026-12-01", "--to", "2026-11-01"], "is after --to"),
])
def test_clear_errors(world, args, message):
    if args[0] != "--organisation":
        args = ["--organisation", world.org.slug, *args]
    with pytest.raises(CommandError, match=message):
        run(*args)
