"""Reads of the portal messages: a carer's conversation, a family's conversations for staff, the messages waiting for a
reply (My week), the carers' home ("New message from ..."), and what the standards engine counts (SCH-11, CC-K8)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.caseload.selectors import caseload_family_ids
from keyworker.core.extensions import (
    TO_DO,
    CarerHomeItem,
    CarerHomeSource,
    WeekPanel,
    register_carer_home_source,
    register_week_panel,
)
from keyworker.organisations.calendar import calendar_for
from keyworker.people.carer_access import MESSAGES, CarerAccess
from keyworker.people.models import Carer, ContactRestriction, Family
from keyworker.standards.catalogue import MESSAGE_REPLY_SCHOOL_DAYS
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
from keyworker.standards.models import DayCount, Standard
from keyworker.standards.periods import add_days

from .messages import waiting_filter
from .models import PortalMessage, message_ref
from .selectors import mark_readable

CARER_MESSAGE_RECEIVED = "carer_message_received"
MESSAGE_ANSWERED = "message_answered"
PANEL = "messages"


# The carer's side ---------------------------------------------------------------------------------------------------


def carer_conversation(access: CarerAccess, family_id: int, now: dt.datetime) -> list[PortalMessage]:
    """The carer's own conversation with the setting, oldest first: what they wrote (flagged or not: it is theirs) and
    the replies that have reached them (one held until the next opening is not shown yet). One query."""
    access.require(MESSAGES, family_id)
    carer = access.link_for(family_id)
    return list(
        PortalMessage.objects.filter(family_id=family_id, carer_id=carer.pk, contact__voided_at__isnull=True)
        .exclude(from_family=False, deliver_at__gt=now)
        .select_related("contact__author__user").order_by("sent_at", "id")
    )


def unread_for_carer(access: CarerAccess, now: dt.datetime) -> list[PortalMessage]:
    """Replies that reached the carer and that they have not read, in every family they may write from: one query."""
    links = [c.pk for c in access.links if c.family_id in access.family_ids_with(MESSAGES)]
    if not links:
        return []
    return list(
        PortalMessage.objects.filter(carer_id__in=links, from_family=False, deliver_at__lte=now, read_at__isnull=True,
                                     contact__voided_at__isnull=True)
        .select_related("contact__author__user", "setting").order_by("-deliver_at", "-id")
    )


def home_items(access: CarerAccess, as_of: dt.date, now: dt.datetime) -> list[CarerHomeItem]:
    """The carers' home, "to do": one line per family with an unread reply, naming who wrote the latest."""
    seen: set[int] = set()
    items = []
    for m in unread_for_carer(access, now):
        if m.family_id in seen:
            continue
        seen.add(m.family_id)
        author = m.contact.author.user.full_name if m.contact.author_id else m.setting.name
        items.append(CarerHomeItem(kind=TO_DO, title=f"New message from {author}", when=m.deliver_at,
                                   detail="Open your messages to read it.", url=reverse("portal:messages", args=[m.family_id]),
                                   family_id=m.family_id))
    return items


# The staff side -----------------------------------------------------------------------------------------------------


@dataclass
class Conversation:
    carer: Carer
    messages: list[PortalMessage]
    waiting: int

    @property
    def may_write(self) -> bool:
        return self.carer.contact_restriction != ContactRestriction.NO_CONTACT


def family_conversations(actor: Actor, family: Family) -> list[Conversation]:
    """Each carer's conversation with the setting (the family given is one the actor may see), oldest message first;
    carers with none yet too, so staff may start one. Three queries (carers, messages, safeguarding leads)."""
    carers = list(Carer.objects.filter(family_id=family.pk).order_by("contact_order", "id"))
    messages = list(
        PortalMessage.objects.filter(organisation_id=actor.organisation_id, family_id=family.pk)
        .select_related("contact__author__user", "contact__carer", "read_by").order_by("sent_at", "id")
    )
    mark_readable(actor, [m.contact for m in messages], always=True)
    by_carer: dict[int, list[PortalMessage]] = {c.pk: [] for c in carers}
    for m in messages:
        by_carer.setdefault(m.carer_id, []).append(m)
    return [
        Conversation(c, by_carer[c.pk], sum(1 for m in by_carer[c.pk] if m.from_family and m.answered_by_id is None
                                            and m.no_reply_at is None and not m.contact.is_voided))
        for c in carers
    ]


@dataclass(frozen=True)
class ReplyRule:
    """How long staff have to answer a carer's message: N days, counted as the policy's standard counts them."""

    days: int
    day_count: str = DayCount.SCHOOL

    @property
    def day_word(self) -> str:
        return "school day" if self.day_count == DayCount.SCHOOL else "day"


def reply_rule(organisation_id: int) -> ReplyRule:
    """The number of days to answer a carer's message, and how they count: those of the standard counting from carers'
    messages in the organisation's policy in force (its newest version), else the templates' default (2 school days).
    One query."""
    row = (Standard.objects.filter(organisation_id=organisation_id, event=CARER_MESSAGE_RECEIVED, enabled=True,
                                   policy_version__in_force=True)
           .order_by("-policy_version__number", "-id").values_list("cadence_n", "day_count").first())
    if not row or not row[0]:
        return ReplyRule(MESSAGE_REPLY_SCHOOL_DAYS)
    return ReplyRule(row[0], row[1] or DayCount.SCHOOL)


