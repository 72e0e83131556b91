"""The engine's key worker and setting subjects: one obligation per key worker or per setting, for every cadence."""

import datetime as dt
import random

import pytest

from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.standards import engine
from keyworker.standards import testing as standards_testing
from keyworker.standards.evidence import (
    EventRow,
    EventSource,
    EvidenceRow,
    EvidenceSource,
    register_events,
    unregister_events,
)
from keyworker.standards.models import Cadence, Obligation, Responsible, SettledPeriods, Subject
from keyworker.testing import allocate, make_child, make_family, make_setting, make_staff

pytestmark = pytest.mark.django_db
D = dt.date
AS_OF = D(2026, 11, 18)

ROWS: list[EvidenceRow] = []
EVENTS: list[EventRow] = []


def _fetch(organisation_id, start, end, conditions, families=None):
    # Like a real source: narrowed to the families asked for, rows about no family always returned.
    return [r for r in ROWS if start <= r.on <= end and (families is None or r.family_id is None or r.family_id in families)]


def _fetch_events(organisation_id, start, end, families=None):
    return [r for r in EVENTS if start <= r.on <= end and (families is None or r.family_id is None or r.family_id in families)]


@pytest.fixture(autouse=True)
def sources():
    ROWS.clear()
    EVENTS.clear()
    with standards_testing.replaced_evidence(EvidenceSource("duty_done", "A duty done", _fetch, by_family=True)):
        register_events(EventSource("duty_event", "Something happened", _fetch_events, by_family=True))
        yield
        unregister_events("duty_event")


@pytest.fixture
def since_september(world):
    """The world's key workers took on their families at the start of term."""
    KeyWorkerAllocation.objects.filter(organisation=world.org).update(starts_at=dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC))
    return world


def make_standard(world, subject, **fields):
    defaults = {"cadence": Cadence.WEEKLY_TERM_TIME, "escalate_after_days": None, "subject": subject}
    defaults.update(fields)
    return standards_testing.make_standard(world.org, "duty_done", **defaults)


def obligations(standard):
    return list(Obligation.objects.filter(standard=standard).order_by("subject_key", "period_start"))


def by_key(standard):
    out: dict[str, list] = {}
    for o in obligations(standard):
        out.setdefault(o.subject_key, []).append(o)
    return out


def staff_row(staff, day, ref="duty"):
    return EvidenceRow(None, None, day, ref, staff_id=staff.pk)


def setting_row(setting, day, ref="duty"):
    return EvidenceRow(None, None, day, ref, setting_id=setting.pk)


# Key worker subject --------------------------------------------------------------------------------------


def test_one_weekly_obligation_per_key_worker_with_no_family(since_september):
    world = since_september
    s = make_standard(world, Subject.KEY_WORKER)
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    got = by_key(s)
    # The key workers of the world: ta_a (family A) and teacher_b (family B); nobody else holds a family.
    assert set(got) == {f"s{world.ta_a.pk}", f"s{world.teacher_b.pk}"}
    mine = got[f"s{world.ta_a.pk}"]
    assert len(mine) == 11 and mine[-1].period_start == D(2026, 11, 16) and mine[-1].due_on == D(2026, 11, 20)
    assert all(o.family_id is None and o.child_id is None and o.setting_id == world.school.pk for o in mine)
    assert all(o.responsible_staff_id == world.ta_a.pk for o in mine)
    assert mine[-1].state == "due_soon" and mine[-2].state == "overdue"


def test_a_key_workers_record_or_one_about_their_family_meets_it(since_september):
    world = since_september
    s = make_standard(world, Subject.KEY_WORKER)
    ROWS.append(staff_row(world.teacher_b, D(2026, 11, 17)))  # a record naming the key worker
    ROWS.append(EvidenceRow(world.family_a.pk, None, D(2026, 11, 16), "about-a"))  # a record about ta_a's family
    ROWS.append(EvidenceRow(world.family_unallocated.pk, None, D(2026, 11, 9), "nobody's"))  # no key worker: nobody's
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    week = {o.subject_key: o for o in Obligation.objects.filter(standard=s, period_start=D(2026, 11, 16))}
    assert (week[f"s{world.ta_a.pk}"].state, week[f"s{world.ta_a.pk}"].evidence_ref) == ("met", "about-a")
    assert (week[f"s{world.teacher_b.pk}"].state, week[f"s{world.teacher_b.pk}"].met_on) == ("met", D(2026, 11, 17))
    assert not Obligation.objects.filter(standard=s, period_start=D(2026, 11, 9), state="met").exists()


