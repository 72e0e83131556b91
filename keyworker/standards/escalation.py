"""Telling people about obligations: each escalation once, as news; overdue ones once in the key worker's digest.

An escalation is news when the obligation was on someone's list before it escalated: its history holds a change
into "escalated" from an open (or met) state, after the day the organisation adopted its first policy. An
obligation computed for the first time already escalated – a standard added or changed for periods long gone –
and whatever escalated on the adoption day itself – the first run's backlog, the records entered that day – was
escalated before anyone could have acted on it, and nobody is told. A missed obligation (its period closed) is
final: it is never told as escalated or overdue, and one met late after its escalation is not told again.

Who hears of an escalation: the holders of the standard's `escalate_to_roles` (in the obligation's setting, or
across the organisation) and the obligation's key worker. Each person chooses (notifications' preference):
- a daily summary (the default): a leader gets one summary of the day's escalations, grouped by clause ("SCH-4
  Weekly contact: 12 families overdue by more than 5 days, across 4 key workers"), each group linking to the list
  of those obligations; it waits for the person's daily digest e-mail, and grows with later runs of the day until
  it is read or sent (what escalates after that starts a new one). A key worker's own escalated obligation is one
  item in their digest.
- each one as it happens: a notification and an e-mail per obligation at once.

Whether an obligation was told is a `Told` row per obligation (and, for notices written before those rows
existed, a notification with the obligation's dedupe key), so a repeated or concurrent run tells nobody twice.
A run is a fixed number of queries whatever the number of obligations.
"""

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import CharField, Exists, Min, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat

from keyworker.accounts.selectors import holders_by_role, role_holders
from keyworker.core.dates import on_screen
from keyworker.notifications.models import Notification, Told
from keyworker.notifications.selectors import escalations_at_once
from keyworker.notifications.services import (
    Draft,
    absolute_url,
    digest_time_zone,
    notifications_send,
    told_mark,
)
from keyworker.organisations.models import Setting

from .models import Obligation, ObligationEvent, ObligationState, PolicyVersion, Standard, Subject

ESCALATION_KIND = "obligation_escalated"
SUMMARY_KIND = "escalations_summary"
OVERDUE_KIND = "obligation_overdue"
LIST_PATH = "/obligations/escalated/"


@dataclass
class EscalationRun:
    escalations: int = 0  # obligations newly told about
    notifications: int = 0  # rows written, at once or for the digest
    overdue: int = 0
    summaries: int = 0  # leaders' summaries written


def escalation_key(obligation_id: int) -> str:
    return f"obligation:{obligation_id}:escalated"


def overdue_key(obligation_id: int) -> str:
    return f"obligation:{obligation_id}:overdue"


def _told(organisation_id: int, what: str) -> QuerySet[Notification]:
    """Notifications already written for the outer obligation, matched on the dedupe key (a subquery, not a list)."""
    key = Concat(Value("obligation:"), Cast(OuterRef("pk"), CharField()), Value(f":{what}"))
    return Notification.objects.filter(organisation_id=organisation_id, dedupe_key=key)


def _told_once(organisation_id: int, what: str) -> QuerySet[Told]:
    key = Concat(Value("obligation:"), Cast(OuterRef("pk"), CharField()), Value(f":{what}"))
    return Told.objects.filter(organisation_id=organisation_id, key=key)


def _days(n: int, day_count: str = "calendar") -> str:
    unit = "school day" if day_count == "school" else "day"
    return f"{n} {unit}{'s' if n != 1 else ''}"


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


NOUNS = {
    Subject.FAMILY: ("family", "families"), Subject.CHILD: ("child", "children"),
    Subject.KEY_WORKER: ("key worker's own duty", "key workers' own duties"), Subject.SETTING: ("setting", "settings"),
}


def _count(n: int, subject: str) -> str:
    one, many = NOUNS.get(subject, ("obligation", "obligations"))
    return f"{n} {one if n == 1 else many}"


def _todays(organisation_id: int, now: dt.datetime) -> dict[int, dt.date]:
    return {
        pk: now.astimezone(zoneinfo.ZoneInfo(tz)).date()
        for pk, tz in Setting.objects.filter(organisation_id=organisation_id).values_list("pk", "time_zone")
    }


@dataclass
class _Group:
    """One clause's escalations in a leader's summary."""

    standard: Standard
    count: int = 0
    key_workers: set = field(default_factory=set)
    without: int = 0  # with no key worker

    def line(self) -> str:
        s = self.standard
        text = f"{s.heading}: {_count(self.count, s.subject)} overdue by more than {_days(s.escalate_after_days or 0, s.day_count)}"
        k = len(self.key_workers)
        if k:
            text += f", across {k} key worker{'s' if k != 1 else ''}"
        if self.without:
            text += f"{' and' if k else ','} {self.without} with no key worker"
        return text + "."


