"""Parents' evenings: open, edit, close and cancel an evening; book, move and cancel slots; the reads behind the
carers' booking page, the staff timetable and the office's board.

Every write is a service (`<noun>_<verb>`, atomic, audited). A slot is claimed with `UPDATE … WHERE family IS NULL`
and the number of rows it changed: of two bookings of the same slot at the same moment exactly one wins, on SQLite
(one writer at a time) and on PostgreSQL (the second UPDATE waits for the first's row lock, then finds the slot
taken). Each booking is an Appointment (kind parents_evening) with the carer and the staff member invited.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404

from keyworker.accounts.models import KeyWorkerEligibility, StaffMember, StaffRole
from keyworker.caseload.selectors import current_allocations
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.notifications.services import absolute_url, email_queue, notification_send
from keyworker.organisations.models import Setting
from keyworker.people import carer_access
from keyworker.people.models import Carer, Child

from .evenings_models import EveningSlot, EveningStatus, ParentsEvening
from .models import Appointment, AppointmentKind, AppointmentStatus, Invitee, InviteeKind, InviteeRole, Rsvp

SLOT_MINUTES_MIN, SLOT_MINUTES_MAX = 5, 60
MAX_SLOTS_PER_STAFF = 60
# The roles whose holders meet families at an evening when they are on a class's or room's team.
CLASS_TEACHER_ELIGIBILITY = (KeyWorkerEligibility.TEACHER, KeyWorkerEligibility.PRACTITIONER)
NOTIFICATION_KIND = "parents_evening"
TAKEN = "Sorry, that slot has just been booked by another family. Please choose another time."


# Times -------------------------------------------------------------------------------------------------------------


def local(setting: Setting, day: dt.date, at: dt.time) -> dt.datetime:
    """A wall-clock time on a day in the setting's time zone, as an aware datetime (stored in UTC)."""
    return dt.datetime.combine(day, at, tzinfo=zoneinfo.ZoneInfo(setting.time_zone))


def slot_times(starts_at: dt.datetime, ends_at: dt.datetime, minutes: int,
               break_starts_at: dt.datetime | None = None, break_ends_at: dt.datetime | None = None) -> list[tuple[dt.datetime, dt.datetime]]:
    """The slots from start to end, each `minutes` long, none overlapping the break; a last part-slot is dropped."""
    step, times, at = dt.timedelta(minutes=minutes), [], starts_at
    while at + step <= ends_at:
        end = at + step
        if break_starts_at and break_ends_at and at < break_ends_at and end > break_starts_at:
            at = max(at + step, break_ends_at) if at >= break_starts_at else break_ends_at
            continue
        times.append((at, end))
        at = end
    return times


