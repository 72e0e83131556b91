"""Escalating attendance: the evaluation, as of a day, that opens or raises one attendance concern per child and
tells each tier's roles once, and the writes on a concern (its action log, its closing).

The evaluation is set-based: one rates query over the school year so far, one query for the recent marks the
patterns read, one for the open and closed concerns, whatever the number of children. An open concern at the same
or a higher tier is left alone; a lower one is raised and only the roles the new tier adds are told. After a concern
is closed, a new one this school year needs a higher tier.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.accounts.selectors import holders_by_role, role_holders
from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.notifications.services import notification_send
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Setting
from keyworker.people.models import Child

from . import policies
from .escalation_rules import matching_patterns, tier_reached
from .escalation_settings import KEY_WORKER, escalation_settings, tiers_for
from .models import (
    AttendanceConcern,
    AttendanceMark,
    AttendanceTier,
    Category,
    ConcernAction,
    ConcernActionKind,
    ConcernStatus,
)
from .selectors import on_roll, rates_by_child

NOTIFICATION_KIND = "attendance.concern"


@dataclass
class EvaluationResult:
    opened: int = 0
    raised: int = 0
    notifications: int = 0


def _recipients(organisation_id: int, codes: set[str], family_ids: set[int]) -> tuple[dict, dict, dict]:
    """Holders of the roles, by (setting id or None for organisation-wide roles, code), and the families' current
    key workers by (family, setting): two queries."""
    role_codes = codes - {KEY_WORKER}
    holders, users = holders_by_role(role_holders(organisation_id, codes=role_codes, active_users=True) if role_codes else [])
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
    return "not recorded yet" if rate is None else f"{rate}%"


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
        patterns = matching_patterns([(c, d, s, cat != Category.PRESENT) for c, d, s, cat in recent], rules, as_of)
    # The tier each child reaches.
    reached: dict[int, tuple[AttendanceTier, str]] = {}
    for child_id, r in rates.items():
        pattern = patterns.get(child_id, "")
        tier = tier_reached(r.exact_attendance(), r.possible, pattern, tiers, rules)
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
            text += f" Follow-up: {tier.follow_up}, by {on_screen(follow_up_by)}."
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


def _open_concern_text(concern: AttendanceConcern, raw: str, *, field: str, rule: str, closed: str, missing: str) -> str:
    """What is written on an open concern (an action, the outcome): said, and 2,000 characters at most."""
    text = (raw or "").strip()
    if concern.status != ConcernStatus.OPEN:
        raise RuleViolation(closed, rule="concern_closed", field=field)
    if not text:
        raise RuleViolation(missing, rule=rule, field=field)
    if len(text) > 2000:
        raise RuleViolation("Use 2,000 characters or fewer.", rule=rule, field=field)
    return text


@transaction.atomic
def concern_action_add(*, actor: Actor, concern: AttendanceConcern, text: str, happened_on: dt.date | None,
                       follow_up_on: dt.date | None, today: dt.date | None = None) -> ConcernAction:
    """Log an action on an open concern (a call, a letter, a meeting), with the next follow-up date if there is one."""
    today = today or clock.today()
    text = _open_concern_text(concern, text, field="text", rule="concern_action", closed="This concern is closed.",
                              missing="Say what was done.")
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
    if not policies.can_close(actor, concern):
        raise PermissionDenied("Only the setting's leaders can close an attendance concern.")
    outcome = _open_concern_text(concern, outcome, field="outcome", rule="concern_close",
                                 closed="This concern is already closed.", missing="Describe the outcome.")
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
