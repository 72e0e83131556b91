"""The engine: cadences in the term calendar, states as of a date, events, and incremental = full."""

import datetime as dt
import random

import pytest

from keyworker.standards import engine
from keyworker.standards import testing as standards_testing
from keyworker.standards.models import (
    Cadence,
    Obligation,
    ObligationEvent,
    ObligationState,
    SettledPeriods,
    Standard,
    Subject,
)
from keyworker.testing import allocate, make_child, make_family

pytestmark = pytest.mark.django_db
D = dt.date

RECORDS, fake_evidence, _make_standard = standards_testing.in_memory_evidence("test_record")


def make_standard(world, **fields) -> Standard:
    return _make_standard(world.org, **fields)


def states(world, standard, family):
    return {o.period_start: o.state for o in Obligation.objects.filter(standard=standard, family=family)}


def test_weekly_contact_is_due_each_school_week_and_not_in_the_holidays(world):
    s = make_standard(world)
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    weeks = sorted(states(world, s, world.family_a))
    # From the week of 31 Aug (term starts Wed 2 Sep) to the week of 16 Nov; the half-term week of 26 Oct is not due.
    assert weeks[0] == D(2026, 8, 31) and weeks[-1] == D(2026, 11, 16)
    assert D(2026, 10, 26) not in weeks
    assert len(weeks) == 11
    o = Obligation.objects.get(standard=s, family=world.family_a, period_start=D(2026, 11, 16))
    assert o.due_on == D(2026, 11, 20) and o.state == ObligationState.DUE_SOON and o.responsible_staff == world.ta_a


@pytest.mark.parametrize(("as_of", "state"), [
    (D(2026, 11, 16), ObligationState.UPCOMING),   # due Fri 20: 4 days away
    (D(2026, 11, 18), ObligationState.DUE_SOON),   # 2 days away
    (D(2026, 11, 21), ObligationState.OVERDUE),    # Saturday after
    (D(2026, 11, 26), ObligationState.ESCALATED),  # more than 5 days overdue
])
def test_state_follows_the_date(world, as_of, state):
    s = make_standard(world)
    engine.recompute(organisation_id=world.org.pk, as_of=as_of)
    assert states(world, s, world.family_a)[D(2026, 11, 16)] == state


def test_evidence_in_the_window_meets_it_and_back_dated_evidence_counts(world):
    s = make_standard(world)
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 23))
    assert states(world, s, world.family_a)[D(2026, 11, 16)] == ObligationState.OVERDUE
    RECORDS.append((world.family_a.pk, None, D(2026, 11, 17)))  # logged late, about Tuesday
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 23))
    o = Obligation.objects.get(standard=s, family=world.family_a, period_start=D(2026, 11, 16))
    assert o.state == ObligationState.MET and o.met_on == D(2026, 11, 17)
    assert list(o.events.values_list("from_state", "to_state")) == [("", "overdue"), ("overdue", "met")]


def test_half_termly_and_child_subjects(world):
    s = make_standard(world, clause="SCH-2", cadence=Cadence.HALF_TERMLY, subject=Subject.CHILD, escalate_after_days=None)
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    rows = list(Obligation.objects.filter(standard=s, child=world.child_a).order_by("period_start").values_list("period_start", "due_on", "state"))
    # Autumn 1 closed five school days after it ended (Fri 6 November): missed.
    assert rows == [(D(2026, 9, 2), D(2026, 10, 23), "missed"), (D(2026, 11, 2), D(2026, 12, 18), "upcoming")]


def test_conditions_choose_the_children(world):
    world.child_a.has_ehcp = True
    world.child_a.save()
    s = make_standard(world, cadence=Cadence.TERMLY, subject=Subject.CHILD, conditions={"has_ehcp": True})
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    assert set(Obligation.objects.filter(standard=s).values_list("child_id", flat=True)) == {world.child_a.pk}