@dataclass(frozen=True)
class EveningPlan:
    """An evening's times as typed (local day and times), checked; the aware datetimes ready to store."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    break_starts_at: dt.datetime | None
    break_ends_at: dt.datetime | None
    slot_minutes: int


def evening_plan(*, setting: Setting, day: dt.date, starts: dt.time, ends: dt.time, slot_minutes: int,
                 break_starts: dt.time | None = None, break_ends: dt.time | None = None) -> EveningPlan:
    """Check the times of an evening, a message per field (RuleViolation naming it)."""
    if not SLOT_MINUTES_MIN <= slot_minutes <= SLOT_MINUTES_MAX:
        raise RuleViolation(f"Slots last between {SLOT_MINUTES_MIN} and {SLOT_MINUTES_MAX} minutes.", rule="slot_length", field="slot_minutes")
    starts_at, ends_at = local(setting, day, starts), local(setting, day, ends)
    if ends_at <= starts_at:
        raise RuleViolation("The evening ends after it starts: enter a later end time.", rule="times", field="ends")
    if (break_starts is None) != (break_ends is None):
        name = "break_ends" if break_ends is None else "break_starts"
        raise RuleViolation("Enter both the start and the end of the break, or neither.", rule="break", field=name)
    b_start = b_end = None
    if break_starts is not None and break_ends is not None:
        b_start, b_end = local(setting, day, break_starts), local(setting, day, break_ends)
        if b_end <= b_start:
            raise RuleViolation("The break ends after it starts.", rule="break", field="break_ends")
        if b_start < starts_at or b_end > ends_at:
            raise RuleViolation("The break falls within the evening.", rule="break", field="break_starts")
    times = slot_times(starts_at, ends_at, slot_minutes, b_start, b_end)
    if not times:
        raise RuleViolation("The evening is too short for one slot: make it longer or the slots shorter.", rule="slot_length", field="slot_minutes")
    if len(times) > MAX_SLOTS_PER_STAFF:
        raise RuleViolation(f"That makes {len(times)} slots each: at most {MAX_SLOTS_PER_STAFF}. Make the slots longer.",
                            rule="slot_length", field="slot_minutes")
    return EveningPlan(starts_at, ends_at, b_start, b_end, slot_minutes)


def _check_window(opens_at: dt.datetime, closes_at: dt.datetime, starts_at: dt.datetime) -> None:
    if closes_at <= opens_at:
        raise RuleViolation("Booking closes after it opens.", rule="booking_window", field="booking_closes_at")
    if closes_at > starts_at:
        raise RuleViolation("Booking closes before the evening starts.", rule="booking_window", field="booking_closes_at")


# Who takes part ----------------------------------------------------------------------------------------------------


def staff_of_setting(setting: Setting) -> QuerySet[StaffMember]:
    """Active staff who may take part, by name: those holding a key worker or class role in the setting, and its
    current key workers."""
    eligible = StaffRole.objects.filter(setting=setting).exclude(role__key_worker_eligibility=KeyWorkerEligibility.NONE).values("staff_id")
    key_workers = current_allocations().filter(setting=setting).values("staff_id")
    return (StaffMember.objects.filter(organisation_id=setting.organisation_id, is_active=True)
            .filter(Q(pk__in=eligible) | Q(pk__in=key_workers)).select_related("user").order_by("user__full_name", "id"))


def default_staff_ids(setting: Setting) -> set[int]:
    """Every key worker and class teacher of the setting (the default list of who takes part), in two queries."""
    key_workers = set(current_allocations().filter(setting=setting).values_list("staff_id", flat=True))
    teachers = set(
        StaffRole.objects.filter(setting=setting, role__key_worker_eligibility__in=CLASS_TEACHER_ELIGIBILITY,
                                 staff__is_active=True, staff__group_memberships__group__setting=setting)
        .values_list("staff_id", flat=True)
    )
    return key_workers | teachers


# Writes: the evening -----------------------------------------------------------------------------------------------


def _new_slots(evening: ParentsEvening, staff_ids, times) -> list[EveningSlot]:
    return [EveningSlot(organisation_id=evening.organisation_id, evening=evening, staff_id=sid, starts_at=s, ends_at=e)
            for sid in staff_ids for s, e in times]


def _valid_staff(setting: Setting, staff: list[StaffMember]) -> list[int]:
    if not staff:
        raise RuleViolation("Choose at least one member of staff to take part.", rule="staff", field="staff")
    allowed = set(staff_of_setting(setting).values_list("id", flat=True))
    wrong = [s for s in staff if s.pk not in allowed]
    if wrong:
        raise RuleViolation(f"{wrong[0]} does not work with families in {setting}.", rule="staff", field="staff")
    return sorted({s.pk for s in staff})


@transaction.atomic
def evening_open(*, actor, setting: Setting, title: str, plan: EveningPlan, staff: list[StaffMember],
                 booking_opens_at: dt.datetime, booking_closes_at: dt.datetime, place: str = "",
                 now: dt.datetime | None = None) -> ParentsEvening:
    """Open a parents' evening: its slots are made for each member of staff taking part."""
    from . import policies

    policies.require_run_evenings(actor, setting.pk)
    now = now or clock.now()
    if plan.starts_at <= now:
        raise RuleViolation("Choose a day and time still to come.", rule="past", field="day")
    _check_window(booking_opens_at, booking_closes_at, plan.starts_at)
    staff_ids = _valid_staff(setting, staff)
    evening = ParentsEvening.objects.create(
        organisation_id=setting.organisation_id, setting=setting, title=title.strip() or "Parents' evening",
        starts_at=plan.starts_at, ends_at=plan.ends_at, slot_minutes=plan.slot_minutes,
        break_starts_at=plan.break_starts_at, break_ends_at=plan.break_ends_at,
        booking_opens_at=booking_opens_at, booking_closes_at=booking_closes_at, place=place.strip(), created_by=actor.user,
    )
    times = slot_times(plan.starts_at, plan.ends_at, plan.slot_minutes, plan.break_starts_at, plan.break_ends_at)
    EveningSlot.objects.bulk_create(_new_slots(evening, staff_ids, times), batch_size=1000)
    audit_record(organisation_id=evening.organisation_id, actor=actor.user, event_type="parents_evening.opened", obj=evening,
                 summary=f"Parents' evening opened: {evening.title} on {on_screen(evening.starts_at)}",
                 data={"staff": staff_ids, "slots": len(times) * len(staff_ids)})
    return evening


def _require_not_cancelled(evening: ParentsEvening) -> None:
    if evening.is_cancelled:
        raise RuleViolation("This parents' evening was cancelled.", rule="cancelled")


