"""Writes for appointments: arrange one (with its invitees), change its time or place, cancel it, answer for an
invitee (a carer in the portal, or staff on their behalf), and record who came and what was agreed.

Carers are told by e-mail of a new appointment, a change of time or place and a cancellation; the e-mail holds only
the time, the place and the setting's name (never the title, notes or who else is coming). Each change refreshes the
family's obligations (SCH-6, CC-K2, CC-M1, CC-M4, CC-P2) in the same transaction.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.conflicts import version_claim
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.notifications.services import absolute_url, email_queue, notification_send
from keyworker.organisations.models import Setting
from keyworker.people import carer_access
from keyworker.people.models import Carer, Child, ContactRestriction, Family
from keyworker.people.selectors import families_visible_to
from keyworker.standards.obligations import obligations_refresh

from . import policies
from .models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Invitee,
    InviteeKind,
    InviteeRole,
    Rsvp,
)
from .selectors import key_worker_ids, local, staff_role_for

TITLE_MAX = 150
PLACE_MAX = 200
NOTES_MAX = 5000
REASON_MAX = 300
LONGEST = dt.timedelta(hours=12)
NOTIFICATION_KIND = "appointment"
PORTAL_PATH = "/family/appointments/"


class AppointmentInvalid(RuleViolation):
    """Several fields refused at once: each with its own message (pages and the API show them all)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        field, message = next(iter(errors.items()))
        super().__init__(message, rule="invalid", field=field)

    def as_dict(self) -> dict[str, list[str]]:
        return {k: [v] for k, v in self.errors.items()}


@dataclass(frozen=True)
class Professional:
    """Someone from outside the organisation: a social worker, an educational psychologist, a health visitor."""

    name: str
    email: str = ""
    organisation_name: str = ""


# Checks ------------------------------------------------------------------------------------------------------------


def _when_problems(starts_at: dt.datetime | None, ends_at: dt.datetime | None, now: dt.datetime) -> dict[str, str]:
    problems: dict[str, str] = {}
    if starts_at is None:
        problems["starts_at"] = "Enter the date and the time it starts."
    elif starts_at < now:
        problems["starts_at"] = "This time has passed: choose a time later than now."
    if ends_at is None:
        problems["ends_at"] = "Enter the time it ends."
    elif starts_at is not None and ends_at <= starts_at:
        problems["ends_at"] = "The end must be after the start: check the times."
    elif starts_at is not None and ends_at - starts_at > LONGEST:
        problems["ends_at"] = "A meeting lasts at most 12 hours: check the times."
    return problems