@pytest.mark.parametrize(("cadence", "n", "starts"), [
    (Cadence.HALF_TERMLY, 1, [D(2026, 9, 2), D(2026, 11, 2)]),
    (Cadence.TERMLY, 1, [D(2026, 9, 2)]),
    (Cadence.EVERY_N_MONTHS, 1, [D(2026, 9, 2), D(2026, 10, 1), D(2026, 11, 1)]),
    # Fortnights from the Monday of the first week; the one over half term holds the school days of 2-6 November.
    (Cadence.WEEKLY_TERM_TIME, 2, [D(2026, 8, 31), D(2026, 9, 14), D(2026, 9, 28), D(2026, 10, 12), D(2026, 10, 26),
                                   D(2026, 11, 9)]),
])
def test_recurring_cadences_for_key_workers(since_september, cadence, n, starts):
    world = since_september
    s = make_standard(world, Subject.KEY_WORKER, cadence=cadence, cadence_n=n)
    ROWS.append(staff_row(world.ta_a, D(2026, 11, 10)))
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    mine = by_key(s)[f"s{world.ta_a.pk}"]
    assert [o.period_start for o in mine] == starts
    assert mine[-1].state == "met" and mine[-1].met_on == D(2026, 11, 10)
    assert all(o.state != "met" for o in by_key(s)[f"s{world.teacher_b.pk}"])


def test_within_n_days_of_becoming_a_key_worker(world):
    # teacher_a takes on a first family on 10 November: within 7 days, e.g. a key worker induction.
    alloc = allocate(world.family_unallocated, world.school, world.teacher_a)
    KeyWorkerAllocation.objects.filter(pk=alloc.pk).update(starts_at=dt.datetime(2026, 11, 10, 9, tzinfo=dt.UTC))
    s = make_standard(world, Subject.KEY_WORKER, cadence=Cadence.AFTER_ENROLMENT, cadence_n=7)
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    o = Obligation.objects.get(standard=s, subject_key=f"s{world.teacher_a.pk}")
    assert (o.period_start, o.due_on, o.state, o.responsible_staff_id) == (D(2026, 11, 10), D(2026, 11, 17), "overdue", world.teacher_a.pk)
    ROWS.append(staff_row(world.teacher_a, D(2026, 11, 18)))
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    o.refresh_from_db()
    assert (o.state, o.met_on) == ("met", D(2026, 11, 18))


def test_before_and_after_each_event_for_key_workers(since_september):
    world = since_september
    before = make_standard(world, Subject.KEY_WORKER, clause="KW-1", cadence=Cadence.BEFORE_EVENT, cadence_n=3, event="duty_event")
    after = make_standard(world, Subject.KEY_WORKER, clause="KW-2", cadence=Cadence.AFTER_EVENT, cadence_n=2, event="duty_event")
    EVENTS.append(EventRow(None, None, D(2026, 11, 26), "training", staff_id=world.ta_a.pk))  # names the key worker
    EVENTS.append(EventRow(world.family_b.pk, None, D(2026, 11, 16), "visit"))  # about teacher_b's family
    ROWS.append(staff_row(world.teacher_b, D(2026, 11, 17)))
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    o = Obligation.objects.get(standard=before, subject_key=f"s{world.ta_a.pk}@training")
    assert (o.due_on, o.state, o.family_id) == (D(2026, 11, 23), "upcoming", None)
    o = Obligation.objects.get(standard=after, subject_key=f"s{world.teacher_b.pk}@visit")
    assert (o.period_start, o.state, o.met_on) == (D(2026, 11, 16), "met", D(2026, 11, 17))
    assert Obligation.objects.filter(standard__in=[before, after]).count() == 3  # teacher_b's visit is in the past for "before"


def test_key_worker_conditions_and_setting_kinds(since_september):
    world = since_september
    world.child_b.has_ehcp = True
    world.child_b.save()
    s = make_standard(world, Subject.KEY_WORKER, conditions={"has_ehcp": True})
    nursery_only = make_standard(world, Subject.KEY_WORKER, clause="EY-1", setting_kinds=["early_years"])
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    assert set(by_key(s)) == {f"s{world.teacher_b.pk}"}
    assert not obligations(nursery_only)


def test_a_key_worker_in_two_settings_has_one_obligation(since_september):
    world = since_september
    other = make_setting(world.org, name="Second Primary")
    from keyworker.testing import add_calendar

    add_calendar(other)
    family = make_family(world.org)
    make_child(family, other, None)
    allocate(family, other, world.ta_a)
    s = make_standard(world, Subject.KEY_WORKER, cadence=Cadence.TERMLY)
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    mine = by_key(s)[f"s{world.ta_a.pk}"]
    assert len(mine) == 1 and mine[0].setting_id == min(world.school.pk, other.pk)


