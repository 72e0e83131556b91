"""School days are school days: "within N school days", "N school days before", due dates and graces count days in
the setting's term calendar (weekends, holidays, bank holidays and INSET days skipped), for every cadence."""

import datetime as dt

import pytest

from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Closure, ClosureKind, HalfTerm, Term
from keyworker.standards import engine, periods
from keyworker.standards import testing as standards_testing
from keyworker.standards.evidence import EventRow, EventSource, register_events, unregister_events
from keyworker.standards.models import Cadence, DayCount, Obligation, Subject
from keyworker.testing import make_child, make_family

pytestmark = pytest.mark.django_db
D = dt.date

RECORDS, fake_evidence, _make_standard = standards_testing.in_memory_evidence("test_record")
EVENTS: list[EventRow] = []


@pytest.fixture(autouse=True)
def events():
    EVENTS.clear()
    register_events(EventSource("test_absence", "An absence", lambda org, start, end: [e for e in EVENTS if start <= e.on <= end]))
    yield
    unregister_events("test_absence")


def add_year(world) -> None:
    """Spring and Summer 2027 (Good Friday, Easter Monday, the May bank holidays), and two INSET days in Autumn 2."""
    org, school = world.org.pk, world.school
    for name, a, b, halves in [
        ("Spring 2027", D(2027, 1, 5), D(2027, 3, 25), [("Spring 1", D(2027, 1, 5), D(2027, 2, 12)),
                                                        ("Spring 2", D(2027, 2, 22), D(2027, 3, 25))]),
        ("Summer 2027", D(2027, 4, 12), D(2027, 7, 21), [("Summer 1", D(2027, 4, 12), D(2027, 5, 28)),
                                                        ("Summer 2", D(2027, 6, 7), D(2027, 7, 21))]),
    ]:
        term = Term.objects.create(organisation_id=org, setting=school, name=name, school_year="2026/27", starts_on=a, ends_on=b)
        for h, c, d in halves:
            HalfTerm.objects.create(organisation_id=org, setting=school, term=term, name=h, starts_on=c, ends_on=d)
    for day in (D(2026, 11, 23), D(2026, 11, 27)):  # a Monday and a Friday
        Closure.objects.create(organisation_id=org, setting=school, kind=ClosureKind.INSET, name="INSET day", starts_on=day, ends_on=day)


@pytest.fixture
def cal(world) -> TermCalendar:
    add_year(world)
    return TermCalendar.for_setting(world.school)


@pytest.mark.parametrize(("event", "due"), [
    (D(2026, 11, 13), D(2026, 11, 16)),  # a Friday: the Monday
    (D(2026, 12, 18), D(2027, 1, 5)),    # the last day of term: the first day back
    (D(2027, 4, 30), D(2027, 5, 4)),     # the Friday before the early May bank holiday: the Tuesday
    (D(2026, 11, 20), D(2026, 11, 24)),  # the Friday before an INSET Monday: the Tuesday
    (D(2027, 3, 25), D(2027, 4, 12)),    # the last day before Easter (Good Friday, Easter Monday): the first day back
])
def test_within_one_school_day_of_an_event(world, cal, event, due):
    s = make_standard(world, cadence=Cadence.AFTER_EVENT, cadence_n=1, event="test_absence", subject=Subject.CHILD)
    EVENTS.append(EventRow(world.family_a.pk, world.child_a.pk, event, "absence"))
    as_of = max(event, D(2026, 11, 18))
    engine.recompute(organisation_id=world.org.pk, as_of=as_of)
    o = Obligation.objects.get(standard=s, child=world.child_a)
    assert o.due_on == due
    assert periods.add_days(cal, event, 1, DayCount.SCHOOL) == due


def test_calendar_days_still_count_every_day(world, cal):
    s = make_standard(world, cadence=Cadence.AFTER_EVENT, cadence_n=1, event="test_absence", subject=Subject.CHILD,
                      day_count=DayCount.CALENDAR)
    EVENTS.append(EventRow(world.family_a.pk, world.child_a.pk, D(2026, 11, 13), "absence"))
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    assert Obligation.objects.get(standard=s).due_on == D(2026, 11, 14)


@pytest.mark.parametrize(("event", "due"), [
    (D(2026, 11, 16), D(2026, 11, 13)),  # a Monday: the Friday before
    (D(2027, 1, 5), D(2026, 12, 18)),    # the first day back: the last day of the term before
    (D(2026, 11, 24), D(2026, 11, 20)),  # the Tuesday after an INSET Monday: the Friday
    (D(2027, 5, 4), D(2027, 4, 30)),     # the Tuesday after the bank holiday: the Friday
])
def test_one_school_day_before_an_event(world, cal, event, due):
    s = make_standard(world, cadence=Cadence.BEFORE_EVENT, cadence_n=1, event="test_absence", escalate_after_days=None)
    EVENTS.append(EventRow(world.family_a.pk, None, event, "appointment"))
    engine.recompute(organisation_id=world.org.pk, as_of=due - dt.timedelta(days=1))
    assert Obligation.objects.get(standard=s).due_on == due


