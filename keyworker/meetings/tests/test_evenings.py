"""Parents' evening services: opening an evening makes each member of staff's slots; booking, moving and cancelling
keep one appointment per booking in step; the rules refuse with a message on the field concerned."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from keyworker.core.audit import AuditEvent
from keyworker.core.errors import RuleViolation
from keyworker.meetings import evenings
from keyworker.meetings.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Invitee,
    InviteeKind,
    InviteeRole,
)
from keyworker.notifications.models import Notification
from keyworker.testing import carer_account, portal_client

from .evening_helpers import CLOSES, carer_of, open_evening, plan, slots_of

pytestmark = pytest.mark.django_db


def test_slot_times_leave_out_the_break():
    start = dt.datetime(2026, 12, 2, 16, 0, tzinfo=dt.UTC)
    times = evenings.slot_times(start, start + dt.timedelta(hours=1), 10, start + dt.timedelta(minutes=25),
                                start + dt.timedelta(minutes=40))
    assert [t[0].strftime("%H:%M") for t in times] == ["16:00", "16:10", "16:40", "16:50"]


def test_opening_an_evening_makes_slots_for_each_member_of_staff(world):
    evening = open_evening(world)
    assert evening.slots.count() == 3 * 6
    assert [s.starts_at.strftime("%H:%M") for s in slots_of(evening, world.ta_a)][:2] == ["16:00", "16:10"]
    assert AuditEvent.objects.filter(event_type="parents_evening.opened", object_id=evening.pk).exists()


def test_the_default_staff_are_the_key_workers_and_class_teachers(world):
    assert evenings.default_staff_ids(world.school) == {world.ta_a.pk, world.teacher_a.pk, world.teacher_b.pk}


@pytest.mark.parametrize(("kw", "field"), [
    ({"ends": dt.time(15, 0)}, "ends"),
    ({"slot_minutes": 2}, "slot_minutes"),
    ({"slot_minutes": 60, "ends": dt.time(16, 30)}, "slot_minutes"),
    ({"break_starts": dt.time(16, 20)}, "break_ends"),
    ({"break_starts": dt.time(16, 30), "break_ends": dt.time(16, 20)}, "break_ends"),
    ({"break_starts": dt.time(15, 0), "break_ends": dt.time(15, 30)}, "break_starts"),
])
def test_the_times_are_checked_field_by_field(world, kw, field):
    with pytest.raises(RuleViolation) as exc:
        plan(world, **kw)
    assert exc.value.field == field


def test_booking_window_and_staff_are_checked(world):
    with pytest.raises(RuleViolation) as exc:
        open_evening(world, booking_closes_at=dt.datetime(2026, 12, 2, 17, 0, tzinfo=dt.UTC))
    assert exc.value.field == "booking_closes_at"
    with pytest.raises(RuleViolation) as exc:
        open_evening(world, staff=[])
    assert exc.value.field == "staff"
    with pytest.raises(RuleViolation) as exc:
        open_evening(world, staff=[world.admin_office])
    assert exc.value.field == "staff"


def test_only_a_leader_opens_an_evening(world):
    with pytest.raises(PermissionDenied):
        evenings.evening_open(actor=world.actor(world.teacher_a), setting=world.school, plan=plan(world), staff=[world.ta_a],
                              title="x", booking_opens_at=CLOSES - dt.timedelta(days=2), booking_closes_at=CLOSES)


def test_a_booking_is_an_appointment_with_the_family_staff_and_carer(world):
    evening = open_evening(world)
    carer = carer_of(world.family_a)
    slot = evenings.booking_create(by=None, slot=slots_of(evening, world.ta_a)[1], child=world.child_a, carer=carer)
    appt = Appointment.objects.get(pk=slot.appointment_id)
    assert appt.kind == AppointmentKind.PARENTS_EVENING and appt.family_id == world.family_a.pk
    assert (appt.starts_at, appt.ends_at) == (slot.starts_at, slot.ends_at) and appt.place == "School hall"
    invited = {(i.kind, i.role, i.carer_id or i.staff_id) for i in Invitee.objects.filter(appointment=appt)}
    assert invited == {(InviteeKind.STAFF, InviteeRole.KEY_WORKER, world.ta_a.pk), (InviteeKind.CARER, InviteeRole.FAMILY, carer.pk)}


def test_a_taken_slot_is_refused_with_a_message_on_the_slot(world):
    evening = open_evening(world)
    slot = slots_of(evening, world.teacher_a)[0]
    stale = evenings.carer_free_slot(evening, slot.pk)  # both families read it as free
    evenings.booking_create(by=None, slot=slot, child=world.child_a, carer=carer_of(world.family_a))
    cole = world.family_unallocated.children.get()
    with pytest.raises(RuleViolation) as exc:
        evenings.booking_create(by=None, slot=stale, child=cole, carer=carer_of(world.family_unallocated))
    assert exc.value.field == "slot" and exc.value.rule == "taken" and "just been booked" in exc.value.message
    assert Appointment.objects.count() == 1


def test_one_booking_per_family_per_member_of_staff(world):
    evening = open_evening(world)
    first, second = slots_of(evening, world.ta_a)[:2]
    evenings.booking_create(by=None, slot=first, child=world.child_a, carer=None)
    with pytest.raises(RuleViolation) as exc:
        evenings.booking_create(by=None, slot=second, child=world.child_a, carer=None)
    assert exc.value.rule == "one_per_staff" and exc.value.field == "slot"
    # With the class teacher as well: a second member of staff is fine.
    evenings.booking_create(by=None, slot=slots_of(evening, world.teacher_a)[0], child=world.child_a, carer=None)


def test_a_carer_books_only_their_childs_key_worker_or_class_teacher(world):
    evening = open_evening(world)
    with pytest.raises(RuleViolation) as exc:
        evenings.booking_create(by=None, slot=slots_of(evening, world.teacher_b)[0], child=world.child_a, carer=None)
    assert exc.value.rule == "staff"
    # The office may book anyone taking part.
    evenings.booking_create(by=None, slot=slots_of(evening, world.teacher_b)[0], child=world.child_a, carer=None, office=True)


def test_booking_before_it_opens_or_after_it_closes_is_refused_except_for_the_office(world, clock):
    evening = open_evening(world)
    slot = slots_of(evening, world.ta_a)[0]
    with pytest.raises(RuleViolation) as exc:
        evenings.booking_create(by=None, slot=slot, child=world.child_a, carer=None, now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert exc.value.rule == "not_open"
    late = CLOSES + dt.timedelta(hours=1)
    with pytest.raises(RuleViolation) as exc:
        evenings.booking_create(by=None, slot=slot, child=world.child_a, carer=None, now=late)
    assert exc.value.rule == "closed"
    assert evenings.booking_create(by=None, slot=slot, child=world.child_a, carer=None, office=True, now=late).family_id


def test_moving_changes_the_appointments_time_and_raises_its_sequence(world):
    evening = open_evening(world)
    first, _, third = slots_of(evening, world.ta_a)[:3]
    booked = evenings.booking_create(by=None, slot=first, child=world.child_a, carer=carer_of(world.family_a))
    seq = Appointment.objects.get(pk=booked.appointment_id).sequence
    new = evenings.booking_move(by=None, booking=booked, to_slot=third)
    appt = Appointment.objects.get(pk=new.appointment_id)
    assert appt.pk == booked.appointment_id and appt.starts_at == third.starts_at and appt.sequence == seq + 1
    first.refresh_from_db()
    assert first.is_free and first.appointment_id is None


def test_moving_to_a_taken_slot_keeps_the_old_one(world):
    evening = open_evening(world)
    first, second = slots_of(evening, world.teacher_a)[:2]
    mine = evenings.booking_create(by=None, slot=first, child=world.child_a, carer=None)
    cole = world.family_unallocated.children.get()
    evenings.booking_create(by=None, slot=second, child=cole, carer=None)
    with pytest.raises(RuleViolation) as exc:
        evenings.booking_move(by=None, booking=mine, to_slot=second)
    assert exc.value.rule == "taken"
    mine.refresh_from_db()
    assert mine.family_id == world.family_a.pk


def test_moving_to_another_member_of_staff_is_refused(world):
    evening = open_evening(world)
    mine = evenings.booking_create(by=None, slot=slots_of(evening, world.ta_a)[0], child=world.child_a, carer=None)
    with pytest.raises(RuleViolation) as exc:
        evenings.booking_move(by=None, booking=mine, to_slot=slots_of(evening, world.teacher_a)[1])
    assert exc.value.rule == "same_staff"


def test_cancelling_frees_the_slot_and_cancels_the_appointment(world):
    evening = open_evening(world)
    booked = evenings.booking_create(by=None, slot=slots_of(evening, world.ta_a)[0], child=world.child_a, carer=None)
    appt_id = booked.appointment_id
    slot = evenings.booking_cancel(by=None, booking=booked)
    assert slot.is_free
    appt = Appointment.objects.get(pk=appt_id)
    assert appt.status == AppointmentStatus.CANCELLED and appt.sequence == 1


def test_cancelling_the_evening_cancels_bookings_and_emails_the_carers(world):
    evening = open_evening(world)
    carer = carer_of(world.family_a)
    user = carer_account(carer)
    booked = evenings.booking_create(by=None, slot=slots_of(evening, world.ta_a)[0], child=world.child_a, carer=carer)
    told = evenings.evening_cancel(actor=world.actor(world.headteacher), evening=evening, reason="Heating failure")
    assert told == 1
    assert Appointment.objects.get(pk=booked.appointment_id).status == AppointmentStatus.CANCELLED
    note = Notification.objects.get(recipient=user)
    assert note.subject == "Parents' evening at Test Primary: your appointment is cancelled"
    assert "When: Wed 2 December 2026 at 16:00" in note.body
    _only_setting_day_and_time(world, note, "Heating failure")
    # The reason is on the family's pages, behind sign-in.
    page = portal_client(carer).get("/family/bookings/").content.decode()
    assert "Cancelled" in page and "Heating failure" in page and "Change or cancel" not in page
    with pytest.raises(RuleViolation):
        evenings.booking_create(by=None, slot=slots_of(evening, world.ta_a)[1], child=world.child_a, carer=None)


def test_cancelling_needs_a_reason(world):
    with pytest.raises(RuleViolation) as exc:
        evenings.evening_cancel(actor=world.actor(world.headteacher), evening=open_evening(world), reason=" ")
    assert exc.value.field == "reason"


def test_editing_adds_and_removes_staff_but_not_one_with_bookings(world):
    evening = open_evening(world)
    actor = world.actor(world.headteacher)
    carer = carer_of(world.family_a)
    user = carer_account(carer)
    evenings.booking_create(by=None, slot=slots_of(evening, world.ta_a)[0], child=world.child_a, carer=carer)
    args = {"title": "Renamed", "place": "Library", "booking_opens_at": evening.booking_opens_at, "booking_closes_at": CLOSES}
    with pytest.raises(RuleViolation) as exc:
        evenings.evening_update(actor=actor, evening=evening, staff=[world.teacher_a], **args)
    assert exc.value.field == "staff"
    evenings.evening_update(actor=actor, evening=evening, staff=[world.ta_a, world.teacher_a, world.safeguarding_lead], **args)
    assert {s.pk for s in evenings.evening_staff(evening)} == {world.ta_a.pk, world.teacher_a.pk, world.safeguarding_lead.pk}
    assert Appointment.objects.get().place == "Library"
    note = Notification.objects.get(recipient=user)
    assert note.subject == "Parents' evening at Test Primary: a new place" and "Where: Library" in note.body
    _only_setting_day_and_time(world, note, "Renamed")


def test_closing_booking(world):
    evening = open_evening(world)
    evenings.evening_close(actor=world.actor(world.headteacher), evening=evening)
    with pytest.raises(RuleViolation) as exc:
        evenings.booking_create(by=None, slot=slots_of(evening, world.ta_a)[0], child=world.child_a, carer=None)
    assert exc.value.rule == "closed"


def test_attendance_makes_the_meeting_held(world, clock):
    evening = open_evening(world)
    booked = evenings.booking_create(by=None, slot=slots_of(evening, world.ta_a)[0], child=world.child_a, carer=carer_of(world.family_a))
    with pytest.raises(RuleViolation):
        evenings.attendance_record(actor=world.actor(world.ta_a), booking=booked, attended=True)
    clock.move_to(dt.datetime(2026, 12, 2, 16, 5, tzinfo=dt.UTC))
    with pytest.raises(PermissionDenied):
        evenings.attendance_record(actor=world.actor(world.teacher_b), booking=booked, attended=True)
    evenings.attendance_record(actor=world.actor(world.ta_a), booking=booked, attended=True)
    appt = Appointment.objects.get(pk=booked.appointment_id)
    assert appt.status == AppointmentStatus.HELD
    assert appt.invitees.get(kind=InviteeKind.CARER).attended is True


def test_a_time_already_passed_is_refused_even_for_the_office(world, clock):
    evening = open_evening(world)
    first, second, third = slots_of(evening, world.ta_a)[:3]
    booked = evenings.booking_create(by=None, slot=third, child=world.child_a, carer=None)
    clock.move_to(dt.datetime(2026, 12, 2, 16, 15, tzinfo=dt.UTC))
    with pytest.raises(RuleViolation) as exc:
        evenings.booking_move(by=None, booking=booked, to_slot=first, office=True)
    assert exc.value.rule == "past"
    cole = world.family_unallocated.children.get()
    with pytest.raises(RuleViolation) as exc:
        evenings.booking_create(by=None, slot=second, child=cole, carer=None, office=True)
    assert exc.value.rule == "past"


def _only_setting_day_and_time(world, note, *also_not):
    """A parents' evening e-mail names neither the child, nor the member of staff, nor the evening's title."""
    for words in ("Alfie", "Adams", world.ta_a.user.full_name, "Autumn parents' evening", *also_not):
        assert words not in note.subject and words not in note.body, words


def test_the_office_booking_moving_and_cancelling_for_a_family_tells_them_when_and_nothing_else(world):
    evening = open_evening(world)
    carer = carer_of(world.family_a)
    user = carer_account(carer)
    first, second = slots_of(evening, world.ta_a)[:2]
    booked = evenings.booking_create(by=None, slot=first, child=world.child_a, carer=carer, office=True)
    moved = evenings.booking_move(by=None, booking=booked, to_slot=second, office=True)
    evenings.booking_cancel(by=None, booking=moved, office=True)
    notes = list(Notification.objects.filter(recipient=user).order_by("id"))
    assert [n.subject.rsplit(": ", 1)[1] for n in notes] == [
        "your appointment is booked", "your appointment has moved", "your appointment is cancelled"]
    assert ["When: Wed 2 December 2026 at 16:00" in notes[0].body, "When: Wed 2 December 2026 at 16:10" in notes[1].body] == [
        True, True]
    for note in notes:
        assert "Test Primary" in note.body and "/family/bookings/" in note.body
        _only_setting_day_and_time(world, note)


def test_a_family_booking_for_itself_gets_no_e_mail(world):
    evening = open_evening(world)
    carer = carer_of(world.family_a)
    user = carer_account(carer)
    evenings.booking_create(by=user, slot=slots_of(evening, world.ta_a)[0], child=world.child_a, carer=carer)
    assert not Notification.objects.filter(recipient=user).exists()