def test_a_key_worker_without_families_has_none_and_open_ones_go(since_september):
    world = since_september
    s = make_standard(world, Subject.KEY_WORKER)
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    assert by_key(s)[f"s{world.teacher_b.pk}"]
    KeyWorkerAllocation.objects.filter(staff=world.teacher_b).update(ends_at=dt.datetime(2026, 11, 18, 9, tzinfo=dt.UTC))
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF, families={world.family_b.pk})
    # The week in progress goes; the weeks that ended stay as they ended (history), missed once closed.
    left = by_key(s)[f"s{world.teacher_b.pk}"]
    assert left and all(o.period_end < AS_OF for o in left)
    assert {o.state for o in left if o.period_end < D(2026, 11, 8)} == {"missed"}


# Setting subject -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cadence", "n", "count"), [
    (Cadence.WEEKLY_TERM_TIME, 1, 11), (Cadence.HALF_TERMLY, 1, 2), (Cadence.TERMLY, 1, 1), (Cadence.EVERY_N_MONTHS, 3, 1),
])
def test_one_obligation_per_setting_for_recurring_cadences(world, cadence, n, count):
    s = make_standard(world, Subject.SETTING, cadence=cadence, cadence_n=n, responsible=Responsible.MANAGER)
    ROWS.append(setting_row(world.school, D(2026, 11, 17)))
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    got = by_key(s)
    assert set(got) == {f"t{world.school.pk}"}
    mine = got[f"t{world.school.pk}"]
    assert len(mine) == count
    assert all(o.family_id is None and o.child_id is None and o.responsible_staff_id is None for o in mine)
    assert mine[-1].state == "met" and mine[-1].met_on == D(2026, 11, 17)


def test_a_record_about_a_family_counts_for_its_childrens_setting(world):
    s = make_standard(world, Subject.SETTING)
    ROWS.append(EvidenceRow(world.family_b.pk, None, D(2026, 11, 9), "about-b"))
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    o = Obligation.objects.get(standard=s, period_start=D(2026, 11, 9))
    assert (o.state, o.evidence_ref) == ("met", "about-b")


def test_a_setting_obligation_within_n_days_of_the_school_year(world):
    s = make_standard(world, Subject.SETTING, cadence=Cadence.AFTER_ENROLMENT, cadence_n=10)
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 9, 20))
    o = Obligation.objects.get(standard=s)
    assert (o.period_start, o.due_on, o.state, o.subject_key) == (D(2026, 9, 2), D(2026, 9, 12), "overdue", f"t{world.school.pk}")
    ROWS.append(setting_row(world.school, D(2026, 9, 11)))
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 9, 20))
    o.refresh_from_db()
    assert (o.state, o.met_on) == ("met", D(2026, 9, 11))


def test_before_and_after_each_event_for_a_setting(world):
    before = make_standard(world, Subject.SETTING, clause="M-1", cadence=Cadence.BEFORE_EVENT, cadence_n=5, event="duty_event")
    after = make_standard(world, Subject.SETTING, clause="M-2", cadence=Cadence.AFTER_EVENT, cadence_n=3, event="duty_event")
    EVENTS.append(EventRow(None, None, D(2026, 12, 1), "inspection", setting_id=world.school.pk))
    EVENTS.append(EventRow(None, None, D(2026, 11, 13), "fire-drill", setting_id=world.school.pk))
    ROWS.append(setting_row(world.school, D(2026, 11, 24)))
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 25))
    o = Obligation.objects.get(standard=before, subject_key=f"t{world.school.pk}@inspection")
    assert (o.due_on, o.state, o.met_on) == (D(2026, 11, 26), "met", D(2026, 11, 24))
    # Within 3 days after the drill of the 13th: done late, on the 24th, it shows as met after its due date.
    o = Obligation.objects.get(standard=after, subject_key=f"t{world.school.pk}@fire-drill")
    assert (o.due_on, o.state, o.met_on, o.met_late) == (D(2026, 11, 16), "met", D(2026, 11, 24), True)
    # A reminder 5 days before the drill could only be sent before the drill itself: once it happened, it is missed.
    o = Obligation.objects.get(standard=before, subject_key=f"t{world.school.pk}@fire-drill")
    assert (o.due_on, o.state) == (D(2026, 11, 8), "missed")