@dataclass
class Waiting:
    message: PortalMessage
    reply_by: dt.date
    overdue: bool

    @property
    def restricted(self) -> bool:
        return self.message.contact.is_restricted


@dataclass
class WaitingPanel:
    rows: list[Waiting]
    rule: ReplyRule

    @property
    def days(self) -> int:
        return self.rule.days


def waiting_for_reply(actor: Actor, as_of: dt.date) -> WaitingPanel | None:
    """Carers' messages waiting for a reply in the families the actor is key worker for, oldest first, each with the
    day it should be answered by (N school days after it reached the setting, as the SCH-11 obligation counts them:
    in the setting's term calendar, or Monday to Friday when it has no term dates) and whether that has passed.

    Two queries on the caseload My week shares (none without families), plus three per setting for its calendar (a key
    worker works in one or two; shared with the other panels)."""
    if not actor.is_member or actor.staff is None:
        return None
    family_ids = caseload_family_ids(actor)
    if not family_ids:
        return None
    messages = list(
        PortalMessage.objects.filter(waiting_filter(), organisation_id=actor.organisation_id, family_id__in=family_ids)
        .select_related("family", "carer", "setting", "contact").order_by("received_on", "sent_at", "id")[:200]
    )
    if not messages:
        return None
    rule = reply_rule(actor.organisation_id)
    calendars = {m.setting_id: None for m in messages}
    for setting_id in calendars:
        calendars[setting_id] = calendar_for(next(m.setting for m in messages if m.setting_id == setting_id), actor)
    rows = []
    for m in messages:
        # The engine's own count (periods.add_days): without term dates, school days are the weekdays (bank holidays
        # aside), so a message on Friday is not overdue by Sunday.
        by = add_days(calendars[m.setting_id], m.received_on, rule.days, rule.day_count)
        rows.append(Waiting(m, by, as_of > by))
    return WaitingPanel(rows, rule)


# What the standards engine counts -----------------------------------------------------------------------------------


def messages_received(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None = None) -> SourceRead:
    """Each carer's message (not voided) that reached the setting on a day in [start, end]: one query."""
    qs = PortalMessage.objects.filter(organisation_id=organisation_id, from_family=True, received_on__gte=start,
                                      received_on__lte=end, contact__voided_at__isnull=True)
    if families is not None:
        qs = qs.filter(family_id__in=families)
    return SourceRead(qs.values_list("id", "family_id", "received_on").order_by(),
                      lambda rows: [EventRow(family_id, None, day, message_ref(pk)) for pk, family_id, day in rows])


def messages_answered(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                      families: set[int] | None = None) -> Iterable[EvidenceRow]:
    """Each carer's message answered by a reply written on a day in [start, end], or marked as needing no reply on one,
    naming the message it answers (`about`): two queries."""
    qs = PortalMessage.objects.filter(
        organisation_id=organisation_id, from_family=True, answered_by__isnull=False,
        answered_by__contact__happened_on__gte=start, answered_by__contact__happened_on__lte=end,
        answered_by__contact__voided_at__isnull=True,
    )
    if families is not None:
        qs = qs.filter(family_id__in=families)
    rows = qs.values_list("id", "family_id", "answered_by__contact_id", "answered_by__contact__happened_on").order_by()
    # Messages staff decided need no reply, on the day they did (in the setting's time zone): one more query.
    closed = PortalMessage.objects.filter(organisation_id=organisation_id, from_family=True, no_reply_at__isnull=False,
                                          answered_by__isnull=True, no_reply_at__gte=_start_of(start) - dt.timedelta(days=1),
                                          no_reply_at__lt=_start_of(end) + dt.timedelta(days=2))
    if families is not None:
        closed = closed.filter(family_id__in=families)

    def shape(replies, no_reply) -> list[EvidenceRow]:
        out = [EvidenceRow(family_id, None, day, f"contact:{contact_id}", about=message_ref(pk))
               for pk, family_id, contact_id, day in replies]
        for pk, family_id, at, tz in no_reply:
            day = at.astimezone(ZoneInfo(tz)).date()
            if start <= day <= end:
                out.append(EvidenceRow(family_id, None, day, f"message:{pk}", about=message_ref(pk)))
        return out

    return SourceRead(rows, shape, more=(closed.values_list("id", "family_id", "no_reply_at", "setting__time_zone").order_by(),))


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def reply_url(obligation) -> str:
    return reverse("contacts:messages", args=[obligation.family_id]) if obligation.family_id else ""


REPLY_ACTION = EvidenceAction("Reply", reply_url, "A reply to the carer through the portal, by the key worker or a colleague.")


def register() -> None:
    register_events(EventSource(CARER_MESSAGE_RECEIVED, "A carer's message received", messages_received, by_family=True))
    register_evidence(EvidenceSource(MESSAGE_ANSWERED, "A reply to the carer's message", messages_answered, by_family=True,
                                     action=REPLY_ACTION, answers_events=True))
    register_week_panel(WeekPanel(PANEL, 3, "contacts/_messages_panel.html", waiting_for_reply))
    register_carer_home_source(CarerHomeSource("messages", TO_DO, home_items))

