"""Reminders to carers a few days before their appointments (SCH-6).

Each run (a periodic task of the worker, per organisation) finds the scheduled appointments starting within the
policy's number of days and, for each invited carer not yet reminded, writes one `AppointmentReminder`:
- a carer who prefers e-mail is told for real: a notification to their portal account (their inbox and an e-mail),
  or, with no account, an e-mail to their address; the reminder is `sent`;
- a carer who prefers a channel the product cannot send through (phone, messaging app, face to face, letter)
  becomes a task on the key worker's My week (`to_do`); ticking it off (`reminder_tick_off`) makes it `done`. A family
  with no current key worker in the appointment's setting is the task of the member of staff who made the appointment
  (while still a member), else of the setting's leaders (`key_worker` empty): a task is never nobody's.

A sent or ticked-off reminder is the SCH-6 evidence `appointment_reminder`, about the event `appointment:<id>`.
A carer under any restriction (no contact, a court order, information only), one who said they are not coming, and a
cancelled appointment get none.

Exactly once: the reminder rows are unique per appointment and carer and inserted with "on conflict do nothing",
stamped with the run's id, in the same transaction as the notifications; each run writes the notifications of the
rows it inserted itself, so two runs at once never tell a carer twice. The e-mails go out from the outbox after
commit, retried by the worker if the mail server is away.
"""

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.formats import date_format

from keyworker.accounts.models import StaffMember
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core.audit import audit_record
from keyworker.core.clock import start_of_day
from keyworker.notifications.models import Delivery, Notification
from keyworker.notifications.services import Draft, notifications_send
from keyworker.people.models import ContactMethod, ContactRestriction
from keyworker.standards.evidence import EvidenceRow, EvidenceSource, SourceRead, register_evidence
from keyworker.standards.models import Standard
from keyworker.standards.obligations import obligations_refresh

from . import policies
from .models import AppointmentStatus, Invitee, InviteeKind, Rsvp
from .models_reminders import AppointmentReminder, ReminderState

EVIDENCE = "appointment_reminder"
KIND = "appointment_reminder"
DEFAULT_DAYS = 3
# The channels the product sends through itself; every other preferred channel is a task for the key worker.
SENT_CHANNELS = frozenset({ContactMethod.EMAIL})
# How each task reads on My week: "Remind the Adams family by phone".
BY = {
    ContactMethod.PHONE: "by phone",
    ContactMethod.MESSAGING_APP: "on ClassDojo or the messaging app",
    ContactMethod.FACE_TO_FACE: "face to face",
    ContactMethod.LETTER: "by letter",
    ContactMethod.EMAIL: "by e-mail",
}


def event_ref(appointment_id: int) -> str:
    """The reference of the appointment event (registered by the appointments part) a reminder answers."""
    return f"appointment:{appointment_id}"


def reminder_days(organisation_id: int) -> int:
    """How many days before an appointment the carers are reminded: SCH-6's number in the organisation's policy in
    force (the standard whose evidence is a reminder), else 3."""
    n = (
        Standard.objects.filter(organisation_id=organisation_id, evidence=EVIDENCE, enabled=True,
                                policy_version__in_force=True)
        .order_by("-policy_version__number", "id").values_list("cadence_n", flat=True).first()
    )
    return n or DEFAULT_DAYS


def local(at: dt.datetime, tz_name: str) -> dt.datetime:
    return at.astimezone(zoneinfo.ZoneInfo(tz_name or "Europe/London"))


def when_text(starts_at: dt.datetime, tz_name: str) -> str:
    """"Tue 8 December 2026 at 10:00", in the setting's time zone."""
    at = local(starts_at, tz_name)
    return f"{date_format(at.date(), 'DATE_FORMAT')} at {at:%H:%M}"


def email_text(*, setting_name: str, starts_at: dt.datetime, tz_name: str, place: str, video_link: str) -> tuple[str, str]:
    """(subject, body): only the appointment's time, place and the setting's name: nothing about the child or why."""
    when = when_text(starts_at, tz_name)
    where = place or ("Online" if video_link else "")
    lines = [f"This is a reminder of your appointment with {setting_name}.", "", f"When: {when}"]
    if where:
        lines.append(f"Where: {where}")
    if video_link:
        lines.append(f"Video link: {video_link}")
    lines += ["", "If you cannot come, please let us know."]
    return f"Reminder: your appointment with {setting_name} on {when}", "\n".join(lines)


@dataclass
class RunResult:
    sent: int = 0
    tasks: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.tasks


