"""Escalating attendance (SCH-5): tiers and patterns as the organisation's data; an evaluation, as of a day, that opens
or raises one attendance concern per child and tells each tier's roles once; the concern's action log; the
standards engine's event (a concern raised) and evidence (an action logged on it).

The evaluation is set-based: one rates query over the school year so far, one query for the recent marks the
patterns read, one for the open and closed concerns, whatever the number of children. A child gets a concern at the
highest tier whose threshold their attendance is at or below (after a minimum of possible sessions), or at the first
tier when a pattern matches. An open concern at the same or a higher tier is left alone; a lower one is raised and
only the roles the new tier adds are told. After a concern is closed, a new one this school year needs a higher tier.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from keyworker.accounts import capabilities as caps
from keyworker.accounts.access import Actor
from keyworker.accounts.models import Role, Scope, StaffRole
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation
from keyworker.notifications.services import notification_send
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Setting
from keyworker.people.models import Child
from keyworker.standards.evidence import (
    EventRow,
    EventSource,
    EvidenceAction,
    EvidenceRow,
    EvidenceSource,
    register_events,
    register_evidence,
)

from .models import (
    AttendanceConcern,
    AttendanceMark,
    AttendanceTier,
    Category,
    ConcernAction,
    ConcernActionKind,
    ConcernStatus,
    EscalationSettings,
)
from .selectors import on_roll, rates_by_child

KEY_WORKER = "key_worker"
CONCERN_RAISED = "attendance_concern_raised"
CONCERN_ACTION = "attendance_concern_action"
NOTIFICATION_KIND = "attendance.concern"
WEEKDAYS = ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"]
MAX_TIERS = 6

# England: "Working together to improve school attendance" (persistent at or below 90 %, severe at or below 50 %).
DEFAULT_TIERS = [
    (1, "Monitor", Decimal("95"), [KEY_WORKER], "Talk with the family about attendance", 5),
    (2, "Persistent absence", Decimal("90"), ["deputy_headteacher"], "Meet the family with the deputy head", 10),
    (3, "Severe absence", Decimal("50"), ["deputy_headteacher", "headteacher"],
     "Attendance meeting with the deputy head and headteacher; consider a referral to the local authority", 5),
]


# Organisation data ----------------------------------------------------------------------------------------------


def tiers_for(organisation_id: int) -> list[AttendanceTier]:
    """The organisation's tiers, lowest first; the England defaults are written the first time they are asked for."""
    tiers = list(AttendanceTier.objects.filter(organisation_id=organisation_id).order_by("order"))
    if tiers:
        return tiers
    # A childcare organisation has no headteachers: its managers are told instead.
    known = set(Role.objects.filter(organisation_id=organisation_id).values_list("code", flat=True)) | {KEY_WORKER}
    fallback = ["manager"] if "manager" in known else []

    def present(roles: list[str]) -> list[str]:
        kept = [c for c in roles if c in known]
        return list(dict.fromkeys(kept if len(kept) == len(roles) else [*kept, *fallback])) or [KEY_WORKER]

    AttendanceTier.objects.bulk_create([
        AttendanceTier(organisation_id=organisation_id, order=o, name=n, at_or_below=r, notify_roles=present(roles),
                       follow_up=f, follow_up_school_days=d)
        for o, n, r, roles, f, d in DEFAULT_TIERS
    ], ignore_conflicts=True)
    return list(AttendanceTier.objects.filter(organisation_id=organisation_id).order_by("order"))


def escalation_settings(organisation_id: int) -> EscalationSettings:
    return EscalationSettings.objects.filter(organisation_id=organisation_id).first() or EscalationSettings(
        organisation_id=organisation_id)


def role_choices(organisation_id: int) -> list[tuple[str, str]]:
    """Who a tier can tell: the child's key worker, or the holders of a role of the organisation."""
    roles = Role.objects.filter(organisation_id=organisation_id).order_by("name").values_list("code", "name")
    return [(KEY_WORKER, "The child's key worker"), *roles]


@dataclass
class TierInput:
    name: str = ""
    at_or_below: str = ""
    notify_roles: list[str] = field(default_factory=list)
    follow_up: str = ""
    follow_up_school_days: str = ""