@transaction.atomic
def evening_update(*, actor, evening: ParentsEvening, title: str, place: str, booking_opens_at: dt.datetime,
                   booking_closes_at: dt.datetime, staff: list[StaffMember], now: dt.datetime | None = None) -> ParentsEvening:
    """Change the title, place, booking window or who takes part. A member of staff added gets their slots; one
    taken off loses theirs, refused while a family has booked one."""
    from . import policies

    policies.require_run_evenings(actor, evening.setting_id)
    evening = ParentsEvening.objects.select_for_update(of=("self",)).get(pk=evening.pk)
    _require_not_cancelled(evening)
    _check_window(booking_opens_at, booking_closes_at, evening.starts_at)
    staff_ids = set(_valid_staff(evening.setting, staff))
    current = set(evening.slots.values_list("staff_id", flat=True).distinct())
    removed, added = current - staff_ids, staff_ids - current
    booked = EveningSlot.objects.filter(evening=evening, staff_id__in=removed, family__isnull=False).select_related("staff__user").first()
    if booked is not None:
        raise RuleViolation(f"{booked.staff} has families booked: move or cancel their bookings first.", rule="staff_booked", field="staff")
    EveningSlot.objects.filter(evening=evening, staff_id__in=removed).delete()
    times = slot_times(evening.starts_at, evening.ends_at, evening.slot_minutes, evening.break_starts_at, evening.break_ends_at)
    EveningSlot.objects.bulk_create(_new_slots(evening, sorted(added), times), batch_size=1000)
    old_place = evening.place
    evening.title, evening.place = title.strip() or evening.title, place.strip()
    evening.booking_opens_at, evening.booking_closes_at = booking_opens_at, booking_closes_at
    evening.save()
    if old_place != evening.place:
        # The booked families' appointments (and their calendars) follow the new place.
        appointments = Appointment.objects.filter(evening_slot__evening=evening, status=AppointmentStatus.SCHEDULED)
        appointments.update(place=evening.place, sequence=F("sequence") + 1, version=F("version") + 1)
        now = now or clock.now()
        for s in evening.slots.filter(family__isnull=False).select_related("carer__user", "staff__user"):
            subject, body = evening_email("place", setting=evening.setting, starts_at=s.starts_at, place=evening.place)
            _tell_carer(s.carer, organisation_id=evening.organisation_id, now=now,
                        key=f"evening-place:{evening.pk}:{s.pk}:{now.isoformat()}", subject=subject, body=body)
    audit_record(organisation_id=evening.organisation_id, actor=actor.user, event_type="parents_evening.changed", obj=evening,
                 summary=f"Parents' evening changed: {evening.title}", data={"added": sorted(added), "removed": sorted(removed)})
    return evening


@transaction.atomic
def evening_close(*, actor, evening: ParentsEvening, now: dt.datetime | None = None) -> ParentsEvening:
    """Close booking now (families keep their slots; the office may still book for them)."""
    from . import policies

    policies.require_run_evenings(actor, evening.setting_id)
    now = now or clock.now()
    _require_not_cancelled(evening)
    if evening.booking_closes_at <= now:
        raise RuleViolation("Booking is already closed.", rule="closed")
    evening.booking_closes_at = max(now, evening.booking_opens_at + dt.timedelta(seconds=1))
    evening.save(update_fields=["booking_closes_at", "updated_at"])
    audit_record(organisation_id=evening.organisation_id, actor=actor.user, event_type="parents_evening.closed", obj=evening,
                 summary=f"Booking closed: {evening.title}")
    return evening


# What an e-mail to a carer says happened to their appointment. Only the setting, the day and the time (and, for a new
# place, the place): never the child, the member of staff or a leader's reason, which stay on the carer's pages.
WHAT_HAPPENED = {
    "booked": ("your appointment is booked", "Your parents' evening appointment at {setting} is booked:"),
    "moved": ("your appointment has moved", "Your parents' evening appointment at {setting} has moved. It is now:"),
    "cancelled": ("your appointment is cancelled", "Your parents' evening appointment at {setting} is cancelled. It was:"),
    "place": ("a new place", "The place of your parents' evening appointment at {setting} has changed."),
}


def evening_email(what: str, *, setting: Setting, starts_at: dt.datetime, place: str = "") -> tuple[str, str]:
    """(subject, body) of an e-mail telling a carer their slot was booked, moved or cancelled, or has a new place."""
    subject, opening = WHAT_HAPPENED[what]
    lines = [opening.format(setting=setting.name), "",
             f"When: {on_screen(starts_at.astimezone(zoneinfo.ZoneInfo(setting.time_zone)).date())} at {_hm(starts_at, setting)}"]
    if what == "place":
        lines.append(f"Where: {place or 'the setting will tell you'}")
    lines += ["", f"The details are on your family's pages: {absolute_url('/family/bookings/')}. Or ask {setting.name}."]
    return f"Parents' evening at {setting.name}: {subject}", "\n".join(lines)


def _tell_carer(carer: Carer | None, *, organisation_id: int, subject: str, body: str, key: str, now: dt.datetime) -> None:
    """E-mail a carer (through their portal account's inbox when they have one)."""
    if carer is None or not carer_access.may_be_invited(carer):
        return
    if carer.user_id:
        notification_send(recipient=carer.user, organisation_id=organisation_id, kind=NOTIFICATION_KIND, subject=subject,
                          body=body, link="/family/bookings/", dedupe_key=key, now=now)
    else:
        email_queue(to=carer.email, subject=subject, body=body, kind=NOTIFICATION_KIND, now=now)