def test_setting_conditions_and_kinds(world):
    nursery = make_setting(world.org, kind="early_years", name="Little Acorns")
    from keyworker.testing import add_calendar

    add_calendar(nursery)
    school_only = make_standard(world, Subject.SETTING, setting_kinds=["school"], cadence=Cadence.TERMLY)
    every = make_standard(world, Subject.SETTING, clause="ALL", cadence=Cadence.TERMLY)
    ehcp = make_standard(world, Subject.SETTING, clause="EHCP", cadence=Cadence.TERMLY, conditions={"has_ehcp": True})
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    assert set(by_key(school_only)) == {f"t{world.school.pk}"}
    assert set(by_key(every)) == {f"t{world.school.pk}", f"t{nursery.pk}"}  # a setting's duty, children or not
    assert not obligations(ehcp)  # no child with an EHCP on roll anywhere


# Incremental = full, with every subject ------------------------------------------------------------------


def test_incremental_equals_full_with_key_worker_and_setting_subjects(since_september):
    world = since_september
    make_standard(world, Subject.KEY_WORKER, clause="KW-W")
    make_standard(world, Subject.KEY_WORKER, clause="KW-H", cadence=Cadence.HALF_TERMLY, responsible=Responsible.MANAGER)
    make_standard(world, Subject.KEY_WORKER, clause="KW-A", cadence=Cadence.AFTER_EVENT, cadence_n=3, event="duty_event")
    make_standard(world, Subject.SETTING, clause="T-W")
    make_standard(world, Subject.SETTING, clause="T-B", cadence=Cadence.BEFORE_EVENT, cadence_n=2, event="duty_event")
    make_standard(world, Subject.FAMILY, clause="F-W")
    make_standard(world, Subject.CHILD, clause="C-H", cadence=Cadence.HALF_TERMLY)
    families = [world.family_a, world.family_b, world.family_unallocated]
    for i in range(4):
        f = make_family(world.org)
        make_child(f, world.school, world.class_a if i % 2 else world.class_b)
        families.append(f)
    staff = [world.ta_a, world.teacher_a, world.teacher_b, world.safeguarding_lead]
    rng = random.Random(11)
    for trial in range(3):
        ROWS.clear()
        EVENTS.clear()
        Obligation.objects.all().delete()
        SettledPeriods.objects.all().delete()  # and the marks: a run from nothing
        day = D(2026, 9, 7)
        while day < D(2026, 11, 30):
            day += dt.timedelta(days=rng.randint(1, 5))
            engine.recompute(organisation_id=world.org.pk, as_of=day)  # the nightly run
            touched: set[int] = set()
            for _ in range(rng.randint(0, 3)):
                f = rng.choice(families)
                ROWS.append(EvidenceRow(f.pk, None, day - dt.timedelta(days=rng.randint(0, 3)), f"r{len(ROWS)}"))
                touched.add(f.pk)
            if rng.random() < 0.3:
                # A key worker changes: the family's update must also recompute the previous key worker.
                f = rng.choice(families)
                KeyWorkerAllocation.objects.filter(family=f, ends_at__isnull=True).update(
                    ends_at=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC))
                allocate(f, world.school, rng.choice(staff))
                touched.add(f.pk)
            if rng.random() < 0.3:
                f = rng.choice(families)
                EVENTS.append(EventRow(f.pk, None, day + dt.timedelta(days=rng.randint(-3, 10)), f"e{len(EVENTS)}"))
                touched.add(f.pk)
            engine.recompute(organisation_id=world.org.pk, as_of=day, families=touched)
            incremental = engine.snapshot(world.org.pk)
            engine.recompute(organisation_id=world.org.pk, as_of=day)
            # (Compared step by step: a key worker who handed over keeps their met obligations as history, which a
            # run from nothing would not recreate.)
            assert engine.snapshot(world.org.pk) == incremental, f"trial {trial}, {day}"


def test_a_full_run_with_every_subject_reads_in_a_fixed_number_of_queries(since_september):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = since_september
    for subject in Subject.values:
        make_standard(world, subject, clause=subject)

    def reads():
        with CaptureQueriesContext(connection) as ctx:
            engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
        return [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]

    small = reads()
    for i in range(20):
        f = make_family(world.org)
        make_child(f, world.school, world.class_a)
        allocate(f, world.school, make_staff(world.org, world.school, ["teacher"], [world.class_a]) if i % 3 else world.ta_a)
    Obligation.objects.all().delete()
    SettledPeriods.objects.all().delete()  # and the marks: a run from nothing
    assert len(reads()) == len(small)


# Pages and lists with obligations that have no family ------------------------------------------------------