def _int(raw: str, low: int, high: int, fld: str, what: str) -> int:
    raw = (raw or "").strip()
    if not raw.isdigit() or not (low <= int(raw) <= high):
        raise RuleViolation(f"Enter {what} between {low} and {high}.", rule="escalation", field=fld)
    return int(raw)


@transaction.atomic
def escalation_setup_save(*, actor: Actor, tiers: list[TierInput], patterns: dict[str, str]) -> list[AttendanceTier]:
    """Replace the organisation's tiers and patterns. Rows without a name are left out; thresholds go down tier by
    tier; every role named exists. Open concerns keep the tier name they were raised at."""
    actor.require(caps.MANAGE_SETUP)
    org = actor.organisation_id
    known = {code for code, _ in role_choices(org)}
    rows = [t for t in tiers if t.name.strip() or t.at_or_below.strip()]
    if not rows:
        raise RuleViolation("Keep at least one tier.", rule="escalation", field="tier-0-name")
    if len(rows) > MAX_TIERS:
        raise RuleViolation(f"Use {MAX_TIERS} tiers or fewer.", rule="escalation", field="tier-0-name")
    built = []
    previous: Decimal | None = None
    for i, t in enumerate(rows):
        name = t.name.strip()
        if not name or len(name) > 80:
            raise RuleViolation("Name the tier (80 characters or fewer).", rule="escalation", field=f"tier-{i}-name")
        try:
            rate = Decimal(t.at_or_below.strip().rstrip("%").strip()).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            rate = None
        if rate is None or not rate.is_finite() or not (0 <= rate <= 100):
            raise RuleViolation("Enter a percentage between 0 and 100, for example 90.", rule="escalation",
                                field=f"tier-{i}-at_or_below")
        if previous is not None and rate >= previous:
            raise RuleViolation(f"Each tier's threshold must be below the one before it ({previous.normalize()} %).",
                                rule="escalation", field=f"tier-{i}-at_or_below")
        previous = rate
        unknown = [c for c in t.notify_roles if c not in known]
        if unknown:
            raise RuleViolation(f"There is no role {unknown[0]!r} here.", rule="escalation", field=f"tier-{i}-notify_roles")
        if not t.notify_roles:
            raise RuleViolation("Choose who is told.", rule="escalation", field=f"tier-{i}-notify_roles")
        if len(t.follow_up) > 200:
            raise RuleViolation("Describe the follow-up in 200 characters or fewer.", rule="escalation",
                                field=f"tier-{i}-follow_up")
        days = _int(t.follow_up_school_days, 1, 60, f"tier-{i}-follow_up_school_days", "a number of school days")
        built.append(AttendanceTier(organisation_id=org, order=i + 1, name=name, at_or_below=rate,
                                    notify_roles=list(dict.fromkeys(t.notify_roles)), follow_up=t.follow_up.strip(),
                                    follow_up_school_days=days))
    sessions = _int(patterns.get("recent_sessions", ""), 2, 40, "recent_sessions", "a number of sessions")
    values = {
        "minimum_sessions": _int(patterns.get("minimum_sessions", ""), 0, 200, "minimum_sessions", "a number of sessions"),
        "recent_enabled": bool(patterns.get("recent_enabled")),
        "recent_sessions": sessions,
        "recent_absences": _int(patterns.get("recent_absences", ""), 1, sessions, "recent_absences", "a number of absences"),
        "weekday_enabled": bool(patterns.get("weekday_enabled")),
        "weekday_weeks": _int(patterns.get("weekday_weeks", ""), 2, 12, "weekday_weeks", "a number of weeks"),
    }
    AttendanceTier.objects.filter(organisation_id=org).delete()
    AttendanceTier.objects.bulk_create(built)
    EscalationSettings.objects.update_or_create(organisation_id=org, defaults=values)
    audit_record(organisation_id=org, actor=actor.user, event_type="attendance.escalation_setup",
                 summary=f"Attendance escalation tiers changed ({len(built)} tiers)")
    return list(AttendanceTier.objects.filter(organisation_id=org).order_by("order"))


