"""Demo appointments, relative to today, in the school and the childcare group: a review meeting next week with the
family's answer in, an annual review with an educational psychologist, one cancelled, a meeting held a fortnight ago
with notes; in the nursery a manager introduction and an induction session held (most families came), and a review
coming up. Past ones are written as they were recorded; those to come are arranged through the services (the carers'
e-mails are in the outbox)."""

import datetime as dt
import zoneinfo

from django.db import transaction

from keyworker.accounts.access import actor_for
from keyworker.accounts.models import StaffMember
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.models import Organisation, Setting
from keyworker.people.models import ContactRestriction

from .models import Appointment, AppointmentKind, AppointmentStatus, Invitee, InviteeKind, InviteeRole, Rsvp
from .services import Professional, appointment_cancel, appointment_create, rsvp_record

# The demo's childcare group (see keyworker.demo.builder): its appointments are written with the school's.
GROUP_SLUG = "thistle-group"
MANAGER_ROLES = ("headteacher", "manager")


def _at(day: dt.date, hour: int, minute: int, setting: Setting) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zoneinfo.ZoneInfo(setting.time_zone))


def _weekday(today: dt.date, days: int) -> dt.date:
    day = today + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1 if days >= 0 else -1)
    return day


def _allocations(setting: Setting, n: int) -> list[KeyWorkerAllocation]:
    """Allocated families with a carer who may be contacted, in a stable order."""
    rows = (KeyWorkerAllocation.objects.filter(setting=setting, ends_at__isnull=True)
            .exclude(family__carers__contact_restriction=ContactRestriction.NO_CONTACT)
            .select_related("family", "staff__user").order_by("family__name", "id"))
    return list(rows[:n])


def _manager(setting: Setting) -> StaffMember | None:
    return (StaffMember.objects.filter(staff_roles__setting=setting, staff_roles__role__code__in=MANAGER_ROLES, is_active=True)
            .select_related("user").order_by("id").first())


def _held(setting: Setting, *, kind: str, title: str, start: dt.datetime, minutes: int, families, staff: list,
          notes: str, came: float = 1.0, organiser=None) -> Appointment:
    """A past appointment as it was recorded: invited, answered, then who came and the notes."""
    family = families[0] if len(families) == 1 else None
    a = Appointment.objects.create(
        organisation_id=setting.organisation_id, setting=setting, kind=kind, title=title, family=family,
        child=family.children.order_by("id").first() if family else None, starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes), place="Family room" if family else "Main hall",
        status=AppointmentStatus.HELD, notes=notes, created_by=organiser.user if organiser else None,
    )
    rows = []
    for n, f in enumerate(families):
        carer = f.carers.exclude(contact_restriction=ContactRestriction.NO_CONTACT).order_by("contact_order", "id").first()
        if carer is not None:
            there = n < max(1, round(len(families) * came))
            rows.append(Invitee(organisation_id=a.organisation_id, appointment=a, kind=InviteeKind.CARER, role=InviteeRole.FAMILY,
                                carer=carer, name=carer.full_name, email=carer.email, rsvp=Rsvp.YES if there else Rsvp.MAYBE,
                                rsvp_at=start - dt.timedelta(days=3), attended=there))
    for member, role in staff:
        rows.append(Invitee(organisation_id=a.organisation_id, appointment=a, kind=InviteeKind.STAFF, role=role, staff=member,
                            name=member.user.full_name, rsvp=Rsvp.YES, rsvp_at=start - dt.timedelta(days=5), attended=True))
    Invitee.objects.bulk_create(rows)
    return a


def _arrange(setting, organiser, *, kind, title, start, minutes, allocation, staff, professionals=()):
    actor = actor_for(organiser.user, setting.organisation_id)
    family = allocation.family
    carers = list(family.carers.exclude(contact_restriction=ContactRestriction.NO_CONTACT).order_by("contact_order", "id"))
    return appointment_create(
        actor=actor, setting=setting, kind=kind, title=title, family=family, child=family.children.order_by("id").first(),
        starts_at=start, ends_at=start + dt.timedelta(minutes=minutes), place="Meeting room 2", carers=carers,
        staff=[s for s in staff if s is not None], professionals=list(professionals),
    ), actor


