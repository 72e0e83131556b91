"""Childcare sessions: what early years, out of school care and youth settings record instead of AM/PM codes.

A session is booked for a child on a day (full day, morning, after school...); on the day the room's team ticks
who attended, or marks them absent with a reason. Rates are attended of booked sessions per child.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import Group, SettingKind
from keyworker.people.models import Child

from . import policies
from .models import CareAbsenceReason, CareSession, CareSessionKind, CareStatus

CHILDCARE_KINDS = (SettingKind.EARLY_YEARS, SettingKind.OUT_OF_SCHOOL_CARE, SettingKind.YOUTH)
NOTE_MAX = 300


def access_room(actor: Actor, group_id: int) -> Group:
    """A room of one of the organisation's childcare settings (else 404) whose register the actor may take (else 403)."""
    group = policies.access_group(actor, group_id)
    if group.setting.kind not in CHILDCARE_KINDS:
        raise Http404("No such room")
    return group


@transaction.atomic
def care_session_book(*, actor: Actor, child: Child, date: dt.date, kind: str = CareSessionKind.FULL_DAY) -> CareSession:
    """Book a session for a child at their childcare setting (leaders, the office and the room's team)."""
    if child.organisation_id != actor.organisation_id:
        raise Http404("No such child")
    if not policies.can_record_for(actor, child):
        raise PermissionDenied("Only the room's team, leaders and the office can book sessions.")
    setting = child.setting
    if setting.kind not in CHILDCARE_KINDS:
        raise RuleViolation(f"{setting.name} is a school: it records AM and PM marks, not booked sessions.",
                            rule="childcare_only", field="child")
    if kind not in CareSessionKind.values:
        raise RuleViolation("Choose the kind of session.", rule="kind", field="kind")
    if date < child.enrolled_on or (child.left_on is not None and date > child.left_on):
        raise RuleViolation(f"{child.display_name} is not on roll on {on_screen(date)}.", rule="on_roll", field="date")
    if CareSession.objects.filter(child=child, date=date, kind=kind).exists():
        raise RuleViolation(f"{child.display_name} already has this session booked on {on_screen(date)}.",
                            rule="booked", field="date")
    return CareSession.objects.create(organisation_id=child.organisation_id, child=child, setting_id=child.setting_id,
                                      group_id=child.group_id, date=date, kind=kind)


@dataclass(frozen=True)
class SessionOutcome:
    session_id: int
    status: str              # attended | absent | booked (not recorded yet)
    reason: str = ""
    note: str = ""


@dataclass(frozen=True)
class OutcomeProblem:
    session_id: int
    field: str
    message: str


class OutcomesRefused(RuleViolation):
    def __init__(self, problems: list[OutcomeProblem]):
        super().__init__(problems[0].message, rule="care_register", field=problems[0].field)
        self.problems = problems


def room_day(group: Group, date: dt.date) -> list[CareSession]:
    """The sessions booked in the room on the day, with their children, in one query."""
    return list(CareSession.objects.filter(organisation_id=group.organisation_id, group=group, date=date)
                .select_related("child").order_by("child__legal_last_name", "child__legal_first_name", "kind"))


@transaction.atomic
def care_register_save(*, actor: Actor, group: Group, date: dt.date, outcomes: Sequence[SessionOutcome]) -> int:
    """Record who attended and who was absent (with a reason) for the room's sessions of the day, all or nothing."""
    if not policies.can_take_register(actor, group):
        raise PermissionDenied("Only the room's team, leaders and the office can take this register.")
    if date > clock.today(group.setting.time_zone):
        raise RuleViolation("Sessions are recorded on the day or after.", rule="future", field="date")
    sessions = {s.pk: s for s in CareSession.objects.select_for_update().filter(
        organisation_id=actor.organisation_id, group=group, date=date)}
    problems: list[OutcomeProblem] = []
    changed: list[CareSession] = []
    now = clock.now()
    for outcome in outcomes:
        session = sessions.get(outcome.session_id)
        if session is None:
            problems.append(OutcomeProblem(outcome.session_id, "session", "This session is not booked in this room today."))
            continue
        note = (outcome.note or "").strip()
        if outcome.status not in CareStatus.values:
            problems.append(OutcomeProblem(session.pk, "status", "Choose attended or absent."))
            continue
        reason = outcome.reason if outcome.status == CareStatus.ABSENT else ""
        if outcome.status == CareStatus.ABSENT and reason not in CareAbsenceReason.values:
            problems.append(OutcomeProblem(session.pk, "reason", "Choose why the child was absent."))
            continue
        if len(note) > NOTE_MAX:
            problems.append(OutcomeProblem(session.pk, "note", f"Keep the note to {NOTE_MAX} characters or fewer."))
            continue
        if (session.status, session.absence_reason, session.note) == (outcome.status, reason, note):
            continue
        session.status, session.absence_reason, session.note = outcome.status, reason, note
        session.recorded_by, session.recorded_at = (actor.user, now) if outcome.status != CareStatus.BOOKED else (None, None)
        changed.append(session)
    if problems:
        raise OutcomesRefused(problems)
    CareSession.objects.bulk_update(changed, ["status", "absence_reason", "note", "recorded_by", "recorded_at"])
    if changed:
        audit_record(organisation_id=actor.organisation_id, actor=actor.user, event_type="attendance.care_register",
                     obj=group, summary=f"Sessions recorded for {group.name} on {on_screen(date)}",
                     data={"date": date.isoformat(), "changed": len(changed)})
    return len(changed)


@dataclass(frozen=True)
class SessionRates:
    booked: int = 0
    attended: int = 0
    absent: int = 0

    @property
    def recorded(self) -> int:
        return self.attended + self.absent

    @property
    def not_recorded(self) -> int:
        return self.booked - self.recorded

    @property
    def attended_pct(self):
        """Attended of the booked sessions that are recorded; None before any is."""
        if not self.recorded:
            return None
        return round(self.attended * 100 / self.recorded, 1)


def session_rates(organisation_id: int, child_ids, start: dt.date, end: dt.date) -> dict[int, SessionRates]:
    """Booked, attended and absent sessions per child over [start, end], in one query."""
    rows = (CareSession.objects.filter(organisation_id=organisation_id, child_id__in=child_ids, date__gte=start, date__lte=end)
            .values("child_id").annotate(booked=Count("id"), attended=Count("id", filter=Q(status=CareStatus.ATTENDED)),
                                         absent=Count("id", filter=Q(status=CareStatus.ABSENT))))
    return {r["child_id"]: SessionRates(r["booked"], r["attended"], r["absent"]) for r in rows}