@transaction.atomic
def evening_cancel(*, actor, evening: ParentsEvening, reason: str, now: dt.datetime | None = None) -> int:
    """Cancel the evening: every booking's appointment is cancelled and each carer who booked is told by e-mail.
    Returns how many families were told."""
    from . import policies

    policies.require_run_evenings(actor, evening.setting_id)
    now = now or clock.now()
    evening = ParentsEvening.objects.select_for_update(of=("self",)).select_related("setting").get(pk=evening.pk)
    _require_not_cancelled(evening)
    if not reason.strip():
        raise RuleViolation("Say why, for the families who booked.", rule="reason", field="reason")
    evening.status, evening.cancelled_at, evening.cancellation_reason = EveningStatus.CANCELLED, now, reason.strip()[:300]
    evening.save(update_fields=["status", "cancelled_at", "cancellation_reason", "updated_at"])
    booked = list(evening.slots.filter(family__isnull=False).select_related("carer__user", "child", "staff__user"))
    Appointment.objects.filter(pk__in=[s.appointment_id for s in booked if s.appointment_id]).update(
        status=AppointmentStatus.CANCELLED, cancelled_at=now, cancellation_reason=evening.cancellation_reason,
        sequence=F("sequence") + 1, version=F("version") + 1)
    for s in booked:
        # The reason is shown on the carer's pages (their bookings), not in the e-mail.
        subject, body = evening_email("cancelled", setting=evening.setting, starts_at=s.starts_at)
        _tell_carer(s.carer, organisation_id=evening.organisation_id, now=now, key=f"evening-cancelled:{evening.pk}:{s.pk}",
                    subject=subject, body=body)
    audit_record(organisation_id=evening.organisation_id, actor=actor.user, event_type="parents_evening.cancelled", obj=evening,
                 summary=f"Parents' evening cancelled: {evening.title}", data={"bookings": len(booked)})
    return len(booked)


# Writes: bookings --------------------------------------------------------------------------------------------------


def _role_for(slot: EveningSlot, child: Child) -> str:
    current = current_allocations().filter(family_id=child.family_id, setting_id=child.setting_id,
                                                 staff_id=slot.staff_id).exists()
    return InviteeRole.KEY_WORKER if current else InviteeRole.CLASS_TEACHER


def _appointment_for(slot: EveningSlot, evening: ParentsEvening, child: Child, carer: Carer | None, by) -> Appointment:
    appointment = Appointment.objects.create(
        organisation_id=evening.organisation_id, setting_id=evening.setting_id, kind=AppointmentKind.PARENTS_EVENING,
        title=f"{evening.title}: {child.display_name} with {slot.staff}"[:150], family_id=child.family_id, child=child,
        starts_at=slot.starts_at, ends_at=slot.ends_at, place=evening.place, created_by=by,
    )
    invitees = [Invitee(organisation_id=evening.organisation_id, appointment=appointment, kind=InviteeKind.STAFF,
                        role=_role_for(slot, child), staff_id=slot.staff_id, name=str(slot.staff), rsvp=Rsvp.YES)]
    if carer is not None:
        invitees.append(Invitee(organisation_id=evening.organisation_id, appointment=appointment, kind=InviteeKind.CARER,
                                role=InviteeRole.FAMILY, carer=carer, name=carer.full_name, email=carer.email, rsvp=Rsvp.YES))
    Invitee.objects.bulk_create(invitees)
    return appointment


def _open_for(evening: ParentsEvening, *, office: bool, now: dt.datetime) -> None:
    _require_not_cancelled(evening)
    if office:
        # The office books for families without the portal until the evening is over.
        if evening.ends_at <= now:
            raise RuleViolation("This parents' evening is over.", rule="over", field="slot")
        return
    if now < evening.booking_opens_at:
        raise RuleViolation(f"Booking opens on {on_screen(evening.booking_opens_at)}.", rule="not_open", field="slot")
    if now >= evening.booking_closes_at:
        raise RuleViolation("Booking has closed: please contact the office.", rule="closed", field="slot")


def _require_to_come(slot: EveningSlot, now: dt.datetime) -> None:
    if slot.starts_at <= now:
        raise RuleViolation("That time has passed: choose a later one.", rule="past", field="slot")


def may_meet(child: Child, staff_id: int) -> bool:
    """The child's key worker (their family's, in the child's setting) or one of their class or room's teachers."""
    return staff_id in staff_for_children([child]).get(child.pk, set())


def staff_for_children(children: list[Child]) -> dict[int, set[int]]:
    """For each child, the staff a carer may book: the family's key worker in the child's setting and the class
    teachers (or room practitioners) of the child's class. Two queries whatever the number of children."""
    if not children:
        return {}
    families = {c.family_id for c in children}
    settings_ = {c.setting_id for c in children}
    kw = defaultdict(set)
    for fam, setting_id, staff_id in current_allocations().filter(
            family_id__in=families, setting_id__in=settings_).values_list("family_id", "setting_id", "staff_id"):
        kw[(fam, setting_id)].add(staff_id)
    groups = {c.group_id for c in children if c.group_id}
    teachers = defaultdict(set)
    for group_id, setting_id, staff_id in StaffRole.objects.filter(
            setting_id__in=settings_, role__key_worker_eligibility__in=CLASS_TEACHER_ELIGIBILITY, staff__is_active=True,
            staff__group_memberships__group_id__in=groups).values_list("staff__group_memberships__group_id", "setting_id", "staff_id"):
        teachers[(group_id, setting_id)].add(staff_id)
    return {c.pk: kw[(c.family_id, c.setting_id)] | teachers[(c.group_id, c.setting_id)] for c in children}