def _where_problems(place: str, video_link: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not place and not video_link:
        problems["place"] = "Enter where it is (a room, an address) or a video link."
    if len(place) > PLACE_MAX:
        problems["place"] = f"Keep the place to {PLACE_MAX} characters or fewer."
    if video_link:
        try:
            URLValidator(schemes=["https"])(video_link)
        except ValidationError:
            problems["video_link"] = "Enter the video link as a full address starting https://"
    return problems


def _carer_problems(carers: Iterable[Carer], family: Family | None, organisation_id: int) -> dict[str, str]:
    for carer in carers:
        if carer.organisation_id != organisation_id or (family is not None and carer.family_id != family.pk):
            return {"carers": "Invite carers of this family only: that carer is not one of them."}
        if carer.contact_restriction == ContactRestriction.NO_CONTACT:
            return {"carers": f"{carer.full_name} has a no-contact restriction and cannot be invited."}
    return {}


def _carers_in_scope(actor: Actor, carers: list[Carer]) -> dict[str, str]:
    """A session open to many families invites carers of families the organiser sees, and no others."""
    families = {c.family_id for c in carers}
    if families and families_visible_to(actor).filter(pk__in=families).count() != len(families):
        return {"carers": "Invite carers of families you work with only."}
    return {}


def _staff_problems(staff: Iterable[StaffMember], organisation_id: int) -> dict[str, str]:
    for member in staff:
        if member.organisation_id != organisation_id or not member.is_active:
            return {"staff": "Invite staff of this organisation only: that person does not work here."}
    return {}


def _professional_problems(professionals: Iterable[Professional]) -> dict[str, str]:
    for n, p in enumerate(professionals):
        if not p.name.strip():
            return {"professionals": f"Enter the name of outside professional {n + 1}."}
        if len(p.name) > 150 or len(p.organisation_name) > 150:
            return {"professionals": "Keep names to 150 characters or fewer."}
        if p.email:
            try:
                validate_email(p.email)
            except ValidationError:
                return {"professionals": f"Enter a real e-mail address for {p.name}, for example name@example.org."}
    return {}


def _require_family(actor: Actor, family: Family | None, child: Child | None) -> None:
    """A family (or child) outside the actor's scope does not exist."""
    if family is not None and (family.organisation_id != actor.organisation_id
                               or not families_visible_to(actor).filter(pk=family.pk).exists()):
        raise Http404("No such family")
    if child is not None and (family is None or child.family_id != family.pk):
        raise AppointmentInvalid({"child": "Choose a child of this family (or none)."})


def _require_manage(actor: Actor, appointment: Appointment) -> Appointment:
    if not actor.is_member or appointment.organisation_id != actor.organisation_id:
        raise Http404("No such appointment")
    if not policies.can_manage(actor, appointment):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only the organiser, staff invited and the setting's leaders change this appointment.")
    return appointment


def _lock(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_for_update(of=("self",)).select_related("setting").get(pk=appointment.pk)


# Telling carers ------------------------------------------------------------------------------------------------------


def when_words(appointment: Appointment) -> str:
    start = local(appointment.starts_at, appointment.setting.time_zone)
    end = local(appointment.ends_at, appointment.setting.time_zone)
    return f"{on_screen(start)}, {start:%H:%M} to {end:%H:%M}"


def where_words(appointment: Appointment) -> str:
    parts = []
    if appointment.place:
        parts.append(appointment.place)
    if appointment.video_link:
        parts.append(f"Video link: {appointment.video_link}")
    return "\n".join(parts)


SUBJECTS = {
    "new": "An appointment at {setting}",
    "changed": "Change of time or place: your appointment at {setting}",
    "cancelled": "Cancelled: your appointment at {setting}",
}
OPENINGS = {
    "new": "You are invited to an appointment at {setting}.",
    "changed": "The time or place of your appointment at {setting} has changed. It is now:",
    "cancelled": "Your appointment at {setting} has been cancelled. It was:",
}


def _tell_carers(appointment: Appointment, what: str, invitees: Iterable[Invitee], now: dt.datetime) -> int:
    """An e-mail to each invited carer who may be contacted: through their portal account when they have one (it is in
    their inbox too), else to their address. Only the time, the place and the setting's name."""
    setting = appointment.setting.name
    body = "\n\n".join(filter(None, [
        OPENINGS[what].format(setting=setting),
        f"When: {when_words(appointment)}",
        f"Where: {where_words(appointment)}",
        "" if what == "cancelled" else f"Let us know if you can come: {absolute_url(PORTAL_PATH)}",
    ]))
    subject = SUBJECTS[what].format(setting=setting)
    told = 0
    for invitee in invitees:
        carer = invitee.carer
        if carer is None or not carer_access.may_be_invited(carer):
            continue
        if carer.user_id:
            notification_send(recipient=carer.user, organisation_id=appointment.organisation_id, kind=NOTIFICATION_KIND,
                              subject=subject, body=body, link=PORTAL_PATH, now=now,
                              dedupe_key=f"appointment:{appointment.pk}:{appointment.sequence}:{what}")
        else:
            email_queue(to=carer.email, subject=subject, body=body, kind=NOTIFICATION_KIND, now=now)
        told += 1
    return told


def carers_tell(appointment: Appointment, what: str, now: dt.datetime | None = None) -> int:
    """Tell the appointment's invited carers that it was made ("new"), moved ("changed") or cancelled: for other
    parts of the app that arrange appointments of their own (an annual review's meeting)."""
    invitees = appointment.invitees.filter(kind=InviteeKind.CARER).select_related("carer", "carer__user")
    return _tell_carers(appointment, what, invitees, now or clock.now())


def _refresh(appointment: Appointment, actor: Actor | None, family_ids: set[int] | None = None) -> None:
    ids = set(family_ids or ())
    if appointment.family_id:
        ids.add(appointment.family_id)
    if ids:
        obligations_refresh(organisation_id=appointment.organisation_id, family_ids=ids,
                            as_of=clock.today(appointment.setting.time_zone), actor=actor)


# Arranging ----------------------------------------------------------------------------------------------------------


@transaction.atomic
def appointment_create(
    *, actor: Actor, setting: Setting, kind: str, title: str, starts_at: dt.datetime | None, ends_at: dt.datetime | None,
    family: Family | None = None, child: Child | None = None, place: str = "", video_link: str = "",
    carers: Iterable[Carer] = (), staff: Iterable[StaffMember] = (), professionals: Iterable[Professional] = (),
    now: dt.datetime | None = None,
) -> Appointment:
    """Arrange an appointment and invite people to it; invited carers are told by e-mail."""
    now = now or clock.now()
    if not actor.is_member or setting.organisation_id != actor.organisation_id or not (
        actor.settings().filter(pk=setting.pk).exists()
    ):
        raise Http404("No such setting")
    if not policies.can_arrange(actor, setting.pk):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("You do not arrange meetings in this setting.")
    _require_family(actor, family, child)
    carers, staff, professionals = list(carers), list(staff), list(professionals)
    title, place, video_link = (title or "").strip(), (place or "").strip(), (video_link or "").strip()
    problems: dict[str, str] = {}
    if kind not in AppointmentKind.values:
        problems["kind"] = "Choose what kind of appointment it is."
    if not title:
        problems["title"] = "Enter a title, for example “Settling-in review”."
    elif len(title) > TITLE_MAX:
        problems["title"] = f"Keep the title to {TITLE_MAX} characters or fewer."
    problems |= _when_problems(starts_at, ends_at, now)
    problems |= _where_problems(place, video_link)
    problems |= _carer_problems(carers, family, actor.organisation_id) or _carers_in_scope(actor, carers)
    problems |= _staff_problems(staff, actor.organisation_id)
    problems |= _professional_problems(professionals)
    if problems:
        raise AppointmentInvalid(problems)

    appointment = Appointment.objects.create(
        organisation_id=actor.organisation_id, setting=setting, kind=kind, title=title, family=family, child=child,
        starts_at=starts_at, ends_at=ends_at, place=place, video_link=video_link, created_by=actor.user,
    )
    invitees = _invite(appointment, carers=carers, staff=staff, professionals=professionals)
    audit_record(organisation_id=appointment.organisation_id, actor=actor.user, event_type="appointment.created",
                 obj=appointment, summary=f"Appointment arranged: {title} on {on_screen(local(starts_at, setting.time_zone))}",
                 data={"kind": kind, "invitees": len(invitees)})
    _tell_carers(appointment, "new", [i for i in invitees if i.kind == InviteeKind.CARER], now)
    _refresh(appointment, actor)
    return appointment


def _invite(appointment: Appointment, *, carers: list[Carer], staff: list[StaffMember],
            professionals: list[Professional]) -> list[Invitee]:
    """The invitee rows, in one insert; staff take their part (key worker, class teacher, manager) from the family."""
    existing_carers = set(appointment.invitees.filter(carer__isnull=False).values_list("carer_id", flat=True))
    existing_staff = set(appointment.invitees.filter(staff__isnull=False).values_list("staff_id", flat=True))
    key_workers = key_worker_ids(appointment.family, appointment.setting_id)
    class_ids = {appointment.child.group_id} if appointment.child_id and appointment.child.group_id else set(
        Child.objects.filter(family_id=appointment.family_id).exclude(group__isnull=True).values_list("group_id", flat=True)
    ) if appointment.family_id else set()
    org = appointment.organisation_id
    rows = [Invitee(organisation_id=org, appointment=appointment, kind=InviteeKind.CARER, role=InviteeRole.FAMILY,
                    carer=c, name=c.full_name, email=c.email)
            for c in dict.fromkeys(carers) if c.pk not in existing_carers]
    if staff:
        members = StaffMember.objects.filter(pk__in=[s.pk for s in staff]).select_related("user").prefetch_related(
            "staff_roles__role", "group_memberships")
        rows += [Invitee(organisation_id=org, appointment=appointment, kind=InviteeKind.STAFF, staff=s, name=s.user.full_name,
                         role=staff_role_for(s, key_workers=key_workers, class_ids=class_ids, setting_id=appointment.setting_id))
                 for s in members if s.pk not in existing_staff]
    rows += [Invitee(organisation_id=org, appointment=appointment, kind=InviteeKind.PROFESSIONAL, role=InviteeRole.PROFESSIONAL,
                     name=p.name.strip(), email=p.email.strip(), organisation_name=p.organisation_name.strip())
             for p in professionals]
    return Invitee.objects.bulk_create(rows)


@transaction.atomic
def invitee_add(
    *, actor: Actor, appointment: Appointment, carers: Iterable[Carer] = (), staff: Iterable[StaffMember] = (),
    professionals: Iterable[Professional] = (), now: dt.datetime | None = None,
) -> list[Invitee]:
    """Invite more people to a scheduled appointment; newly invited carers are told."""
    now = now or clock.now()
    _require_manage(actor, appointment)
    locked = _lock(appointment)
    if locked.status != AppointmentStatus.SCHEDULED or locked.ends_at < now:
        raise RuleViolation("Invite people to an appointment that is still to come.", rule="not_scheduled")
    carers, staff, professionals = list(carers), list(staff), list(professionals)
    problems: dict[str, str] = {}
    problems |= _carer_problems(carers, locked.family, actor.organisation_id) or _carers_in_scope(actor, carers)
    problems |= _staff_problems(staff, actor.organisation_id)
    problems |= _professional_problems(professionals)
    if not (carers or staff or professionals):
        problems["invitees"] = "Choose who to invite."
    if problems:
        raise AppointmentInvalid(problems)
    added = _invite(locked, carers=carers, staff=staff, professionals=professionals)
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="appointment.invited", obj=locked,
                 summary=f"{len(added)} more invited to {locked.title}")
    _tell_carers(locked, "new", [i for i in added if i.kind == InviteeKind.CARER], now)
    return added


@transaction.atomic
def appointment_change(
    *, actor: Actor, appointment: Appointment, version: int | None, title: str, kind: str,
    starts_at: dt.datetime | None, ends_at: dt.datetime | None, place: str, video_link: str,
    now: dt.datetime | None = None,
) -> Appointment:
    """Change the details, or reschedule: a change of time or place is told to the invited carers (and raises the
    sequence, so calendars update the event)."""
    now = now or clock.now()
    _require_manage(actor, appointment)
    version_claim(appointment, expected=version)
    locked = _lock(appointment)
    if locked.status != AppointmentStatus.SCHEDULED:
        raise RuleViolation(f"This appointment is {locked.get_status_display().lower()}: it can no longer be changed.",
                            rule="not_scheduled")
    title, place, video_link = (title or "").strip(), (place or "").strip(), (video_link or "").strip()
    moved = (starts_at, ends_at) != (locked.starts_at, locked.ends_at)
    problems: dict[str, str] = {}
    if kind not in AppointmentKind.values:
        problems["kind"] = "Choose what kind of appointment it is."
    if not title or len(title) > TITLE_MAX:
        problems["title"] = f"Enter a title of {TITLE_MAX} characters or fewer."
    when = _when_problems(starts_at, ends_at, now)
    if not moved:
        when.pop("starts_at", None)  # an appointment under way keeps its time while its place is corrected
    problems |= when
    problems |= _where_problems(place, video_link)
    if problems:
        raise AppointmentInvalid(problems)
    relocated = (place, video_link) != (locked.place, locked.video_link)
    before = when_words(locked)
    locked.title, locked.kind, locked.starts_at, locked.ends_at = title, kind, starts_at, ends_at
    locked.place, locked.video_link = place, video_link
    if moved or relocated:
        locked.sequence += 1
    locked.version = appointment.version
    locked.save()
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="appointment.changed", obj=locked,
                 summary=f"Appointment changed: {title}" + (f" (was {before})" if moved else ""),
                 data={"moved": moved, "relocated": relocated})
    if moved or relocated:
        _tell_carers(locked, "changed", locked.invitees.filter(kind=InviteeKind.CARER).select_related("carer"), now)
    _refresh(locked, actor)
    return locked