def test_within_n_days_of_enrolment(world):
    newcomer = make_family(world.org, "The New family")
    child = make_child(newcomer, world.school, world.class_a, enrolled_on=D(2026, 11, 10))
    s = make_standard(world, clause="CC-K5", cadence=Cadence.AFTER_ENROLMENT, cadence_n=7, subject=Subject.CHILD, escalate_after_days=None)
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    o = Obligation.objects.get(standard=s, child=child)
    assert (o.due_on, o.state) == (D(2026, 11, 17), "overdue")
    assert not Obligation.objects.filter(standard=s, child=world.child_a).exists()  # enrolled long ago, before the look-back
    RECORDS.append((newcomer.pk, child.pk, D(2026, 11, 18)))  # done a day late: met, late
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    o.refresh_from_db()
    assert (o.state, o.met_on) == ("met", D(2026, 11, 18)) and o.met_on > o.due_on


def test_switching_a_standard_off_removes_the_open_obligations_of_periods_not_ended(world):
    s = make_standard(world)
    RECORDS.append((world.family_a.pk, None, D(2026, 11, 3)))
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    s.enabled = False
    s.save()
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    # The week in progress goes; the weeks that ended stay as they ended (met, or missed once closed).
    left = dict(Obligation.objects.filter(standard=s, family=world.family_a).values_list("period_start", "state"))
    assert D(2026, 11, 16) not in left and left[D(2026, 11, 2)] == "met" and left[D(2026, 10, 5)] == "missed"
    assert left[D(2026, 11, 9)] == "overdue"  # ended on Sunday, still within its grace


def test_a_standard_without_registered_evidence_produces_nothing_yet(world):
    make_standard(world, evidence="no_such_evidence")
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    assert not Obligation.objects.exists()


def test_recompute_is_idempotent(world):
    make_standard(world)
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    again = engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    assert (again.created, again.updated, again.removed, again.events) == (0, 0, 0, 0)


def test_a_full_run_reads_in_a_fixed_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_standard(world)
    make_standard(world, clause="SCH-2", cadence=Cadence.HALF_TERMLY, subject=Subject.CHILD)
    with CaptureQueriesContext(connection) as small:
        engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    for i in range(30):
        f = make_family(world.org)
        make_child(f, world.school, world.class_a if i % 2 else world.class_b)
        allocate(f, world.school, world.teacher_a)
    Obligation.objects.all().delete()
    SettledPeriods.objects.all().delete()  # and the marks: a run from nothing
    with CaptureQueriesContext(connection) as large:
        engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    def reads(ctx):
        return [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]

    # Reads are fixed; writes are batched inserts (SQLite caps a statement's parameters, so batches are smaller there).
    assert len(reads(large)) == len(reads(small))


def test_incremental_equals_full_on_generated_histories(world):
    """Property: updating only the families whose evidence changed gives what a full recompute gives."""
    make_standard(world)
    make_standard(world, clause="SCH-2", cadence=Cadence.HALF_TERMLY, subject=Subject.CHILD)
    families = [world.family_a, world.family_b, world.family_unallocated]
    for i in range(6):
        f = make_family(world.org)
        make_child(f, world.school, world.class_a if i % 2 else world.class_b)
        families.append(f)
    children = {f.pk: list(f.children.values_list("id", flat=True)) for f in families}
    rng = random.Random(7)
    for trial in range(5):
        RECORDS.clear()
        Obligation.objects.all().delete()
        SettledPeriods.objects.all().delete()  # and the marks: a run from nothing
        day = D(2026, 9, 7)
        engine.recompute(organisation_id=world.org.pk, as_of=day)
        while day < D(2026, 11, 30):
            day += dt.timedelta(days=rng.randint(1, 4))
            touched = set()
            for _ in range(rng.randint(0, 3)):
                f = rng.choice(families)
                RECORDS.append((f.pk, rng.choice(children[f.pk] + [None]), day - dt.timedelta(days=rng.randint(0, 3))))
                touched.add(f.pk)
            # Incremental for the touched families, then the daily run for the date (states move with time).
            engine.recompute(organisation_id=world.org.pk, as_of=day, families=touched)
            engine.recompute(organisation_id=world.org.pk, as_of=day)
        incremental = engine.snapshot(world.org.pk)
        Obligation.objects.all().delete()
        SettledPeriods.objects.all().delete()  # and the marks: a run from nothing
        engine.recompute(organisation_id=world.org.pk, as_of=day)
        assert engine.snapshot(world.org.pk) == incremental, f"trial {trial}"


