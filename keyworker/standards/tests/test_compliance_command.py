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
    # Ten school weeks were due by Wednesday 18th (the week of the 16th is due on Friday), for three families.
    # Two weeks met by the Adams family; the week of the 9th is 5 days overdue (not yet escalated); one waived.
    assert report["standards"] == [
        {"clause": "SCH-2", "title": "Half-termly data check", "due": 3, "met": 1, "overdue": 2, "escalated": 0, "waived": 0,
         "percent_met": 33.3},
        {"clause": "SCH-4", "title": "Weekly contact", "due": 30, "met": 2, "overdue": 2, "escalated": 25, "waived": 1,
         "percent_met": 6.9},
    ]
    assert report["key_workers"] == [
        {"name": "Ben Teacher", "due": 11, "met": 0, "percent_met": 0.0},
        {"name": "Kim Keyworker", "due": 11, "met": 3, "percent_met": 27.3},
        {"name": "No key worker", "due": 11, "met": 0, "percent_met": 0.0},
    ]


def test_csv(history):
    rows = list(csv.DictReader(io.StringIO(run("--organisation", history.org.slug, "--as-of", "2026-11-18", "--format", "csv"))))
    assert [(r["section"], r["clause"] or r["name"], r["due"], r["met"], r["percent_met"]) for r in rows] == [
        ("standard", "SCH-2", "3", "1", "33.3"),
        ("standard", "SCH-4", "30", "2", "6.9"),
        ("key_worker", "Ben Teacher", "11", "0", "0.0"),
        ("key_worker", "Kim Keyworker", "11", "3", "27.3"),
        ("key_worker", "No key worker", "11", "0", "0.0"),
    ]
    assert rows[1]["escalated"] == "25" and rows[1]["waived"] == "1" and rows[1]["title"] == "Weekly contact"


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
    assert "Per standard" in out and "Per key worker" in out and "Kim Keyworker" in out
    sch2 = next(line for line in out.splitlines() if "SCH-2" in line)
    assert sch2.split()[-6:] == ["3", "1", "2", "0", "0", "33.3"]
    sch4 = next(line for line in out.splitlines() if "SCH-4" in line)
    assert sch4.split()[-6] == "24"  # eight school weeks by Friday 23 October, for three families


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
])
def test_clear_errors(world, args, message):
    if args[0] != "--organisation":
        args = ["--organisation", world.org.slug, *args]
    with pytest.raises(CommandError, match=message):
        run(*args)