@transaction.atomic
def booking_create(*, by, slot: EveningSlot, child: Child, carer: Carer | None, office: bool = False,
                   now: dt.datetime | None = None) -> EveningSlot:
    """Book a free slot for a child's family. `office`: booked by staff for a family (after booking closes too).

    Refused, with a message on the slot, when the slot has just been taken or the family already has a slot with
    that member of staff at this evening."""
    now = now or clock.now()
    evening = ParentsEvening.objects.select_related("setting").get(pk=slot.evening_id)
    _open_for(evening, office=office, now=now)
    if child.setting_id != evening.setting_id or child.organisation_id != evening.organisation_id:
        raise RuleViolation(f"{child.display_name} is not at {evening.setting}.", rule="child", field="child")
    if carer is not None and carer.family_id != child.family_id:
        raise RuleViolation("Choose one of the child's carers.", rule="carer", field="carer")
    _require_to_come(slot, now)
    if not office and not may_meet(child, slot.staff_id):
        raise RuleViolation(f"Choose {child.display_name}'s {evening.setting.key_worker_label} or class teacher.",
                            rule="staff", field="slot")
    try:
        with transaction.atomic():  # a savepoint: a unique constraint refused leaves the caller's transaction usable
            claimed = EveningSlot.objects.filter(pk=slot.pk, evening=evening, family__isnull=True).update(
                family_id=child.family_id, child=child, carer=carer, booked_at=now, booked_by=by)
    except IntegrityError:
        raise RuleViolation(f"You already have a slot with {slot.staff} at this evening: move it instead.",
                            rule="one_per_staff", field="slot") from None
    if claimed != 1:
        raise RuleViolation(TAKEN, rule="taken", field="slot")
    slot = EveningSlot.objects.select_related("staff__user", "evening").get(pk=slot.pk)
    slot.appointment = _appointment_for(slot, evening, child, carer, by)
    slot.save(update_fields=["appointment"])
    if office and carer is not None:  # a family booking for itself sees it on the page; one booked for is told
        subject, body = evening_email("booked", setting=evening.setting, starts_at=slot.starts_at)
        _tell_carer(carer, organisation_id=evening.organisation_id, now=now, key=f"evening-booked:{slot.appointment_id}",
                    subject=subject, body=body)
    audit_record(organisation_id=evening.organisation_id, actor=by, event_type="parents_evening.booked", obj=slot,
                 summary=f"Slot booked for {child.display_name} with {slot.staff}", data={"evening": evening.pk, "office": office})
    return slot


@transaction.atomic
def booking_move(*, by, booking: EveningSlot, to_slot: EveningSlot, office: bool = False,
                 now: dt.datetime | None = None) -> EveningSlot:
    """Move a booking to another free slot of the same member of staff: the appointment's time changes and its
    `sequence` rises, so calendars update it."""
    now = now or clock.now()
    booking = EveningSlot.objects.select_for_update(of=("self",)).select_related("evening__setting", "child", "carer").get(pk=booking.pk)
    evening = booking.evening
    _open_for(evening, office=office, now=now)
    if booking.family_id is None:
        raise RuleViolation("This booking was cancelled meanwhile.", rule="gone", field="slot")
    if to_slot.evening_id != evening.pk or to_slot.staff_id != booking.staff_id:
        raise RuleViolation("Choose another time with the same member of staff.", rule="same_staff", field="slot")
    if to_slot.pk == booking.pk:
        raise RuleViolation("That is the time you have already: choose another.", rule="same_slot", field="slot")
    _require_to_come(to_slot, now)
    fields = {"family_id": booking.family_id, "child_id": booking.child_id, "carer_id": booking.carer_id,
              "appointment_id": booking.appointment_id, "booked_at": now, "booked_by": by}
    # Free the old slot first (the family may hold one slot per member of staff), then claim the new one; if it was
    # taken meanwhile, the whole move is undone.
    EveningSlot.objects.filter(pk=booking.pk).update(family=None, child=None, carer=None, appointment=None, booked_at=None, booked_by=None)
    claimed = EveningSlot.objects.filter(pk=to_slot.pk, family__isnull=True).update(**fields)
    if claimed != 1:  # raising undoes the release of the old slot with the rest of the transaction
        raise RuleViolation(TAKEN, rule="taken", field="slot")
    new = EveningSlot.objects.select_related("staff__user", "evening", "child", "carer").get(pk=to_slot.pk)
    if new.appointment_id:
        Appointment.objects.filter(pk=new.appointment_id).update(
            starts_at=new.starts_at, ends_at=new.ends_at, sequence=F("sequence") + 1, version=F("version") + 1, updated_at=now)
    if office and new.carer is not None:
        subject, body = evening_email("moved", setting=evening.setting, starts_at=new.starts_at)
        _tell_carer(new.carer, organisation_id=evening.organisation_id, now=now, key=f"evening-moved:{new.appointment_id}:{now.isoformat()}",
                    subject=subject, body=body)
    audit_record(organisation_id=evening.organisation_id, actor=by, event_type="parents_evening.moved", obj=new,
                 summary=f"Booking moved for {new.child.display_name if new.child else 'a family'} with {new.staff}",
                 data={"from": booking.pk, "to": new.pk})
    return new