def test_pages_and_lists_keep_working_with_key_worker_and_setting_obligations(since_september, client_for):
    world = since_september
    make_standard(world, Subject.KEY_WORKER, clause="KW-W")
    make_standard(world, Subject.SETTING, clause="T-W", responsible=Responsible.MANAGER)
    make_standard(world, Subject.FAMILY, clause="F-W")
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    own = Obligation.objects.filter(family__isnull=True).first()
    assert own is not None
    r = client_for(world.ta_a).get(f"/my-week/?as_of={AS_OF}")
    assert r.status_code == 200
    # The family's obligations and the key worker's own duties (no family).
    assert {row.obligation.family_id for row in r.context["week"].overdue} == {world.family_a.pk, None}
    head = client_for(world.headteacher)
    for url in (f"/compliance/?setting={world.school.pk}&as_of={AS_OF}", f"/compliance/organisation/?as_of={AS_OF}",
                f"/evidence-pack/?setting={world.school.pk}&as_of={AS_OF}", "/api/v1/obligations/"):
        assert head.get(url).status_code == 200, url
    # A duty with no family opens for the leaders of its setting (and for its key worker).
    assert head.get(f"/obligations/{own.pk}/").status_code == 200


def test_the_same_event_twice_is_one_obligation(since_september):
    world = since_september
    s = make_standard(world, Subject.FAMILY, cadence=Cadence.AFTER_EVENT, cadence_n=2, event="duty_event")
    EVENTS.extend([EventRow(world.family_a.pk, None, D(2026, 11, 16), "visit")] * 2)
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    assert [o.subject_key for o in obligations(s)] == [f"f{world.family_a.pk}@visit"]


def test_overdue_notices_for_a_key_workers_own_obligation(since_september):
    import datetime as dt_

    from keyworker.standards.escalation import escalations_notify

    world = since_september
    # Last week's duty is overdue (not yet escalated: older weeks were escalated when first computed, not news).
    make_standard(world, Subject.KEY_WORKER, escalate_after_days=7)
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    run = escalations_notify(organisation_id=world.org.pk, now=dt_.datetime(2026, 11, 18, 12, tzinfo=dt_.UTC), as_of=AS_OF)
    assert run.overdue or run.escalations
    from keyworker.notifications.models import Notification

    told = Notification.objects.filter(organisation_id=world.org.pk).order_by("id")
    assert told and all(n.link.startswith("/obligations/") for n in told)
    assert any(world.ta_a.user.full_name in n.subject or world.ta_a.user.full_name in n.body for n in told)


def test_a_record_about_a_key_worker_or_a_setting_updates_theirs_alone(since_september):
    world = since_september
    kw = make_standard(world, Subject.KEY_WORKER, clause="KW")
    manager = make_standard(world, Subject.SETTING, clause="T", responsible=Responsible.MANAGER)
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    ROWS.append(staff_row(world.teacher_b, D(2026, 11, 17)))
    ROWS.append(setting_row(world.school, D(2026, 11, 16)))
    result = engine.recompute(organisation_id=world.org.pk, as_of=AS_OF, staff={world.teacher_b.pk})
    assert result.updated == 1
    week = D(2026, 11, 16)
    assert Obligation.objects.get(standard=kw, subject_key=f"s{world.teacher_b.pk}", period_start=week).state == "met"
    assert Obligation.objects.get(standard=manager, period_start=week).state == "due_soon"  # not asked for yet
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF, settings={world.school.pk})
    assert Obligation.objects.get(standard=manager, period_start=week).state == "met"
    incremental = engine.snapshot(world.org.pk)
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    assert engine.snapshot(world.org.pk) == incremental


def test_a_key_workers_own_duty_shows_on_my_week_and_its_page_for_them_and_their_leaders(since_september, client):
    world = since_september
    make_standard(world, Subject.KEY_WORKER, clause="KW", escalate_after_days=None)
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    own = Obligation.objects.filter(standard__clause="KW", subject_key=f"s{world.ta_a.pk}").order_by("-due_on").first()
    client.force_login(world.ta_a.user)
    week = client.get("/my-week/?as_of=2026-11-18")
    assert week.status_code == 200 and "Your own duty" in week.content.decode()
    page = client.get(f"/obligations/{own.pk}/")
    assert page.status_code == 200 and "a key worker's own duty" in page.content.decode()
    client.force_login(world.headteacher.user)
    assert client.get(f"/obligations/{own.pk}/").status_code == 200
    client.force_login(world.teacher_b.user)
    assert client.get(f"/obligations/{own.pk}/").status_code == 404
    client.force_login(world.outsider.user)
    assert client.get(f"/obligations/{own.pk}/").status_code == 404