# Patterns -------------------------------------------------------------------------------------------------------


def _patterns(marks: list[tuple[int, dt.date, str, bool]], rules: EscalationSettings, as_of: dt.date) -> dict[int, str]:
    """Which children match a pattern, from their recent possible sessions (child, day, session, absent), newest
    first: "N absences in the last M sessions", "absent on the same weekday K weeks running"."""
    by_child: dict[int, list[tuple[dt.date, str, bool]]] = defaultdict(list)
    for child_id, day, session, absent in marks:
        by_child[child_id].append((day, session, absent))
    found: dict[int, str] = {}
    for child_id, rows in by_child.items():
        rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
        if rules.recent_enabled:
            last = rows[:rules.recent_sessions]
            absences = sum(1 for r in last if r[2])
            if len(last) == rules.recent_sessions and absences >= rules.recent_absences:
                found[child_id] = f"{absences} absences in the last {rules.recent_sessions} sessions"
                continue
        if rules.weekday_enabled:
            days: dict[dt.date, bool] = {}
            for day, _session, absent in rows:
                days[day] = days.get(day, False) or absent
            by_weekday: dict[int, list[dt.date]] = defaultdict(list)
            for day in sorted(days, reverse=True):
                by_weekday[day.weekday()].append(day)
            for weekday, dates in sorted(by_weekday.items()):
                run = dates[:rules.weekday_weeks]
                if (len(run) == rules.weekday_weeks and (as_of - run[0]).days < 7 and all(days[d] for d in run)
                        and all((run[i] - run[i + 1]).days == 7 for i in range(len(run) - 1))):
                    found[child_id] = f"Absent on {WEEKDAYS[weekday]} {rules.weekday_weeks} weeks running"
                    break
    return found


# The evaluation -------------------------------------------------------------------------------------------------


@dataclass
class EvaluationResult:
    opened: int = 0
    raised: int = 0
    notifications: int = 0


def _recipients(organisation_id: int, codes: set[str], family_ids: set[int]) -> tuple[dict, dict, dict]:
    """Holders of the roles, by (setting id or None for organisation-wide roles, code), and the families' current
    key workers by (family, setting): two queries."""
    holders: dict[tuple[int | None, str], set[int]] = defaultdict(set)
    users: dict[int, object] = {}
    role_codes = codes - {KEY_WORKER}
    if role_codes:
        for sr in StaffRole.objects.filter(
            organisation_id=organisation_id, role__code__in=role_codes, staff__is_active=True, staff__user__is_active=True,
        ).select_related("role", "staff__user"):
            holders[(None if sr.role.scope == Scope.ORGANISATION else sr.setting_id, sr.role.code)].add(sr.staff.user_id)
            users[sr.staff.user_id] = sr.staff.user
    key_workers: dict[tuple[int, int], int] = {}
    if KEY_WORKER in codes and family_ids:
        for a in KeyWorkerAllocation.objects.filter(
            organisation_id=organisation_id, family_id__in=family_ids, ends_at__isnull=True, staff__is_active=True,
            staff__user__is_active=True,
        ).select_related("staff__user"):
            key_workers[(a.family_id, a.setting_id)] = a.staff.user_id
            users[a.staff.user_id] = a.staff.user
    return holders, key_workers, users


def _fmt(rate: Decimal | None) -> str:
    return "not recorded yet" if rate is None else f"{rate} %"


