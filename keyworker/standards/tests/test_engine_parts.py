"""A full run in parts: each part of the families computed, written and committed in turn, with its progress shown;
the result is the run's in one part. And one family's update in a fixed, small number of queries."""

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.standards import engine, services
from keyworker.standards import testing as standards_testing
from keyworker.standards.management.commands import worker
from keyworker.standards.models import Cadence, EngineRun, Obligation, PolicyVersion, SettledPeriods, Subject
from keyworker.standards.selectors import engine_progress
from keyworker.testing import allocate, make_child, make_family

pytestmark = pytest.mark.django_db
D = dt.date

RECORDS, fake_evidence, _make_standard = standards_testing.in_memory_evidence("part_record")

def make_standard(world, **fields):
    return _make_standard(world.org, **fields)


def more_families(world, n: int) -> list:
    families = []
    for i in range(n):
        f = make_family(world.org)
        make_child(f, world.school, world.class_a if i % 2 else world.class_b)
        if i % 3:
            allocate(f, world.school, world.ta_a if i % 2 else world.teacher_b)
        families.append(f)
    return families


def from_nothing(world, as_of, **kwargs):
    Obligation.objects.filter(organisation=world.org).delete()
    SettledPeriods.objects.filter(organisation=world.org).delete()
    return engine.recompute(organisation_id=world.org.pk, as_of=as_of, **kwargs)


def test_a_run_in_parts_equals_a_run_in_one_and_reports_its_progress(world, monkeypatch):
    make_standard(world)
    make_standard(world, clause="SCH-2", cadence=Cadence.HALF_TERMLY, subject=Subject.CHILD)
    make_standard(world, clause="KW-1", cadence=Cadence.HALF_TERMLY, subject=Subject.KEY_WORKER)
    make_standard(world, clause="ST-1", cadence=Cadence.TERMLY, subject=Subject.SETTING)
    families = [world.family_a, world.family_b, world.family_unallocated, *more_families(world, 7)]
    rng = random.Random(3)
    for f in families:
        for _ in range(3):
            RECORDS.append((f.pk, None, D(2026, 9, 7) + dt.timedelta(days=rng.randint(0, 70))))
    whole = from_nothing(world, D(2026, 11, 18))
    in_one = engine.snapshot(world.org.pk)

    monkeypatch.setattr(engine, "PART_FAMILIES", 3)
    seen = []
    parts = from_nothing(world, D(2026, 11, 18), progress=lambda done, total: seen.append((done, total)))
    assert engine.snapshot(world.org.pk) == in_one
    assert (parts.created, parts.events) == (whole.created, whole.events)
    assert seen == [(3, 10), (6, 10), (9, 10), (10, 10)]
    run = EngineRun.objects.get(organisation=world.org)
    assert (run.families_done, run.families_total) == (10, 10) and run.finished_at is not None
    # The next run in parts changes nothing; a family's record then changes its obligations alone.
    assert engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18)).events == 0
    RECORDS.append((families[5].pk, None, D(2026, 11, 17)))
    again = engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    assert {c.family_id for c in again.changes} == {families[5].pk}


def test_incremental_equals_full_with_the_full_runs_in_parts(world, monkeypatch):
    """Property: updates for the families whose records changed, with full runs in parts, equal a run from nothing."""
    monkeypatch.setattr(engine, "PART_FAMILIES", 2)
    make_standard(world, escalate_after_days=3)
    make_standard(world, clause="SCH-2", cadence=Cadence.HALF_TERMLY, subject=Subject.CHILD)
    families = [world.family_a, world.family_b, world.family_unallocated, *more_families(world, 5)]
    children = {f.pk: list(f.children.values_list("id", flat=True)) for f in families}
    rng = random.Random(11)
    day = D(2026, 9, 7)
    from_nothing(world, day)
    while day < D(2026, 11, 30):
        day += dt.timedelta(days=rng.randint(1, 5))
        touched = set()
        for _ in range(rng.randint(0, 3)):
            f = rng.choice(families)
            RECORDS.append((f.pk, rng.choice(children[f.pk] + [None]), day - dt.timedelta(days=rng.randint(0, 8))))
            touched.add(f.pk)
        engine.recompute(organisation_id=world.org.pk, as_of=day, families=touched)
        engine.recompute(organisation_id=world.org.pk, as_of=day)
    incremental = engine.snapshot(world.org.pk)
    from_nothing(world, day)
    assert engine.snapshot(world.org.pk) == incremental


def test_an_update_during_a_run_in_parts_is_not_overwritten(world, monkeypatch):
    monkeypatch.setattr(engine, "PART_FAMILIES", 1)
    s = make_standard(world)
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))

    def meanwhile():
        RECORDS.append((world.family_b.pk, None, D(2026, 11, 17)))
        engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 23), families={world.family_b.pk})

    monkeypatch.setattr(engine, "_before_write", meanwhile)
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 23))
    o = Obligation.objects.get(standard=s, family=world.family_b, period_start=D(2026, 11, 16))
    assert (o.state, o.met_on) == ("met", D(2026, 11, 17))