def _summary(groups: dict[int, _Group], on: dt.date) -> tuple[str, str, str]:
    """Subject, body and link of a leader's summary: one line per clause, in clause order, each with its list."""
    ordered = sorted(groups.values(), key=lambda g: (g.standard.clause, g.standard.pk))
    total = sum(g.count for g in ordered)
    clauses = ", ".join(g.standard.clause for g in ordered)
    subject = f"Escalated on {on_screen(on)}: {total} obligation{'s' if total != 1 else ''} ({clauses})"
    lines = [f"{total} obligation{'s' if total != 1 else ''} became escalated on {on_screen(on)}:", ""]
    for g in ordered:
        lines.append(f"- {g.line()}")
        lines.append(f"  {absolute_url(f'{LIST_PATH}?on={on.isoformat()}&standard={g.standard.pk}')}")
    return subject, "\n".join(lines), f"{LIST_PATH}?on={on.isoformat()}"


def _holders(organisation_id: int, codes: set[str]) -> dict[tuple[int | None, str], set[int]]:
    """(setting id, or None for organisation-wide roles; role code) -> active users holding it, in one query."""
    if not codes:
        return defaultdict(set)
    holders, _users = holders_by_role(role_holders(organisation_id, codes=codes, active_users=True))
    return holders


def news_since(organisation_id: int) -> dt.datetime | None:
    """The start of the day after the organisation adopted its first policy: escalations before it are the backlog."""
    adopted = PolicyVersion.objects.filter(organisation_id=organisation_id).aggregate(at=Min("created_at"))["at"]
    if adopted is None:
        return None
    zone = zoneinfo.ZoneInfo(digest_time_zone())
    day = adopted.astimezone(zone).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def _news(organisation_id: int) -> QuerySet[Obligation]:
    """Escalated obligations not yet told whose escalation is news: they were open (or met) before they escalated,
    and they escalated after the adoption day."""
    escalated_from_a_list = ObligationEvent.objects.filter(
        obligation=OuterRef("pk"), to_state=ObligationState.ESCALATED,
    ).exclude(from_state="")
    since = news_since(organisation_id)
    if since is not None:
        escalated_from_a_list = escalated_from_a_list.filter(at__gte=since)
    return (
        Obligation.objects.filter(organisation_id=organisation_id, state=ObligationState.ESCALATED)
        .filter(Exists(escalated_from_a_list))
        .filter(~Exists(_told_once(organisation_id, "escalated")), ~Exists(_told(organisation_id, "escalated")))
    )


class _Waiting(dict):
    """Today's summaries still waiting for the digest, by recipient, grown with this run's escalations; and who
    already had one of today's summaries (read or sent in a digest): they get a new one."""

    sent_today: set[int]


def _leaders_of(o: Obligation, holders) -> set[int]:
    leaders: set[int] = set()
    for code in o.standard.escalate_to_roles:
        leaders |= holders.get((o.setting_id, code), set()) | holders.get((None, code), set())
    return leaders


def _add(group: _Group, o: Obligation) -> None:
    group.count += 1
    if o.responsible_staff_id is not None:
        group.key_workers.add(o.responsible_staff_id)
    else:
        group.without += 1


def _grow_todays_summaries(organisation_id: int, summaries: dict[int, dict[int, _Group]], on: dt.date,
                           holders) -> _Waiting:
    """One summary a day: a leader's summary of today that is still unread and not yet in a digest takes in this
    run's escalations, with those it told before (the obligations told since it was written). Fixed queries."""
    waiting = _Waiting()
    waiting.sent_today = set()
    if not summaries:
        return waiting
    todays = list(Notification.objects.filter(
        recipient_id__in=list(summaries), organisation_id=organisation_id, kind=SUMMARY_KIND,
        dedupe_key__startswith=f"escalations:{on.isoformat()}",
    ))
    pending = {}
    for n in todays:
        if n.read_at is None and n.digested_at is None:
            pending[n.recipient_id] = n
        else:
            waiting.sent_today.add(n.recipient_id)
    if not pending:
        return waiting
    since = min(n.created_at for n in pending.values())
    told = dict(Told.objects.filter(organisation_id=organisation_id, at__gte=since, key__startswith="obligation:",
                                    key__endswith=":escalated").values_list("key", "at"))
    told_at = {int(k.split(":")[1]): at for k, at in told.items()}
    earlier = list(Obligation.objects.filter(organisation_id=organisation_id, pk__in=list(told_at)).select_related("standard"))
    missing = {c for o in earlier for c in o.standard.escalate_to_roles} - {code for _, code in holders}
    if missing:
        holders = {**holders, **_holders(organisation_id, missing)}
    for o in earlier:
        for user_id in _leaders_of(o, holders) & set(pending):
            if told_at[o.pk] >= pending[user_id].created_at:
                _add(summaries[user_id].setdefault(o.standard_id, _Group(o.standard)), o)
    for user_id, n in pending.items():
        n.subject, n.body, n.link = _summary(summaries[user_id], on)
        waiting[user_id] = n
    return waiting


