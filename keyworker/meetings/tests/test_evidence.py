"""What appointments give the standards engine, and CC-K2, CC-M1, CC-P2 and CC-M4 end to end in a nursery."""

import datetime as dt

import pytest

from keyworker.accounts.access import actor_for
from keyworker.standards.evidence import event_source, evidence_source
from keyworker.standards.models import Obligation, ObligationState
from keyworker.standards.services import policy_adopt_builtin

from ..evidence import appointments_with_families, managers_attended, meetings_held, support_meetings
from ..models import AppointmentKind, InviteeKind
from ..services import Professional, appointment_cancel, appointment_create, attendance_record
from .helpers import NEXT_TUESDAY, arrange, make_nursery

pytestmark = pytest.mark.django_db

NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 31)


def test_every_code_is_registered_with_an_action():
    for code in ("meeting_held", "manager_attended", "information_session_attended", "manager_introduction"):
        source = evidence_source(code)
        assert source is not None and source.by_family and source.action is not None, code
    assert evidence_source("manager_attended").answers_events
    assert event_source("appointment") is not None and event_source("support_meeting") is not None


def test_each_appointment_with_a_family_is_an_event_on_its_day_unless_cancelled(world):
    a = arrange(world)
    b = arrange(world, starts_at=NEXT_TUESDAY + dt.timedelta(days=1))
    arrange(world, family=False, carers=[], kind=AppointmentKind.INDUCTION, title="Open morning")  # no family: no event
    appointment_cancel(actor=world.actor(world.ta_a), appointment=b, reason="Rearranged", version=1)
    rows = list(appointments_with_families(world.org.pk, NOV, DEC))
    assert [(r.family_id, r.on, r.ref) for r in rows] == [(world.family_a.pk, dt.date(2026, 11, 24), f"appointment:{a.pk}")]
    assert list(appointments_with_families(world.org.pk, NOV, DEC, families={world.family_b.pk})) == []


def test_the_day_is_the_settings_day(world):
    late = dt.datetime(2026, 11, 25, 23, 30, tzinfo=dt.UTC)
    world.school.time_zone = "Asia/Tokyo"
    world.school.save()
    arrange(world, starts_at=late, minutes=30)
    assert [r.on for r in appointments_with_families(world.org.pk, NOV, DEC)] == [dt.date(2026, 11, 26)]


def test_a_review_or_a_meeting_with_a_professional_is_a_support_meeting(world):
    review = arrange(world)
    other = arrange(world, kind=AppointmentKind.OTHER, starts_at=NEXT_TUESDAY + dt.timedelta(days=1))
    agency = arrange(world, kind=AppointmentKind.OTHER, starts_at=NEXT_TUESDAY + dt.timedelta(days=2),
                     professionals=[Professional("Sol Worker", "", "Children's services")])
    refs = {r.ref for r in support_meetings(world.org.pk, NOV, DEC)}
    assert refs == {f"appointment:{review.pk}", f"appointment:{agency.pk}"} and f"appointment:{other.pk}" not in refs


def test_a_meeting_is_held_with_the_family_only_when_a_carer_came(world, clock):
    a = arrange(world)
    clock.move_to(NEXT_TUESDAY + dt.timedelta(hours=1))
    staff_only = {i.pk: (i.kind == InviteeKind.STAFF) for i in a.invitees.all()}
    attendance_record(actor=world.actor(world.ta_a), appointment=a, version=1, attended=staff_only)
    assert list(meetings_held(world.org.pk, NOV, DEC, {})) == []
    everyone = {i.pk: True for i in a.invitees.all()}
    attendance_record(actor=world.actor(world.ta_a), appointment=a, version=2, attended=everyone)
    rows = list(meetings_held(world.org.pk, NOV, DEC, {}))
    assert [(r.family_id, r.on) for r in rows] == [(world.family_a.pk, dt.date(2026, 11, 24))]


def _nursery_obligation(clause, family):
    return Obligation.objects.filter(standard__clause=clause, family=family).order_by("due_on").first()


def test_cc_k2_cc_m1_and_cc_p2_are_met_by_meetings_held(db, clock):
    """A new family (started on Monday): the key person's meeting (CC-K2), the manager's introduction (CC-M1) and the
    induction session they came to (CC-P2)."""
    org, nursery, manager, key_person, family, child = make_nursery(enrolled_on=dt.date(2026, 11, 16))
    policy_adopt_builtin(organisation=org, template_code="childcare_key_contact", as_of=dt.date(2026, 11, 18))
    for clause in ("CC-K2", "CC-M1", "CC-P2"):
        assert _nursery_obligation(clause, family).state != ObligationState.MET, clause
    actor = actor_for(key_person.user, org.pk)
    boss = actor_for(manager.user, org.pk)

    def meet(kind, staff, start, who):
        return appointment_create(actor=who, setting=nursery, kind=kind, title=str(kind.label), family=family,
                                  starts_at=start, ends_at=start + dt.timedelta(minutes=30), place="Butterflies room",
                                  carers=list(family.carers.all()), staff=staff)

    k2 = meet(AppointmentKind.OTHER, [key_person], NEXT_TUESDAY, actor)
    intro = meet(AppointmentKind.MANAGER_INTRODUCTION, [manager], NEXT_TUESDAY + dt.timedelta(hours=1), boss)
    session = meet(AppointmentKind.INDUCTION, [manager], NEXT_TUESDAY + dt.timedelta(hours=2), boss)
    clock.move_to(NEXT_TUESDAY + dt.timedelta(hours=3))
    attendance_record(actor=actor, appointment=k2, version=1, attended={i.pk: True for i in k2.invitees.all()})
    assert _nursery_obligation("CC-K2", family).state == ObligationState.MET
    assert _nursery_obligation("CC-K2", family).evidence_ref == f"appointment:{k2.pk}"
    assert _nursery_obligation("CC-M1", family).state != ObligationState.MET  # not an introduction
    attendance_record(actor=boss, appointment=intro, version=1, attended={i.pk: True for i in intro.invitees.all()})
    assert _nursery_obligation("CC-M1", family).state == ObligationState.MET
    # Invited to the session but recorded as not there: CC-P2 waits for a session they come to.
    carer_row = session.invitees.get(kind=InviteeKind.CARER)
    attendance_record(actor=boss, appointment=session, version=1, attended={carer_row.pk: False})
    assert _nursery_obligation("CC-P2", family).state != ObligationState.MET
    attendance_record(actor=boss, appointment=session, version=2, attended={carer_row.pk: True})
    assert _nursery_obligation("CC-P2", family).state == ObligationState.MET


def test_the_manager_recorded_as_there_answers_the_support_meeting(world, clock):
    a = arrange(world, invite_staff=[world.ta_a, world.headteacher])
    clock.move_to(NEXT_TUESDAY + dt.timedelta(hours=1))
    manager_row = a.invitees.get(staff=world.headteacher)
    attendance_record(actor=world.actor(world.ta_a), appointment=a, version=1, attended={manager_row.pk: True})
    rows = list(managers_attended(world.org.pk, NOV, DEC, {}))
    assert [(r.family_id, r.about) for r in rows] == [(world.family_a.pk, f"appointment:{a.pk}")]