def _due(organisation_id: int, as_of: dt.date, now: dt.datetime, days: int) -> list[dict]:
    """The invited carers of scheduled appointments starting within `days` days of as_of (and after now) who have no
    reminder yet, in one query."""
    # A generous upper bound in UTC; each appointment's own day is checked in its setting's time zone below.
    upper = start_of_day(as_of + dt.timedelta(days=days + 2), "UTC")
    reminded = AppointmentReminder.objects.filter(appointment_id=OuterRef("appointment_id"), carer_id=OuterRef("carer_id"))
    rows = (
        Invitee.objects.filter(
            organisation_id=organisation_id, kind=InviteeKind.CARER, carer__isnull=False,
            appointment__status=AppointmentStatus.SCHEDULED, appointment__starts_at__gt=now,
            appointment__starts_at__lt=upper,
        )
        # Never to a carer under a restriction (no contact, a court order, information only): staff who invited
        # them decide how to tell them, not an automatic reminder.
        .filter(carer__contact_restriction=ContactRestriction.NONE)
        .exclude(rsvp=Rsvp.NO)
        .exclude(Exists(reminded))
        # The membership of whoever made the appointment, while they are still a member (in the same query).
        .annotate(organiser=Subquery(
            StaffMember.objects.filter(organisation_id=organisation_id, user_id=OuterRef("appointment__created_by_id"),
                                       is_active=True).filter(Q(left_on__isnull=True) | Q(left_on__gt=as_of))
            .values("id")[:1]))
        .values(
            "appointment_id", "carer_id", "carer__family_id", "carer__preferred_contact_method", "carer__email",
            "carer__user_id", "carer__user__is_active", "appointment__starts_at", "appointment__place",
            "appointment__video_link", "appointment__setting_id", "appointment__setting__name",
            "appointment__setting__time_zone", "organiser",
        )
    )
    due = []
    for r in rows:
        tz = r["appointment__setting__time_zone"]
        if local(r["appointment__starts_at"], tz).date() <= as_of + dt.timedelta(days=days):
            due.append(r)
    return due


