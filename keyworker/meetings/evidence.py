"""What appointments give the standards engine, each in one query:

- event `appointment` (SCH-6): each appointment with a family that is not cancelled, on its day (the reminder a few
  days before is the reminders' evidence);
- event `support_meeting` (CC-M4): a review or multi-agency meeting with the family (a review, an annual review, or
  any meeting with an outside professional invited), not cancelled;
- `manager_attended` (CC-M4): the manager recorded as there, answering that meeting's event;
- `meeting_held` (CC-K2): a meeting held with the family, a carer recorded as there;
- `information_session_attended` (CC-P2): an induction or information session a carer of the family came to;
- `manager_introduction` (CC-M1): a manager introduction meeting held with the family.

Days are the appointment's day in its setting's time zone.
"""

import datetime as dt
import zoneinfo
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from keyworker.standards.evidence import (
    EventRow,
    EventSource,
    EvidenceAction,
    EvidenceRow,
    EvidenceSource,
    SourceRead,
    register_events,
    register_evidence,
)

from .models import Appointment, AppointmentKind, AppointmentStatus, Invitee, InviteeKind, InviteeRole

APPOINTMENT = "appointment"
SUPPORT_MEETING = "support_meeting"
MANAGER_ATTENDED = "manager_attended"
MEETING_HELD = "meeting_held"
INFORMATION_SESSION_ATTENDED = "information_session_attended"
MANAGER_INTRODUCTION = "manager_introduction"

REVIEW_KINDS = (AppointmentKind.REVIEW_MEETING, AppointmentKind.ANNUAL_REVIEW)


def ref(appointment_id: int) -> str:
    return f"appointment:{appointment_id}"


def _window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """UTC bounds wide enough for any time zone's days from start to end; the exact day is checked after."""
    return (dt.datetime.combine(start - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC),
            dt.datetime.combine(end + dt.timedelta(days=2), dt.time.min, tzinfo=dt.UTC))


def _day(moment: dt.datetime, time_zone: str) -> dt.date:
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def _appointments(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None):
    low, high = _window(start, end)
    qs = Appointment.objects.filter(organisation_id=organisation_id, starts_at__gte=low, starts_at__lt=high,
                                    family__isnull=False).exclude(status=AppointmentStatus.CANCELLED)
    if families is not None:
        qs = qs.filter(family_id__in=families)
    return qs


def appointments_with_families(organisation_id: int, start: dt.date, end: dt.date,
                               families: set[int] | None = None) -> SourceRead:
    rows = _appointments(organisation_id, start, end, families).values_list("id", "family_id", "child_id", "starts_at",
                                                                            "setting__time_zone")
    return SourceRead(rows, _on_days(start, end))


def _on_days(start: dt.date, end: dt.date):
    """The events of appointment rows (id, family, child, starts_at, time zone) on a day from start to end."""
    def shape(rows) -> list[EventRow]:
        out = [EventRow(family_id, child_id, _day(at, tz), ref(pk)) for pk, family_id, child_id, at, tz in rows]
        return [r for r in out if start <= r.on <= end]
    return shape


def support_meetings(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None = None) -> SourceRead:
    professional = Invitee.objects.filter(appointment=OuterRef("pk"), kind=InviteeKind.PROFESSIONAL)
    qs = _appointments(organisation_id, start, end, families).filter(Q(kind__in=REVIEW_KINDS) | Exists(professional))
    return SourceRead(qs.values_list("id", "family_id", "child_id", "starts_at", "setting__time_zone"), _on_days(start, end))