@transaction.atomic
def concerns_evaluate(*, organisation_id: int, as_of: dt.date, now: dt.datetime | None = None) -> EvaluationResult:
    """Open or raise attendance concerns as of `as_of` and tell each tier's roles once (see the module's words)."""
    from keyworker.standards.obligations import obligations_refresh

    now = now or clock.now()
    result = EvaluationResult()
    tiers = tiers_for(organisation_id)
    if not tiers:
        return result
    rules = escalation_settings(organisation_id)
    settings = list(Setting.objects.filter(organisation_id=organisation_id).order_by("id"))
    calendars = {s.pk: TermCalendar.for_setting(s) for s in settings}
    by_start: dict[dt.date, list[int]] = defaultdict(list)
    for s in settings:
        start = calendars[s.pk].school_year_start(as_of)
        if start is not None:
            by_start[start].append(s.pk)
    if not by_start:
        return result
    rates = {}
    for start, setting_ids in by_start.items():
        children = on_roll(Child.objects.filter(organisation_id=organisation_id, setting_id__in=setting_ids), as_of, as_of)
        rates.update(rates_by_child(organisation_id, children, start, as_of))
    year_start = min(by_start)
    # Recent possible sessions for the patterns: enough school days back for both.
    back = max(rules.recent_sessions * 2 + 21, rules.weekday_weeks * 7 + 7) if (rules.recent_enabled or rules.weekday_enabled) else 0
    patterns: dict[int, str] = {}
    if back:
        recent = AttendanceMark.objects.filter(
            organisation_id=organisation_id, date__gt=max(as_of - dt.timedelta(days=back), year_start - dt.timedelta(days=1)),
            date__lte=as_of, code__possible=True, child_id__in=list(rates),
        ).values_list("child_id", "date", "session", "code__category")
        patterns = _patterns([(c, d, s, cat != Category.PRESENT) for c, d, s, cat in recent], rules, as_of)
    # The tier each child reaches.
    reached: dict[int, tuple[AttendanceTier, str]] = {}
    for child_id, r in rates.items():
        pct = r.exact_attendance()
        tier = None
        if pct is not None and r.possible >= rules.minimum_sessions:
            for t in tiers:
                if pct <= t.at_or_below:
                    tier = t
        pattern = patterns.get(child_id, "")
        if tier is None and pattern:
            tier = tiers[0]
        if tier is not None:
            reached[child_id] = (tier, pattern)
    if not reached:
        return result
    open_concerns = {c.child_id: c for c in AttendanceConcern.objects.filter(
        organisation_id=organisation_id, status=ConcernStatus.OPEN, child_id__in=list(reached))}
    closed = dict(AttendanceConcern.objects.filter(
        organisation_id=organisation_id, status=ConcernStatus.CLOSED, child_id__in=list(reached), closed_on__gte=year_start,
    ).values("child_id").annotate(top=Max("tier_order")).values_list("child_id", "top").order_by())
    todo = []
    for child_id, (tier, pattern) in reached.items():
        current = open_concerns.get(child_id)
        if current is not None and current.tier_order >= tier.order:
            continue
        if current is None and closed.get(child_id, 0) >= tier.order:
            continue
        todo.append((child_id, tier, pattern, current))
    if not todo:
        return result
    children = {c.pk: c for c in Child.objects.filter(pk__in=[t[0] for t in todo])}
    codes = {code for _, tier, _, _ in todo for code in tier.notify_roles}
    holders, key_workers, users = _recipients(organisation_id, codes, {c.family_id for c in children.values()})
    families = set()
    for child_id, tier, pattern, concern in todo:
        child = children[child_id]
        rate = rates[child_id].attendance_pct
        follow_up_by = calendars[child.setting_id].add_school_days(as_of, tier.follow_up_school_days)
        why = f"attendance {_fmt(rate)} this school year" + (f"; {pattern.lower()}" if pattern else "")
        if concern is None:
            concern = AttendanceConcern.objects.create(
                organisation_id=organisation_id, child=child, setting_id=child.setting_id, tier_order=tier.order,
                tier_name=tier.name, opened_on=as_of, raised_on=as_of, rate_at_open=rate, rate_at_raise=rate, pattern=pattern,
                notified_roles=[], follow_up_by=follow_up_by,
            )
            kind, text = ConcernActionKind.OPENED, f"Concern opened at “{tier.name}”: {why}."
            result.opened += 1
        else:
            kind, text = ConcernActionKind.RAISED, f"Raised from “{concern.tier_name}” to “{tier.name}”: {why}."
            concern.tier_order, concern.tier_name, concern.raised_on, concern.rate_at_raise = tier.order, tier.name, as_of, rate
            concern.follow_up_by = follow_up_by
            if pattern:
                concern.pattern = pattern
            result.raised += 1
        if tier.follow_up:
            text += f" Follow-up: {tier.follow_up}, by {follow_up_by:%-d %B %Y}."
        ConcernAction.objects.create(organisation_id=organisation_id, concern=concern, kind=kind, happened_on=as_of,
                                     recorded_at=now, text=text, follow_up_on=follow_up_by, tier_order=tier.order)
        new_roles = [c for c in tier.notify_roles if c not in concern.notified_roles]
        told = set()
        for code in new_roles:
            if code == KEY_WORKER:
                uid = key_workers.get((child.family_id, child.setting_id))
                told |= {uid} if uid else set()
            else:
                told |= holders.get((child.setting_id, code), set()) | holders.get((None, code), set())
        link = reverse("attendance:concern", args=[concern.pk])
        for uid in sorted(told):
            _n, created = notification_send(
                recipient=users[uid], organisation_id=organisation_id, kind=NOTIFICATION_KIND,
                subject=f"Attendance concern: {child.display_name}",
                body=f"{child.display_name}: attendance {_fmt(rate)} this school year.",
                link=link, dedupe_key=f"attendance-concern:{concern.pk}:{tier.order}", now=now,
            )
            result.notifications += created
        concern.notified_roles = sorted(set(concern.notified_roles) | set(new_roles))
        concern.save()
        families.add(child.family_id)
    obligations_refresh(organisation_id=organisation_id, family_ids=families, as_of=as_of)
    return result