@transaction.atomic
def appointment_cancel(*, actor: Actor, appointment: Appointment, reason: str, version: int | None = None,
                       now: dt.datetime | None = None) -> Appointment:
    """Cancel it, with a reason (kept for staff; carers are told the time, place and setting only)."""
    now = now or clock.now()
    _require_manage(actor, appointment)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("Enter why it is cancelled, for example “The social worker is ill; we will rearrange”.",
                            rule="reason_required", field="reason")
    if len(reason) > REASON_MAX:
        raise RuleViolation(f"Keep the reason to {REASON_MAX} characters or fewer.", rule="too_long", field="reason")
    version_claim(appointment, expected=version)
    locked = _lock(appointment)
    if locked.status != AppointmentStatus.SCHEDULED:
        raise RuleViolation(f"This appointment is already {locked.get_status_display().lower()}.", rule="not_scheduled")
    locked.status, locked.cancelled_at, locked.cancellation_reason = AppointmentStatus.CANCELLED, now, reason
    locked.sequence += 1
    locked.version = appointment.version
    locked.save()
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="appointment.cancelled", obj=locked,
                 summary=f"Appointment cancelled: {locked.title}", data={"reason": reason})
    if locked.ends_at > now:
        _tell_carers(locked, "cancelled", locked.invitees.filter(kind=InviteeKind.CARER).select_related("carer"), now)
    _refresh(locked, actor)
    return locked