def escalations_notify(*, organisation_id: int, now: dt.datetime, as_of: dt.date | None = None) -> EscalationRun:
    """Tell each escalation once, as the recipients chose; put each overdue obligation once in its key worker's digest."""
    result = EscalationRun()
    todays = _todays(organisation_id, now)
    on = now.astimezone(zoneinfo.ZoneInfo(digest_time_zone())).date()
    news = list(_news(organisation_id).select_related("standard", "family", "child", "setting", "responsible_staff__user"))
    holders = _holders(organisation_id, {code for o in news for code in o.standard.escalate_to_roles})
    recipients_of: dict[int, tuple[set[int], int | None]] = {}
    for o in news:
        leaders = _leaders_of(o, holders)
        kw = o.responsible_staff
        kw_user = kw.user_id if kw is not None and kw.is_active and kw.user.is_active else None
        recipients_of[o.pk] = (leaders, kw_user)
    at_once = escalations_at_once({u for leaders, kw in recipients_of.values() for u in (*leaders, kw) if u})

    drafts: list[Draft] = []
    summaries: dict[int, dict[int, _Group]] = defaultdict(dict)
    for o in news:
        leaders, kw_user = recipients_of[o.pk]
        kw = o.responsible_staff
        today = as_of or todays.get(o.setting_id) or now.date()
        late = max((today - o.due_on).days, 0)
        subject = f"Escalated: {o.standard.heading} – {_short(o)}"
        body = (
            f"{o.standard.heading} for {_what(o)} was due on {on_screen(o.due_on)} "
            f"and is {_days(late)} overdue, so it has been escalated."
            f"\nKey worker: {kw.user.full_name if kw else 'none allocated'}."
        )
        for user_id in sorted(leaders | ({kw_user} if kw_user else set())):
            if user_id in at_once or user_id not in leaders:
                # At once as chosen; or the key worker's own obligation, one item in their daily digest.
                drafts.append(Draft(user_id, ESCALATION_KIND, subject, body, _link(o), escalation_key(o.pk),
                                    digest=user_id not in at_once))
                continue
            _add(summaries[user_id].setdefault(o.standard_id, _Group(o.standard)), o)
        result.escalations += 1 if (leaders or kw_user) else 0
    updated = _grow_todays_summaries(organisation_id, summaries, on, holders)
    for user_id, groups in sorted(summaries.items()):
        if user_id in updated:
            continue
        subject, body, link = _summary(groups, on)
        key = f"escalations:{on.isoformat()}" if user_id not in updated.sent_today else f"escalations:{now.isoformat()}"
        drafts.append(Draft(user_id, SUMMARY_KIND, subject, body, link, key, digest=True))
    with transaction.atomic():
        result.notifications += notifications_send(organisation_id=organisation_id, drafts=drafts, now=now)
        told_mark(organisation_id=organisation_id, keys=[escalation_key(o.pk) for o in news], now=now)
        if updated:
            Notification.objects.bulk_update(updated.values(), ["subject", "body", "link"])
    result.summaries = len(summaries)

    overdue = list(
        Obligation.objects.filter(
            organisation_id=organisation_id, state=ObligationState.OVERDUE, responsible_staff__isnull=False,
            responsible_staff__is_active=True, responsible_staff__user__is_active=True,
        ).filter(~Exists(_told(organisation_id, "overdue"))).select_related(
            "standard", "family", "child", "setting", "responsible_staff__user")
    )
    drafts = []
    for o in overdue:
        today = as_of or todays.get(o.setting_id) or now.date()
        late = max((today - o.due_on).days, 0)
        drafts.append(Draft(
            o.responsible_staff.user_id, OVERDUE_KIND, f"Overdue: {o.standard.heading} – {_short(o)}",
            f"{o.standard.heading} for {_what(o)} was due on {on_screen(o.due_on)} "
            f"({_days(late)} ago).", _link(o), overdue_key(o.pk), digest=True,
        ))
    created = notifications_send(organisation_id=organisation_id, drafts=drafts, now=now)
    result.notifications += created
    result.overdue += created
    return result