def escalation_run(*, organisation_id: int, as_of: dt.date, now: dt.datetime) -> int:
    """The worker's cycle: evaluate as of the day; returns the notifications written."""
    return concerns_evaluate(organisation_id=organisation_id, as_of=as_of, now=now).notifications


# Reads, scoped to the acting user -------------------------------------------------------------------------------


def leader_setting_ids(actor: Actor) -> set[int]:
    if not actor.is_member:
        return set()
    return {pk for pk in actor.settings().values_list("pk", flat=True) if actor.can(caps.MANAGE_ALLOCATIONS, pk)}


def concerns_visible_to(actor: Actor) -> QuerySet[AttendanceConcern]:
    """Leaders of the child's setting see its concerns; a key worker the concerns of their own families' children."""
    if not actor.is_member:
        return AttendanceConcern.objects.none()
    q = Q(setting_id__in=leader_setting_ids(actor))
    if actor.staff is not None:
        families = KeyWorkerAllocation.objects.filter(
            organisation_id=actor.organisation_id, staff=actor.staff, ends_at__isnull=True).values("family_id")
        q |= Q(child__family_id__in=families)
    return AttendanceConcern.objects.filter(q, organisation_id=actor.organisation_id)


def access_concern(actor: Actor, concern_id: int) -> AttendanceConcern:
    concern = concerns_visible_to(actor).select_related("child__family", "child__group", "setting", "closed_by").filter(
        pk=concern_id).first()
    if concern is None:
        raise Http404("No such concern")
    return concern


def can_close(actor: Actor, concern: AttendanceConcern) -> bool:
    return actor.can(caps.MANAGE_ALLOCATIONS, concern.setting_id)


# Writes on a concern --------------------------------------------------------------------------------------------


@transaction.atomic
def concern_action_add(*, actor: Actor, concern: AttendanceConcern, text: str, happened_on: dt.date | None,
                       follow_up_on: dt.date | None, today: dt.date | None = None) -> ConcernAction:
    """Log an action on an open concern (a call, a letter, a meeting), with the next follow-up date if there is one."""
    today = today or clock.today()
    text = (text or "").strip()
    if concern.status != ConcernStatus.OPEN:
        raise RuleViolation("This concern is closed.", rule="concern_closed", field="text")
    if not text:
        raise RuleViolation("Say what was done.", rule="concern_action", field="text")
    if len(text) > 2000:
        raise RuleViolation("Use 2,000 characters or fewer.", rule="concern_action", field="text")
    if happened_on is None:
        raise RuleViolation("Enter the date, for example 18/11/2026.", rule="concern_action", field="happened_on")
    if happened_on > today:
        raise RuleViolation("The date cannot be in the future.", rule="concern_action", field="happened_on")
    if happened_on < concern.opened_on:
        raise RuleViolation("The date cannot be before the concern was opened.", rule="concern_action", field="happened_on")
    if follow_up_on is not None and follow_up_on < happened_on:
        raise RuleViolation("The follow-up date must be on or after the action.", rule="concern_action", field="follow_up_on")
    action = ConcernAction.objects.create(
        organisation_id=concern.organisation_id, concern=concern, kind=ConcernActionKind.ACTION, happened_on=happened_on,
        recorded_by=actor.user, text=text, follow_up_on=follow_up_on, tier_order=concern.tier_order,
    )
    if follow_up_on is not None:
        concern.follow_up_by = follow_up_on
        concern.save(update_fields=["follow_up_by"])
    audit_record(organisation_id=concern.organisation_id, actor=actor.user, event_type="attendance.concern_action",
                 obj=concern, summary="Action logged on an attendance concern")
    _refresh(concern, today)
    return action