def _key_workers(organisation_id: int, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The current key worker of each (family, setting), in one query."""
    if not pairs:
        return {}
    rows = KeyWorkerAllocation.objects.filter(
        organisation_id=organisation_id, ends_at__isnull=True, family_id__in={f for f, _ in pairs},
    ).values_list("family_id", "setting_id", "staff_id")
    return {(f, s): staff for f, s, staff in rows}


def reminders_run(*, organisation_id: int, as_of: dt.date, now: dt.datetime) -> int:
    """The periodic task: remind every carer due a reminder; returns how many reminders (sent and tasks) it wrote."""
    return reminders_send(organisation_id=organisation_id, as_of=as_of, now=now).total


@transaction.atomic
def reminders_send(*, organisation_id: int, as_of: dt.date, now: dt.datetime) -> RunResult:
    """Write the reminders due on as_of and the notifications of those sent, in a fixed number of queries."""
    days = reminder_days(organisation_id)
    due = _due(organisation_id, as_of, now, days)
    result = RunResult()
    if not due:
        return result
    key_workers = _key_workers(organisation_id, {(r["carer__family_id"], r["appointment__setting_id"]) for r in due})
    for r in due:
        r["channel"] = r["carer__preferred_contact_method"] or ContactMethod.PHONE
        reachable = bool(r["carer__user_id"] and r["carer__user__is_active"]) or bool(r["carer__email"])
        r["sent"] = r["channel"] in SENT_CHANNELS and reachable
    run = uuid.uuid4().hex
    rows = []
    for r in due:
        channel, sent = r["channel"], r["sent"]
        tz = r["appointment__setting__time_zone"]
        rows.append(AppointmentReminder(
            organisation_id=organisation_id, appointment_id=r["appointment_id"], carer_id=r["carer_id"],
            family_id=r["carer__family_id"], channel=channel, state=ReminderState.SENT if sent else ReminderState.TO_DO,
            due_on=local(r["appointment__starts_at"], tz).date() - dt.timedelta(days=days),
            # A task for a family with no key worker there: the organiser's, else (empty) the setting's leaders'.
            key_worker_id=key_workers.get((r["carer__family_id"], r["appointment__setting_id"]))
            or (None if sent else r["organiser"]),
            created_at=now, done_at=now if sent else None, run=run,
        ))
    # A row another run inserted first is skipped here (and that run tells the carer). Rows go in one order, so two
    # runs at once wait for each other's keys in the same order and never deadlock.
    rows.sort(key=lambda row: (row.appointment_id, row.carer_id))
    AppointmentReminder.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    mine = set(AppointmentReminder.objects.filter(organisation_id=organisation_id, run=run).values_list(
        "appointment_id", "carer_id", "state"))
    by_key = {(r["appointment_id"], r["carer_id"]): r for r in due}
    drafts, outbox = [], []
    for appointment_id, carer_id, state in mine:
        if state != ReminderState.SENT:
            result.tasks += 1
            continue
        result.sent += 1
        r = by_key[(appointment_id, carer_id)]
        subject, body = email_text(
            setting_name=r["appointment__setting__name"], starts_at=r["appointment__starts_at"],
            tz_name=r["appointment__setting__time_zone"], place=r["appointment__place"],
            video_link=r["appointment__video_link"],
        )
        key = f"{KIND}:{appointment_id}:{carer_id}"
        if r["carer__user_id"] and r["carer__user__is_active"]:
            drafts.append(Draft(recipient_id=r["carer__user_id"], kind=KIND, subject=subject, body=body, link="/family/",
                                dedupe_key=key))
        else:
            outbox.append(Notification(organisation_id=organisation_id, recipient=None, to_email=r["carer__email"],
                                       kind=KIND, subject=subject[:200], body=body, dedupe_key=key, created_at=now))
    notifications_send(organisation_id=organisation_id, drafts=drafts, now=now)
    if outbox:
        # Carers without a portal account: an e-mail to their address, sent and retried like any other.
        Notification.objects.bulk_create(outbox, batch_size=1000)
        if any(n.pk is None for n in outbox):
            ids = dict(Notification.objects.filter(organisation_id=organisation_id, recipient__isnull=True,
                                                   dedupe_key__in=[n.dedupe_key for n in outbox]).values_list("dedupe_key", "id"))
            for n in outbox:
                n.pk = ids[n.dedupe_key]
        Delivery.objects.bulk_create([Delivery(notification_id=n.pk, next_attempt_at=now, first_attempt_at=now,
                                               created_at=now) for n in outbox], batch_size=1000)
    return result


def task_label(reminder: AppointmentReminder) -> str:
    """"Remind the Adams family by phone: Review meeting on Tue 8 December 2026"."""
    a = reminder.appointment
    at = local(a.starts_at, a.setting.time_zone)
    who = reminder.carer.full_name
    return f"Remind {who} ({reminder.family.name}) {BY.get(reminder.channel, 'by phone')}: {a.title} on {date_format(at.date(), 'DATE_FORMAT')}"


@transaction.atomic
def reminder_tick_off(*, actor, reminder: AppointmentReminder, now: dt.datetime) -> AppointmentReminder:
    """The key worker reminded the carer (by phone, in person...): the reminder is done, and meets SCH-6."""
    if not policies.may_tick_off_reminder(actor, reminder):
        raise PermissionDenied("Only the family's key worker or a leader may tick off this reminder.")
    changed = AppointmentReminder.objects.filter(pk=reminder.pk, state=ReminderState.TO_DO).update(
        state=ReminderState.DONE, done_at=now, done_by=actor.staff,
    )
    reminder.refresh_from_db()
    if changed:
        audit_record(organisation_id=reminder.organisation_id, actor=actor.user, event_type="appointment_reminder.done",
                     obj=reminder, summary=f"Reminded {reminder.carer.full_name} {BY.get(reminder.channel, '')} of an appointment",
                     data={"appointment": reminder.appointment_id, "carer": reminder.carer_id, "channel": reminder.channel})
        tz = reminder.appointment.setting.time_zone
        obligations_refresh(organisation_id=reminder.organisation_id, family_ids={reminder.family_id},
                            as_of=local(now, tz).date(), actor=actor)
    return reminder


def reminders_done(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                   families: set[int] | None = None) -> Iterable[EvidenceRow]:
    """The SCH-6 evidence: a row per reminder sent or ticked off between start and end, about its appointment, in
    one query."""
    qs = AppointmentReminder.objects.filter(
        organisation_id=organisation_id, state__in=(ReminderState.SENT, ReminderState.DONE),
        done_at__gte=start_of_day(start), done_at__lt=start_of_day(end + dt.timedelta(days=1)),
    )
    if families is not None:
        qs = qs.filter(family_id__in=families)
    london = zoneinfo.ZoneInfo("Europe/London")
    return SourceRead(qs.values_list("id", "family_id", "appointment_id", "done_at"), lambda rows: [
        EvidenceRow(family_id, None, done_at.astimezone(london).date(), f"reminder:{pk}", about=event_ref(appointment_id))
        for pk, family_id, appointment_id, done_at in rows
    ])


def register() -> None:
    from keyworker.core.periodic import register_periodic

    register_evidence(EvidenceSource(EVIDENCE, "An appointment reminder sent", reminders_done,
                                     by_family=True, answers_events=True))
    register_periodic("appointment_reminders", reminders_run)


def reminders_of(appointment_ids: Iterable[int]) -> list[AppointmentReminder]:
    return list(AppointmentReminder.objects.filter(appointment_id__in=list(appointment_ids))
                .select_related("carer", "family", "done_by__user").order_by("appointment_id", "id"))

