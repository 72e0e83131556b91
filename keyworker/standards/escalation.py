"""Telling people about obligations: escalations at once to the standard's roles and the key worker, overdue ones in the digest."""

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils.dateformat import format as date_format

from keyworker.accounts.models import Scope, StaffRole
from keyworker.notifications.models import Notification
from keyworker.notifications.services import notification_send
from keyworker.organisations.models import Setting

from .models import Obligation, ObligationEvent, ObligationState

ESCALATION_KIND = "obligation_escalated"
OVERDUE_KIND = "obligation_overdue"


@dataclass
class EscalationRun:
    escalations: int = 0  # obligations newly told about
    notifications: int = 0  # rows written, at once or for the digest
    overdue: int = 0


def escalation_key(obligation_id: int) -> str:
    return f"obligation:{obligation_id}:escalated"


def overdue_key(obligation_id: int) -> str:
    return f"obligation:{obligation_id}:overdue"


def _told(organisation_id: int, what: str) -> QuerySet[Notification]:
    """Notifications already written for the outer obligation, matched on the dedupe key (a subquery, not a list)."""
    key = Concat(Value("obligation:"), Cast(OuterRef("pk"), CharField()), Value(f":{what}"))
    return Notification.objects.filter(organisation_id=organisation_id, dedupe_key=key)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _what(o: Obligation) -> str:
    """Whom the obligation is for: a family, a child (with the family), a key worker's own duty, or a setting."""
    if o.family_id is None:
        if o.subject_key.startswith("s") and o.responsible_staff_id:
            return o.responsible_staff.user.full_name
        return o.setting.name
    if o.child_id:
        return f"{o.child.display_name} ({o.family.name})"
    return o.family.name


def _short(o: Obligation) -> str:
    return o.family.name if o.family_id else _what(o)


def _link(o: Obligation) -> str:
    return f"/families/{o.family_id}/" if o.family_id else f"/obligations/{o.pk}/"


def _todays(organisation_id: int, now: dt.datetime) -> dict[int, dt.date]:
    return {
        pk: now.astimezone(zoneinfo.ZoneInfo(tz)).date()
        for pk, tz in Setting.objects.filter(organisation_id=organisation_id).values_list("pk", "time_zone")
    }


def escalations_notify(*, organisation_id: int, now: dt.datetime, as_of: dt.date | None = None) -> EscalationRun:
    """Notify once per escalated obligation; put each overdue obligation once in its key worker's digest.

    Whether someone was told is the notification's dedupe key per obligation, so a repeated or concurrent
    run, or a run after a crash, tells nobody twice. Each obligation's notices are one short transaction, so
    the worker never holds an SQLite database's write lock for the whole list while people are saving.
    """
    result = EscalationRun()
    todays = _todays(organisation_id, now)
    became_escalated = ObligationEvent.objects.filter(obligation=OuterRef("pk"), to_state=ObligationState.ESCALATED)
    escalated = list(
        Obligation.objects.filter(organisation_id=organisation_id, state=ObligationState.ESCALATED)
        .filter(Exists(became_escalated), ~Exists(_told(organisation_id, "escalated")))
        .select_related("standard", "family", "child", "setting", "responsible_staff__user")
    )
    codes = {code for o in escalated for code in o.standard.escalate_to_roles}
    # (setting id or None for organisation-wide roles, role code) -> users, in one query.
    holders: dict[tuple[int | None, str], set] = defaultdict(set)
    users = {}
    if codes:
        for sr in StaffRole.objects.filter(
            organisation_id=organisation_id, role__code__in=codes, staff__is_active=True, staff__user__is_active=True,
        ).select_related("role", "staff__user"):
            setting_key = None if sr.role.scope == Scope.ORGANISATION else sr.setting_id
            holders[(setting_key, sr.role.code)].add(sr.staff.user_id)
            users[sr.staff.user_id] = sr.staff.user
    for o in escalated:
        recipients: set[int] = set()
        for code in o.standard.escalate_to_roles:
            recipients |= holders.get((o.setting_id, code), set()) | holders.get((None, code), set())
        kw = o.responsible_staff
        if kw is not None and kw.is_active and kw.user.is_active:
            recipients.add(kw.user_id)
            users[kw.user_id] = kw.user
        today = as_of or todays.get(o.setting_id) or now.date()
        late = max((today - o.due_on).days, 0)
        subject = f"Escalated: {o.standard.clause} {o.standard.title} – {_short(o)}"
        body = (
            f"{o.standard.clause} {o.standard.title} for {_what(o)} was due on {date_format(o.due_on, 'D j F Y')} "
            f"and is {_days(late)} overdue, so it has been escalated."
            f"\nKey worker: {kw.user.full_name if kw else 'none allocated'}."
        )
        with transaction.atomic():
            for user_id in sorted(recipients):
                _, created = notification_send(
                    recipient=users[user_id], organisation_id=organisation_id, kind=ESCALATION_KIND, subject=subject,
                    body=body, link=_link(o), dedupe_key=escalation_key(o.pk), now=now,
                )
                result.notifications += created
        result.escalations += 1 if recipients else 0

    overdue = list(
        Obligation.objects.filter(
            organisation_id=organisation_id, state=ObligationState.OVERDUE, responsible_staff__isnull=False,
            responsible_staff__is_active=True, responsible_staff__user__is_active=True,
        ).filter(~Exists(_told(organisation_id, "overdue"))).select_related(
            "standard", "family", "child", "setting", "responsible_staff__user")
    )
    for o in overdue:
        today = as_of or todays.get(o.setting_id) or now.date()
        late = max((today - o.due_on).days, 0)
        _, created = notification_send(
            recipient=o.responsible_staff.user, organisation_id=organisation_id, kind=OVERDUE_KIND,
            subject=f"Overdue: {o.standard.clause} {o.standard.title} – {_short(o)}",
            body=f"{o.standard.clause} {o.standard.title} for {_what(o)} was due on {date_format(o.due_on, 'D j F Y')} "
                 f"({_days(late)} ago).",
            link=_link(o), dedupe_key=overdue_key(o.pk), digest=True, now=now,
        )
        result.notifications += created
        result.overdue += created
    return result