@transaction.atomic
def concern_close(*, actor: Actor, concern: AttendanceConcern, outcome: str, today: dt.date | None = None) -> AttendanceConcern:
    """Leaders close a concern with its outcome."""
    today = today or clock.today()
    if not can_close(actor, concern):
        raise PermissionDenied("Only the setting's leaders can close an attendance concern.")
    outcome = (outcome or "").strip()
    if concern.status != ConcernStatus.OPEN:
        raise RuleViolation("This concern is already closed.", rule="concern_closed", field="outcome")
    if not outcome:
        raise RuleViolation("Describe the outcome.", rule="concern_close", field="outcome")
    if len(outcome) > 2000:
        raise RuleViolation("Use 2,000 characters or fewer.", rule="concern_close", field="outcome")
    concern.status, concern.outcome, concern.closed_on, concern.closed_by = ConcernStatus.CLOSED, outcome, today, actor.user
    concern.follow_up_by = None
    concern.save(update_fields=["status", "outcome", "closed_on", "closed_by", "follow_up_by"])
    ConcernAction.objects.create(organisation_id=concern.organisation_id, concern=concern, kind=ConcernActionKind.CLOSED,
                                 happened_on=today, recorded_by=actor.user, text=f"Closed: {outcome}",
                                 tier_order=concern.tier_order)
    audit_record(organisation_id=concern.organisation_id, actor=actor.user, event_type="attendance.concern_closed",
                 obj=concern, summary="Attendance concern closed")
    _refresh(concern, today)
    return concern


def _refresh(concern: AttendanceConcern, today: dt.date) -> None:
    from keyworker.standards.obligations import obligations_refresh

    family_id = Child.objects.filter(pk=concern.child_id).values_list("family_id", flat=True).first()
    if family_id:
        obligations_refresh(organisation_id=concern.organisation_id, family_ids={family_id}, as_of=today)


# The standards engine -------------------------------------------------------------------------------------------


def concerns_raised(organisation_id: int, start: dt.date, end: dt.date) -> list[EventRow]:
    """A row per concern opened or raised in [start, end] (its latest raise), in one query."""
    rows = AttendanceConcern.objects.filter(organisation_id=organisation_id, raised_on__gte=start, raised_on__lte=end).values_list(
        "pk", "child__family_id", "child_id", "raised_on", "tier_order")
    return [EventRow(family_id, child_id, day, f"attendance-concern:{pk}:{tier}") for pk, family_id, child_id, day, tier in rows]


def concern_actions(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                    families: set[int] | None = None) -> list[EvidenceRow]:
    """Actions logged on a concern (not the automatic opening or raising), in one query."""
    qs = ConcernAction.objects.filter(organisation_id=organisation_id, kind__in=[ConcernActionKind.ACTION, ConcernActionKind.CLOSED],
                                      happened_on__gte=start, happened_on__lte=end)
    if families is not None:
        qs = qs.filter(concern__child__family_id__in=families)
    rows = qs.values_list("pk", "concern__child__family_id", "concern__child_id", "happened_on").order_by()
    return [EvidenceRow(family_id, child_id, day, f"concern-action:{pk}") for pk, family_id, child_id, day in rows]