def _hm(at: dt.datetime, setting: Setting) -> str:
    return at.astimezone(zoneinfo.ZoneInfo(setting.time_zone)).strftime("%H:%M")


@transaction.atomic
def booking_cancel(*, by, booking: EveningSlot, office: bool = False, now: dt.datetime | None = None) -> EveningSlot:
    """Cancel a booking: the slot is free again and its appointment cancelled."""
    now = now or clock.now()
    booking = EveningSlot.objects.select_for_update(of=("self",)).select_related("evening__setting", "child", "carer", "staff__user").get(pk=booking.pk)
    evening = booking.evening
    _open_for(evening, office=office, now=now)
    if booking.family_id is None:
        raise RuleViolation("This booking was cancelled already.", rule="gone", field="slot")
    child, carer, appointment_id = booking.child, booking.carer, booking.appointment_id
    EveningSlot.objects.filter(pk=booking.pk).update(family=None, child=None, carer=None, appointment=None, booked_at=None, booked_by=None)
    if appointment_id:
        Appointment.objects.filter(pk=appointment_id).update(
            status=AppointmentStatus.CANCELLED, cancelled_at=now, cancellation_reason="Booking cancelled",
            sequence=F("sequence") + 1, version=F("version") + 1, updated_at=now)
    if office and carer is not None:
        subject, body = evening_email("cancelled", setting=evening.setting, starts_at=booking.starts_at)
        _tell_carer(carer, organisation_id=evening.organisation_id, now=now, key=f"evening-booking-cancelled:{appointment_id}",
                    subject=subject, body=body)
    audit_record(organisation_id=evening.organisation_id, actor=by, event_type="parents_evening.booking_cancelled", obj=booking,
                 summary=f"Booking cancelled for {child.display_name if child else 'a family'} with {booking.staff}")
    booking.refresh_from_db()
    return booking


@transaction.atomic
def attendance_record(*, actor, booking: EveningSlot, attended: bool, now: dt.datetime | None = None) -> EveningSlot:
    """The member of staff (or a leader) records whether the family came: the appointment is then held (CC-K2)."""
    from . import policies

    now = now or clock.now()
    booking = EveningSlot.objects.select_related("evening", "child").get(pk=booking.pk)
    policies.require_record_attendance(actor, booking)
    if booking.family_id is None or booking.appointment_id is None:
        raise RuleViolation("No family booked this slot.", rule="free", field="attended")
    if booking.starts_at > now:
        raise RuleViolation("Record attendance once the appointment has started.", rule="future", field="attended")
    Invitee.objects.filter(appointment_id=booking.appointment_id, kind=InviteeKind.CARER).update(attended=attended)
    Invitee.objects.filter(appointment_id=booking.appointment_id, staff_id=booking.staff_id).update(attended=True)
    Appointment.objects.filter(pk=booking.appointment_id).update(
        status=AppointmentStatus.HELD if attended else AppointmentStatus.SCHEDULED, version=F("version") + 1, updated_at=now)
    audit_record(organisation_id=booking.organisation_id, actor=actor.user, event_type="parents_evening.attendance", obj=booking,
                 summary=f"{'Came' if attended else 'Did not come'}: {booking.child.display_name if booking.child else 'family'}")
    return booking


# Reads: staff ------------------------------------------------------------------------------------------------------


def evenings_visible_to(actor) -> QuerySet[ParentsEvening]:
    """The evenings of the settings the actor works in."""
    if not actor.is_member:
        return ParentsEvening.objects.none()
    return ParentsEvening.objects.filter(organisation_id=actor.organisation_id, setting__in=actor.settings())


def access_evening(actor, evening_id: int) -> ParentsEvening:
    evening = evenings_visible_to(actor).select_related("setting").filter(pk=evening_id).first()
    if evening is None:
        raise Http404("No such parents' evening")
    return evening


def access_slot(actor, evening: ParentsEvening, slot_id: int) -> EveningSlot:
    slot = EveningSlot.objects.filter(evening=evening, pk=slot_id).select_related("staff__user", "child", "carer").first()
    if slot is None:
        raise Http404("No such slot")
    return slot


def evening_staff(evening: ParentsEvening) -> list[StaffMember]:
    ids = EveningSlot.objects.filter(evening=evening).values("staff_id").distinct()
    return list(StaffMember.objects.filter(pk__in=ids).select_related("user").order_by("user__full_name", "id"))


def timetable(evening: ParentsEvening, staff_id: int) -> list[EveningSlot]:
    """One member of staff's slots in time order, each with its family, child, carer and appointment (one query)."""
    return list(
        EveningSlot.objects.filter(evening=evening, staff_id=staff_id)
        .select_related("family", "child__group", "carer", "appointment").order_by("starts_at")
    )