# Answers and attendance -----------------------------------------------------------------------------------------------


def _answer(invitee: Invitee, rsvp: str, user, now: dt.datetime) -> Invitee:
    if rsvp not in (Rsvp.YES, Rsvp.NO, Rsvp.MAYBE):
        raise RuleViolation("Choose coming, not coming or maybe.", rule="rsvp", field="rsvp")
    appointment = invitee.appointment
    if appointment.status == AppointmentStatus.CANCELLED:
        raise RuleViolation("This appointment was cancelled: there is nothing to answer.", rule="cancelled", field="rsvp")
    if appointment.starts_at <= now:
        raise RuleViolation("This appointment has started: answers are for appointments still to come.", rule="started",
                            field="rsvp")
    Invitee.objects.filter(pk=invitee.pk).update(rsvp=rsvp, rsvp_at=now, rsvp_recorded_by=user)
    invitee.rsvp, invitee.rsvp_at, invitee.rsvp_recorded_by = rsvp, now, user
    return invitee


@transaction.atomic
def rsvp_record(*, actor: Actor, invitee: Invitee, rsvp: str, now: dt.datetime | None = None) -> Invitee:
    """Staff record an invitee's answer on their behalf (a carer who said so at the gate or on the phone)."""
    now = now or clock.now()
    _require_manage(actor, invitee.appointment)
    invitee = _answer(invitee, rsvp, actor.user, now)
    audit_record(organisation_id=invitee.organisation_id, actor=actor.user, event_type="appointment.rsvp", obj=invitee.appointment,
                 summary=f"{invitee} answered “{Rsvp(rsvp).label}” (recorded by staff)")
    return invitee