def _school(setting: Setting, today: dt.date) -> int:
    families = _allocations(setting, 4)
    head = _manager(setting)
    if len(families) < 4 or head is None:
        return 0
    review, annual, cancelled, past = families
    a, actor = _arrange(setting, review.staff, kind=AppointmentKind.REVIEW_MEETING, title="Termly support review",
                        start=_at(_weekday(today, 7), 15, 30, setting), minutes=45, allocation=review,
                        staff=[review.staff, head])
    first = a.invitees.filter(kind=InviteeKind.CARER).first()
    if first is not None:
        rsvp_record(actor=actor, invitee=first, rsvp=Rsvp.YES)
    _arrange(setting, annual.staff, kind=AppointmentKind.ANNUAL_REVIEW, title="EHCP annual review",
             start=_at(_weekday(today, 10), 9, 30, setting), minutes=90, allocation=annual, staff=[annual.staff, head],
             professionals=[Professional("Dr Priya Shah", "priya.shah@example.org", "Educational psychology service")])
    c, actor = _arrange(setting, cancelled.staff, kind=AppointmentKind.OTHER, title="Catch-up about mornings",
                        start=_at(_weekday(today, 3), 8, 45, setting), minutes=20, allocation=cancelled,
                        staff=[cancelled.staff])
    appointment_cancel(actor=actor, appointment=c, reason="The family asked to move it: a new date to follow.", version=c.version)
    _held(setting, kind=AppointmentKind.REVIEW_MEETING, title="Review of the reading plan",
          start=_at(_weekday(today, -14), 15, 30, setting), minutes=40, families=[past.family], organiser=past.staff,
          staff=[(past.staff, InviteeRole.KEY_WORKER)], notes="Reading at home three times a week; review again at half term.")
    return 4


def _nursery(setting: Setting, today: dt.date) -> int:
    families = _allocations(setting, 6)
    manager = _manager(setting)
    if len(families) < 6 or manager is None:
        return 0
    _held(setting, kind=AppointmentKind.MANAGER_INTRODUCTION, title="Welcome from the manager",
          start=_at(_weekday(today, -9), 9, 15, setting), minutes=20, families=[families[0].family], organiser=manager,
          staff=[(manager, InviteeRole.MANAGER)], notes="Met Mum at drop-off; talked through settling in.")
    _held(setting, kind=AppointmentKind.INDUCTION, title="Parents' information session: settling in and snack",
          start=_at(_weekday(today, -6), 17, 30, setting), minutes=60, families=[a.family for a in families[1:5]],
          organiser=manager, staff=[(manager, InviteeRole.MANAGER)], came=0.75,
          notes="Handbook key points shared: fire evacuation, tour of the rooms, snack.")
    key = families[5]
    _arrange(setting, key.staff, kind=AppointmentKind.REVIEW_MEETING, title="Care plan review",
             start=_at(_weekday(today, 6), 16, 0, setting), minutes=30, allocation=key, staff=[key.staff, manager])
    c, actor = _arrange(setting, manager, kind=AppointmentKind.MANAGER_INTRODUCTION, title="Welcome from the manager",
                        start=_at(_weekday(today, 2), 9, 0, setting), minutes=20, allocation=families[1], staff=[manager])
    appointment_cancel(actor=actor, appointment=c, reason="Met at the information session instead.", version=c.version)
    return 4


@transaction.atomic
def demo_history(*, organisation: Organisation, today: dt.date | None = None) -> int:
    """The school's and the childcare group's appointments; then their obligations recomputed. Returns how many."""
    from keyworker.standards import engine

    written = 0
    for org in Organisation.objects.filter(pk=organisation.pk) | Organisation.objects.filter(slug=GROUP_SLUG):
        for setting in Setting.objects.filter(organisation=org).order_by("id"):
            day = today or clock.today(setting.time_zone)
            written += _school(setting, day) if setting.kind == "school" else (
                _nursery(setting, day) if setting.kind == "early_years" else 0)
        engine.recompute(organisation_id=org.pk, as_of=today or clock.today(), rebuild=True)
    return written