@dataclass
class StaffColumn:
    staff: StaffMember
    slots: list[EveningSlot] = field(default_factory=list)

    @property
    def booked(self) -> int:
        return sum(1 for s in self.slots if not s.is_free)


def board(evening: ParentsEvening) -> list[StaffColumn]:
    """Every member of staff's slots (the office's view of the whole evening), in two queries."""
    columns: dict[int, StaffColumn] = {}
    for slot in EveningSlot.objects.filter(evening=evening).select_related("staff__user", "child", "carer").order_by(
            "staff__user__full_name", "staff_id", "starts_at"):
        columns.setdefault(slot.staff_id, StaffColumn(slot.staff)).slots.append(slot)
    return list(columns.values())


def evening_counts(evenings: list[ParentsEvening]) -> dict[int, tuple[int, int]]:
    """(booked, all) slots of each evening, one query."""
    from django.db.models import Count

    rows = EveningSlot.objects.filter(evening__in=evenings).values("evening_id").annotate(
        n=Count("id"), booked=Count("id", filter=Q(family__isnull=False)))
    return {r["evening_id"]: (r["booked"], r["n"]) for r in rows}


# Reads: carers -----------------------------------------------------------------------------------------------------


def _carer_children(access, as_of: dt.date) -> list[Child]:
    family_ids = access.family_ids_with(carer_access.BOOKINGS)
    if not family_ids:
        return []
    return list(
        Child.objects.filter(family_id__in=family_ids, enrolled_on__lte=as_of)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of)).select_related("setting", "group", "family")
        .order_by("legal_first_name", "id")
    )


def evenings_for_carer(access, now: dt.datetime) -> list[ParentsEvening]:
    """Evenings not over yet in the settings of the carer's children (section BOOKINGS), soonest first: two queries."""
    children = _carer_children(access, now.date())
    if not children:
        return []
    return list(ParentsEvening.objects.filter(
        setting_id__in={c.setting_id for c in children}, status=EveningStatus.OPEN, ends_at__gt=now,
    ).select_related("setting").order_by("starts_at", "id"))


@dataclass
class StaffChoice:
    staff: StaffMember
    role: str                       # "key worker" / "class teacher" in the setting's words
    free: list[EveningSlot]
    booking: EveningSlot | None     # the family's slot with them, if booked
    error: str = ""                 # why the last booking, move or cancellation was refused


@dataclass
class ChildChoices:
    child: Child
    choices: list[StaffChoice]


@dataclass
class CarerEvening:
    evening: ParentsEvening
    children: list[ChildChoices]
    is_open: bool

    @property
    def bookings(self) -> list[EveningSlot]:
        return sorted((c.booking for cc in self.children for c in cc.choices if c.booking), key=lambda s: s.starts_at)


def carer_evening(access, evening_id: int, now: dt.datetime) -> CarerEvening:
    """What a carer sees of one evening: for each of their children there, the key worker and class teachers taking
    part, with their free slots and the family's booking. 404 for an evening of no child of theirs. A fixed number
    of queries whatever the number of slots and families."""
    children = _carer_children(access, now.date())
    evening = ParentsEvening.objects.filter(
        pk=evening_id, setting_id__in={c.setting_id for c in children}, status=EveningStatus.OPEN,
    ).select_related("setting").first()
    if evening is None:
        raise Http404("No such parents' evening")
    children = [c for c in children if c.setting_id == evening.setting_id]
    allowed = staff_for_children(children)
    key_workers = set(current_allocations().filter(
        family_id__in={c.family_id for c in children}, setting=evening.setting).values_list("family_id", "staff_id"))
    wanted = set().union(*allowed.values()) if allowed else set()
    by_staff: dict[int, list[EveningSlot]] = defaultdict(list)
    for slot in EveningSlot.objects.filter(evening=evening, staff_id__in=wanted).select_related("staff__user").order_by("starts_at"):
        by_staff[slot.staff_id].append(slot)
    label = evening.setting.key_worker_label
    other = "class teacher" if evening.setting.is_school else "room practitioner"
    result = []
    for child in children:
        choices = []
        for staff_id in sorted(allowed[child.pk] & by_staff.keys(), key=lambda i: (by_staff[i][0].staff.user.full_name, i)):
            slots = by_staff[staff_id]
            mine = next((s for s in slots if s.family_id == child.family_id), None)
            role = label if (child.family_id, staff_id) in key_workers else other
            choices.append(StaffChoice(slots[0].staff, role, [s for s in slots if s.is_free and s.starts_at > now], mine))
        result.append(ChildChoices(child, choices))
    return CarerEvening(evening, result, evening.booking_open(now))


def carer_booking(access, evening: ParentsEvening, slot_id: int) -> EveningSlot:
    """A slot the carer's family booked (section BOOKINGS), else 404."""
    slot = EveningSlot.objects.filter(pk=slot_id, evening=evening, family_id__in=access.family_ids_with(carer_access.BOOKINGS)).select_related(
        "staff__user", "child", "carer").first()
    if slot is None:
        raise Http404("No such booking")
    return slot


def carer_free_slot(evening: ParentsEvening, slot_id: int) -> EveningSlot | None:
    return EveningSlot.objects.filter(pk=slot_id, evening=evening).select_related("staff__user").first()