@transaction.atomic
def rsvp_by_carer(*, access: carer_access.CarerAccess, invitee: Invitee, rsvp: str,
                  now: dt.datetime | None = None) -> Invitee:
    """A carer answers in the portal: only for their own invitation, in a family whose appointments they see."""
    now = now or clock.now()
    if invitee.carer_id is None or invitee.carer_id not in {c.pk for c in access.links}:
        raise Http404
    access.require(carer_access.APPOINTMENTS, invitee.carer.family_id)
    invitee = _answer(invitee, rsvp, access.user, now)
    audit_record(organisation_id=invitee.organisation_id, actor=access.user, event_type="appointment.rsvp",
                 obj=invitee.appointment, summary=f"{invitee} answered “{Rsvp(rsvp).label}” in the portal")
    return invitee


@transaction.atomic
def attendance_record(
    *, actor: Actor, appointment: Appointment, version: int | None, attended: Mapping[int, bool | None], notes: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """After the meeting: who came (by invitee id: True, False or None for not known) and what was discussed and
    agreed. Once anyone is recorded as there, the appointment is held; it counts as evidence from its date."""
    now = now or clock.now()
    _require_manage(actor, appointment)
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        raise RuleViolation(f"Keep the notes to {NOTES_MAX} characters or fewer.", rule="too_long", field="notes")
    version_claim(appointment, expected=version)
    locked = _lock(appointment)
    if locked.status == AppointmentStatus.CANCELLED:
        raise RuleViolation("This appointment was cancelled: nobody can have attended.", rule="cancelled")
    if locked.starts_at > now:
        raise RuleViolation("Record who came once the meeting has started.", rule="not_started", field="attended")
    invitees = {i.pk: i for i in locked.invitees.all()}
    unknown = [k for k in attended if k not in invitees]
    if unknown:
        raise RuleViolation("Record attendance of people invited to this appointment only.", rule="invitee", field="attended")
    for pk, there in attended.items():
        invitees[pk].attended = there
    Invitee.objects.bulk_update([invitees[pk] for pk in attended], ["attended"])
    anyone = any(i.attended for i in invitees.values())
    locked.status = AppointmentStatus.HELD if anyone else AppointmentStatus.SCHEDULED
    locked.notes = notes
    locked.version = appointment.version
    locked.save()
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="appointment.attendance", obj=locked,
                 summary=f"Attendance recorded: {locked.title}",
                 data={"attended": sum(1 for i in invitees.values() if i.attended)})
    families = {i.carer.family_id for i in locked.invitees.filter(carer__isnull=False).select_related("carer")}
    _refresh(locked, actor, families)
    return locked