def test_one_familys_update_takes_a_fixed_small_number_of_queries(world):
    """Recording something about a family refreshes its obligations in the same few queries, however big the
    organisation and whatever its history."""
    policy = services.policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=D(2026, 11, 18))
    assert PolicyVersion.objects.get(policy=policy).applied_at is not None

    def update_queries():
        with CaptureQueriesContext(connection) as ctx:
            engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18), families={world.family_a.pk})
        return len(ctx.captured_queries)

    small = update_queries()
    more_families(world, 20)
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    assert update_queries() == small
    # SQLite: the standards, the lock, the family's rows and one read per source; PostgreSQL: the standards, the lock
    # with the family's rows, and every source's read, each sent as one statement.
    assert small <= (3 if connection.vendor == "postgresql" else 18)


def test_adopting_reports_the_first_runs_progress(world, monkeypatch):
    monkeypatch.setattr(engine, "PART_FAMILIES", 2)
    more_families(world, 3)
    seen = []
    policy = services.policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=D(2026, 11, 18),
                                           progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 6), (4, 6), (6, 6)]
    assert Obligation.objects.filter(organisation=world.org).exists()
    assert engine_progress(policy) is None  # applied: nothing to show


def test_the_policy_page_shows_how_far_the_run_has_got(world, client_for):
    policy = services.policy_adopt(actor=None, organisation=world.org, template_code="school_key_worker",
                                   effective_from=D(2026, 11, 18), review_on=D(2027, 11, 18))
    url = f"/policies/{policy.pk}/"
    page = client_for(world.headteacher).get(url).content.decode()
    assert "waiting to be worked out: they follow within a minute" in page
    now = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)
    EngineRun.objects.create(organisation=world.org, started_at=now, updated_at=now, families_done=4000, families_total=16000)
    page = client_for(world.headteacher).get(url).content.decode()
    assert "Working out the obligations of the latest changes: 4,000 of 16,000 families done." in page
    assert 'max="16000" value="4000"' in page
    # Once the version is applied, the note goes.
    PolicyVersion.objects.filter(policy=policy).update(applied_at=now)
    assert "Working out" not in client_for(world.teacher_a).get(url).content.decode()
    # Another organisation's policy page does not exist for its staff.
    assert client_for(world.personas["outsider"]).get(url).status_code == 404


def test_the_worker_prints_a_long_runs_progress(world, monkeypatch):
    monkeypatch.setattr(engine, "PART_FAMILIES", 2)
    monkeypatch.setattr(worker, "PROGRESS_AFTER_SECONDS", 0.0)
    make_standard(world)
    out = io.StringIO()
    call_command("worker", "--once", "--as-of", "2026-11-18", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if "obligations worked out" in line]
    assert [line.split(": ", 1)[1].split(" (")[0] for line in lines] == [
        "obligations worked out for 2 of 3 families", "obligations worked out for 3 of 3 families"]


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_parts_are_written_from_a_thread_while_the_next_is_computed(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("parts are written from a thread of their own on PostgreSQL, outside a caller's transaction")
    import threading

    monkeypatch.setattr(engine, "PART_FAMILIES", 2)
    make_standard(world)
    make_standard(world, clause="SCH-2", cadence=Cadence.HALF_TERMLY, subject=Subject.CHILD)
    more_families(world, 5)
    RECORDS.append((world.family_a.pk, None, D(2026, 11, 17)))
    writers = []
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18),
                     progress=lambda done, total: writers.append((threading.current_thread().name, done, total)))
    assert writers == [("engine-writer", 2, 8), ("engine-writer", 4, 8), ("engine-writer", 6, 8), ("engine-writer", 8, 8)]
    in_parts = engine.snapshot(world.org.pk)
    monkeypatch.setattr(engine, "PART_FAMILIES", 100)
    assert from_nothing(world, D(2026, 11, 18)).created == len(in_parts)
    assert engine.snapshot(world.org.pk) == in_parts

    # A part that fails to write stops the run with its error; the parts written before it stay.
    monkeypatch.setattr(engine, "PART_FAMILIES", 2)
    Obligation.objects.filter(organisation=world.org).delete()
    SettledPeriods.objects.filter(organisation=world.org).delete()  # a first run: written from threads
    real = engine._write
    calls = []

    def fails_second(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(*a, **k)

    monkeypatch.setattr(engine, "_write", fails_second)
    with pytest.raises(RuntimeError, match="went away"):
        engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    assert 0 < Obligation.objects.filter(organisation=world.org).count() < len(in_parts)
    assert EngineRun.objects.get(organisation=world.org).finished_at is None
    assert not SettledPeriods.objects.filter(organisation=world.org).exists()


def test_a_run_that_fails_half_way_marks_nothing_settled(world, monkeypatch):
    monkeypatch.setattr(engine, "PART_FAMILIES", 2)
    make_standard(world)
    more_families(world, 3)
    real = engine._write
    calls = []

    def fails_second(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(*a, **k)

    monkeypatch.setattr(engine, "_write", fails_second)
    with pytest.raises(RuntimeError, match="went away"):
        engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    assert not SettledPeriods.objects.filter(organisation=world.org).exists()
    assert EngineRun.objects.get(organisation=world.org).finished_at is None
    monkeypatch.setattr(engine, "_write", real)
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))  # the next run finishes it
    assert SettledPeriods.objects.filter(organisation=world.org).exists()
    assert EngineRun.objects.get(organisation=world.org).finished_at is not None