@pytest.mark.parametrize(("enrolled", "due"), [
    (D(2026, 11, 13), D(2026, 11, 20)),  # a Friday: five school days on
    (D(2026, 11, 18), D(2026, 11, 26)),  # across the INSET Monday 23rd
    (D(2026, 12, 16), D(2027, 1, 7)),    # across the Christmas holiday
])
def test_within_five_school_days_of_enrolment(world, cal, enrolled, due):
    newcomer = make_family(world.org)
    child = make_child(newcomer, world.school, world.class_a, enrolled_on=enrolled)
    s = make_standard(world, cadence=Cadence.AFTER_ENROLMENT, cadence_n=5, subject=Subject.CHILD)
    engine.recompute(organisation_id=world.org.pk, as_of=enrolled)
    assert Obligation.objects.get(standard=s, child=child).due_on == due


END_OF_YEAR = D(2027, 7, 21)


def _window(cal, cadence, n, start):
    return next(w for w in periods.windows(cadence, n, cal, END_OF_YEAR) if w.start == start)


@pytest.mark.parametrize(("start", "due"), [
    (D(2026, 11, 16), D(2026, 11, 20)),  # an ordinary week: the Friday
    (D(2026, 11, 23), D(2026, 11, 26)),  # INSET on Monday and Friday: the Thursday
    (D(2026, 12, 14), D(2026, 12, 18)),  # the last week of term
    (D(2027, 5, 3), D(2027, 5, 7)),      # a bank holiday Monday
    (D(2027, 3, 22), D(2027, 3, 25)),    # the last day of term on a Thursday (Good Friday)
])
def test_weekly_windows_are_due_on_their_last_school_day(cal, start, due):
    assert _window(cal, Cadence.WEEKLY_TERM_TIME, 1, start).due_on == due


def test_weeks_without_school_days_owe_nothing(cal):
    starts = {w.start for w in periods.windows(Cadence.WEEKLY_TERM_TIME, 1, cal, END_OF_YEAR)}
    assert D(2026, 12, 21) not in starts and D(2026, 12, 28) not in starts and D(2027, 3, 29) not in starts
    assert D(2027, 1, 4) in starts  # the week term starts on a Tuesday


@pytest.mark.parametrize(("cadence", "n", "start", "due"), [
    (Cadence.HALF_TERMLY, 1, D(2026, 11, 2), D(2026, 12, 18)),
    (Cadence.HALF_TERMLY, 1, D(2027, 2, 22), D(2027, 3, 25)),
    (Cadence.TERMLY, 1, D(2027, 4, 12), D(2027, 7, 21)),
    (Cadence.EVERY_N_MONTHS, 1, D(2026, 11, 1), D(2026, 11, 30)),  # a Monday
    (Cadence.EVERY_N_MONTHS, 1, D(2026, 12, 1), D(2026, 12, 18)),  # the holiday: the last day of term
    (Cadence.EVERY_N_MONTHS, 1, D(2027, 5, 1), D(2027, 5, 28)),    # 31 May is a bank holiday (and half term)
    (Cadence.EVERY_N_MONTHS, 1, D(2027, 1, 1), D(2027, 1, 29)),    # 1 January is a bank holiday
])
def test_other_cadences_are_due_on_a_school_day(cal, cadence, n, start, due):
    w = _window(cal, cadence, n, start)
    assert w.due_on == due and cal.is_school_day(w.due_on)


@pytest.mark.parametrize(("end", "closes"), [
    (D(2026, 11, 22), D(2026, 12, 1)),   # a week: five school days after it, skipping the INSET days
    (D(2026, 12, 20), D(2027, 1, 11)),   # the last week of term: into January
    (D(2026, 10, 23), D(2026, 11, 6)),   # a half term: after the half-term holiday
    (D(2027, 4, 30), D(2027, 5, 10)),    # over the bank holiday
])
def test_a_window_closes_five_school_days_after_it_ends(cal, end, closes):
    assert periods.closes_on(cal, end, 5) == closes


def test_escalation_counts_school_days(world, cal):
    s = make_standard(world, cadence=Cadence.AFTER_EVENT, cadence_n=1, event="test_absence", subject=Subject.CHILD,
                      escalate_after_days=2, one_off_open_school_days=20)
    EVENTS.append(EventRow(world.family_a.pk, world.child_a.pk, D(2026, 11, 12), "absence"))  # due Fri 13th
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 16))  # one school day late (three days)
    assert Obligation.objects.get(standard=s).state == "overdue"
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))  # three school days late
    assert Obligation.objects.get(standard=s).state == "escalated"


def make_standard(world, **fields):
    fields.setdefault("day_count", DayCount.SCHOOL)
    fields.setdefault("escalate_after_days", None)
    return _make_standard(world.org, **fields)