def test_an_event_row_for_every_change_of_state(world):
    s = make_standard(world)
    for day in (D(2026, 11, 16), D(2026, 11, 18), D(2026, 11, 21), D(2026, 11, 26)):
        engine.recompute(organisation_id=world.org.pk, as_of=day)
    o = Obligation.objects.get(standard=s, family=world.family_a, period_start=D(2026, 11, 16))
    assert list(ObligationEvent.objects.filter(obligation=o).values_list("to_state", flat=True)) == ["upcoming", "due_soon", "overdue", "escalated"]


@pytest.fixture
def appointments():
    """An in-memory event source: (family, child, day, ref) rows."""
    from keyworker.standards.evidence import EventRow, EventSource, register_events, unregister_events

    rows: list[tuple[int, int | None, dt.date, str]] = []
    register_events(EventSource("test_appointment", "Appointment", lambda org, start, end: [
        EventRow(f, c, day, ref) for f, c, day, ref in rows if start <= day <= end
    ]))
    yield rows
    unregister_events("test_appointment")


def test_reminder_n_days_before_each_event(world, appointments):
    s = make_standard(world, clause="SCH-6", title="Reminder before appointments", cadence=Cadence.BEFORE_EVENT, cadence_n=3,
                      event="test_appointment", escalate_after_days=None)
    appointments += [(world.family_a.pk, None, D(2026, 11, 26), "appt1"), (world.family_a.pk, None, D(2027, 3, 1), "appt2")]
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    o = Obligation.objects.get(standard=s, family=world.family_a)  # March is beyond the look-ahead
    assert (o.due_on, o.state, o.subject_key) == (D(2026, 11, 23), "upcoming", f"f{world.family_a.pk}@appt1")
    RECORDS.append((world.family_a.pk, None, D(2026, 11, 24)))  # reminded a day late, before the appointment
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 24))
    o.refresh_from_db()
    assert (o.state, o.met_on) == ("met", D(2026, 11, 24))


def test_a_reminder_after_the_event_does_not_count(world, appointments):
    s = make_standard(world, cadence=Cadence.BEFORE_EVENT, cadence_n=3, event="test_appointment", escalate_after_days=None)
    appointments.append((world.family_a.pk, None, D(2026, 11, 12), "appt"))
    RECORDS.append((world.family_a.pk, None, D(2026, 11, 13)))
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    assert Obligation.objects.get(standard=s).state == "missed"  # the appointment has passed: nothing can meet it


def test_within_n_days_after_each_event(world, appointments):
    s = make_standard(world, clause="SCH-10", cadence=Cadence.AFTER_EVENT, cadence_n=2, subject=Subject.CHILD,
                      event="test_appointment", escalate_after_days=None)
    appointments += [(world.family_a.pk, world.child_a.pk, D(2026, 11, 9), "visit1"),
                     (world.family_a.pk, world.child_a.pk, D(2026, 11, 16), "visit2"),
                     (world.family_a.pk, world.child_a.pk, D(2026, 11, 30), "visit3")]  # not happened yet
    RECORDS.append((world.family_a.pk, world.child_a.pk, D(2026, 11, 10)))
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    got = dict(Obligation.objects.filter(standard=s).values_list("period_start", "state"))
    assert got == {D(2026, 11, 9): "met", D(2026, 11, 16): "due_soon"}  # due today, 18 Nov


def test_event_standards_wait_for_their_event_source(world):
    make_standard(world, cadence=Cadence.AFTER_EVENT, cadence_n=2, event="not_yet_recorded")
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    assert not Obligation.objects.exists()