def family_bookings(family_ids, now: dt.datetime) -> list[EveningSlot]:
    """The families' booked slots still to come, soonest first (one query); those of an evening since cancelled too,
    so that the family reads why on their pages (the e-mail says only that it is cancelled)."""
    return list(EveningSlot.objects.filter(family_id__in=family_ids, ends_at__gt=now,
                                           evening__status__in=(EveningStatus.OPEN, EveningStatus.CANCELLED))
                .select_related("evening__setting", "staff__user", "child").order_by("starts_at"))



def evening_staff_member(staff_id: int) -> StaffMember:
    return StaffMember.objects.select_related("user").get(pk=staff_id)


def first_carer(child: Child) -> Carer | None:
    """The carer the office books for: the first in contact order who may be contacted."""
    carers = [c for c in Carer.objects.filter(family_id=child.family_id).order_by("contact_order", "id") if c.may_be_contacted]
    return carers[0] if carers else None


# The carers' home page ---------------------------------------------------------------------------------------------


def carer_home_to_book(access, as_of: dt.date, now: dt.datetime) -> list:
    """TO DO: an evening open for booking where the family has booked nothing yet (three queries)."""
    from keyworker.core.extensions import TO_DO, CarerHomeItem

    open_now = [e for e in evenings_for_carer(access, now) if e.booking_open(now)]
    if not open_now:
        return []
    family_ids = access.family_ids_with(carer_access.BOOKINGS)
    booked = set(EveningSlot.objects.filter(evening__in=open_now, family_id__in=family_ids).values_list("evening_id", flat=True))
    return [CarerHomeItem(kind=TO_DO, title="Book a parents' evening slot", when=e.booking_closes_at,
                          detail=f"{e.title} on {on_screen(e.starts_at)}: book by {on_screen(e.booking_closes_at)}",
                          url=f"/family/bookings/{e.pk}/") for e in open_now if e.pk not in booked]


def carer_home_booked(access, as_of: dt.date, now: dt.datetime) -> list:
    """COMING: the family's booked slots still to come (one query)."""
    from keyworker.core.extensions import COMING, CarerHomeItem

    items = []
    for s in family_bookings(access.family_ids_with(carer_access.BOOKINGS), now):
        if s.evening.status != EveningStatus.OPEN:
            continue
        items.append(CarerHomeItem(kind=COMING, title=f"Parents' evening with {s.staff}", when=s.starts_at,
                                   detail=f"{_hm(s.starts_at, s.evening.setting)}, {s.evening.place or s.evening.title}",
                                   url=f"/family/bookings/{s.evening_id}/", child=s.child.display_name if s.child else "",
                                   family_id=s.family_id))
    return items


def register_carer_home() -> None:
    from keyworker.core.extensions import COMING, TO_DO, CarerHomeSource, register_carer_home_source

    register_carer_home_source(CarerHomeSource("parents_evening_to_book", TO_DO, carer_home_to_book))
    register_carer_home_source(CarerHomeSource("parents_evening_booked", COMING, carer_home_booked))


def slots_free(evening: ParentsEvening, staff_id: int) -> list[EveningSlot]:
    return list(EveningSlot.objects.filter(evening=evening, staff_id=staff_id, family__isnull=True).order_by("starts_at"))


# My week -----------------------------------------------------------------------------------------------------------

WEEK_PANEL_DAYS = 21


@dataclass
class EveningLine:
    evening: ParentsEvening
    mine: tuple[int, int] | None     # (booked, all) of the actor's own slots, if they take part
    whole: tuple[int, int] | None    # (booked, all) of the whole evening, for leaders and the office


def week_panel(actor, as_of: dt.date) -> list[EveningLine] | None:
    """Parents' evenings in the next three weeks: the actor's own slots booked so far (staff taking part) and the whole
    evening's (leaders, the office). None when there is none. Three queries."""
    from . import policies

    if not actor.is_member:
        return None
    start = clock.start_of_day(as_of)
    items = list(evenings_visible_to(actor).filter(status=EveningStatus.OPEN, ends_at__gt=start,
                                                   starts_at__lt=start + dt.timedelta(days=WEEK_PANEL_DAYS)).select_related("setting"))
    if not items:
        return None
    from django.db.models import Count

    own = {r["evening_id"]: (r["booked"], r["n"]) for r in EveningSlot.objects.filter(evening__in=items, staff_id=actor.staff.pk)
           .values("evening_id").annotate(n=Count("id"), booked=Count("id", filter=Q(family__isnull=False)))}
    oversee = [e for e in items if policies.can_book_for_families(actor, e.setting_id)]
    whole = evening_counts(oversee) if oversee else {}
    lines = [EveningLine(e, own.get(e.pk), whole.get(e.pk)) for e in items if e.pk in own or e.pk in whole]
    return lines or None


def register_week_panel() -> None:
    from keyworker.core.extensions import WeekPanel
    from keyworker.core.extensions import register_week_panel as register

    register(WeekPanel("parents_evenings", 60, "meetings/_evening_week_panel.html", week_panel))