def _attended(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None, invitees: Q,
              kind: str | None = None, *, by_carer_family: bool) -> SourceRead:
    """One row per family and held appointment (of `kind`) with an invitee matching `invitees` recorded as there."""
    low, high = _window(start, end)
    qs = Invitee.objects.filter(invitees, organisation_id=organisation_id, attended=True,
                                appointment__status=AppointmentStatus.HELD, appointment__starts_at__gte=low,
                                appointment__starts_at__lt=high)
    if kind is not None:
        qs = qs.filter(appointment__kind=kind)
    family_field = "carer__family_id" if by_carer_family else "appointment__family_id"
    if families is not None:
        qs = qs.filter(**{f"{family_field}__in": families})
    else:
        qs = qs.filter(**{f"{family_field}__isnull": False})

    def shape(rows) -> list[EvidenceRow]:
        seen: set[tuple[int, int]] = set()
        out = []
        for appointment_id, family_id, child_id, at, tz in rows:
            day = _day(at, tz)
            if (appointment_id, family_id) in seen or not start <= day <= end:
                continue
            seen.add((appointment_id, family_id))
            out.append(EvidenceRow(family_id, child_id, day, ref(appointment_id), about=ref(appointment_id)))
        return out

    return SourceRead(qs.values_list(
        "appointment_id", family_field, "appointment__child_id", "appointment__starts_at", "appointment__setting__time_zone",
    ).order_by(), shape)


def meetings_held(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                  families: set[int] | None = None) -> SourceRead:
    return _attended(organisation_id, start, end, families, Q(kind=InviteeKind.CARER), by_carer_family=True)


def information_sessions_attended(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                                  families: set[int] | None = None) -> SourceRead:
    return _attended(organisation_id, start, end, families, Q(kind=InviteeKind.CARER), AppointmentKind.INDUCTION,
                     by_carer_family=True)


def manager_introductions(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                          families: set[int] | None = None) -> SourceRead:
    return _attended(organisation_id, start, end, families, Q(kind=InviteeKind.CARER),
                     AppointmentKind.MANAGER_INTRODUCTION, by_carer_family=True)


def managers_attended(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                      families: set[int] | None = None) -> SourceRead:
    return _attended(organisation_id, start, end, families, Q(role=InviteeRole.MANAGER), by_carer_family=False)


def appointment_url(obligation) -> str:
    """The appointment an event's obligation counts from, else a new one with the family."""
    key = obligation.subject_key.partition("@")[2]
    if key.startswith("appointment:") and key[12:].isdigit():
        return reverse("meetings:detail", args=[int(key[12:])])
    return new_url(obligation)


def new_url(obligation, kind: str = "") -> str:
    if not obligation.family_id:
        return ""
    query = {"family": obligation.family_id, **({"kind": kind} if kind else {})}
    return f"{reverse('meetings:new')}?{urlencode(query)}"


HELD = EvidenceAction("Arrange a meeting", new_url, "A meeting with the family this term, a carer recorded as there.")
SESSION = EvidenceAction("Invite to a session", lambda o: new_url(o, AppointmentKind.INDUCTION),
                         "An induction or information session a carer of the family came to.")
INTRODUCTION = EvidenceAction("Arrange the introduction", lambda o: new_url(o, AppointmentKind.MANAGER_INTRODUCTION),
                              "A manager introduction meeting held with the family, a carer recorded as there.")
ATTENDED = EvidenceAction("Record attendance", appointment_url, "The manager recorded as there on the meeting's page.")


def register() -> None:
    register_events(EventSource(APPOINTMENT, "An appointment", appointments_with_families, by_family=True))
    register_events(EventSource(SUPPORT_MEETING, "A support meeting", support_meetings, by_family=True))
    register_evidence(EvidenceSource(MEETING_HELD, "A meeting with the family held", meetings_held, by_family=True,
                                     action=HELD))
    register_evidence(EvidenceSource(INFORMATION_SESSION_ATTENDED, "An induction or information session attended",
                                     information_sessions_attended, by_family=True, action=SESSION))
    register_evidence(EvidenceSource(MANAGER_INTRODUCTION, "A manager's introduction", manager_introductions,
                                     by_family=True, action=INTRODUCTION))
    register_evidence(EvidenceSource(MANAGER_ATTENDED, "The manager at the meeting", managers_attended, by_family=True,
                                     action=ATTENDED, answers_events=True))