def concern_action_url(obligation) -> str:
    """The attendance concern the obligation counts from, where actions are logged."""
    parts = obligation.subject_key.partition("@")[2].split(":")
    if len(parts) == 3 and parts[0] == "attendance-concern" and parts[1].isdigit():
        return reverse("attendance:concern", args=[int(parts[1])])
    return ""


CONCERN_ACTION_ACTION = EvidenceAction("Log an action", concern_action_url, "An action logged on the attendance concern.")


def register() -> None:
    from keyworker.core.periodic import register_periodic

    register_events(EventSource(CONCERN_RAISED, "An attendance concern raised", concerns_raised))
    register_evidence(EvidenceSource(CONCERN_ACTION, "An action logged on an attendance concern", concern_actions, by_family=True,
                                     action=CONCERN_ACTION_ACTION))
    register_periodic("attendance.escalation", escalation_run)


# Demo -----------------------------------------------------------------------------------------------------------

DEMO_ACTIONS = {
    1: ["Phoned the family: a run of coughs and colds, expects to be back tomorrow",
        "Spoke to dad at the gate about the Monday absences; he will ring the office on any day off"],
    2: ["Letter sent home about attendance with the child's figures this year",
        "Meeting with the parents and the deputy head: agreed an attendance plan, review in four weeks",
        "Checked in with the family: attendance this fortnight 100 %"],
    3: ["Home visit with the family support worker",
        "Attendance meeting with the headteacher and deputy head: referral to the local authority's attendance team discussed",
        "Early help assessment started with the family's agreement"],
}


@transaction.atomic
def demo_concerns(*, organisation, today: dt.date | None = None, seed: int = 2026) -> int:
    """Evaluate the demo school's register every Friday of the school year so far (so concerns open and rise over
    the weeks, as the worker would have done), then log the deputy head's and key workers' actions on them."""
    import random

    from keyworker.accounts.models import StaffMember

    today = today or clock.today()
    setting = Setting.objects.filter(organisation=organisation, kind="school").order_by("id").first()
    if setting is None:
        return 0
    calendar = TermCalendar.for_setting(setting)
    start = calendar.school_year_start(today)
    if start is None:
        return 0
    fridays = [d for d in calendar.school_days_between(start + dt.timedelta(days=21), today) if d.weekday() == 4]
    for day in [*fridays, today] if (not fridays or fridays[-1] != today) else fridays:
        concerns_evaluate(organisation_id=organisation.pk, as_of=day, now=dt.datetime.combine(day, dt.time(16, 0), tzinfo=dt.UTC))
    deputy = StaffMember.objects.filter(organisation=organisation, staff_roles__role__code="deputy_headteacher").order_by("id").first()
    concerns = list(AttendanceConcern.objects.filter(organisation=organisation, status=ConcernStatus.OPEN)
                    .select_related("child").order_by("child__legal_last_name", "child__legal_first_name", "id"))
    key_workers = {
        a.family_id: a.staff.user for a in KeyWorkerAllocation.objects.filter(
            organisation=organisation, ends_at__isnull=True).select_related("staff__user")
    }
    actions = []
    for n, concern in enumerate(concerns):
        rng = random.Random(f"attendance-concern-{seed}-{n}")
        tier = min(concern.tier_order, 3)
        who = deputy.user if (tier >= 2 and deputy is not None) else key_workers.get(concern.child.family_id)
        day = concern.opened_on
        for text in DEMO_ACTIONS[tier][: rng.choice([1, 2, 2, 3])]:
            day = calendar.add_school_days(day, rng.choice([1, 2, 3]))
            if day > today:
                break
            follow = calendar.add_school_days(day, 10)
            actions.append(ConcernAction(
                organisation=organisation, concern=concern, kind=ConcernActionKind.ACTION, happened_on=day,
                recorded_at=dt.datetime.combine(day, dt.time(15, 30), tzinfo=dt.UTC), recorded_by=who, text=text,
                follow_up_on=follow, tier_order=concern.tier_order,
            ))
            concern.follow_up_by = follow
    ConcernAction.objects.bulk_create(actions)
    AttendanceConcern.objects.bulk_update(concerns, ["follow_up_by"])
    return len(concerns)
