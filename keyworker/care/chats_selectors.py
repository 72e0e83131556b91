"""Reads of chat sessions (CC-K6): each child's chat session sheet and the overview of a setting's children, scoped to
the acting staff member."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.people.models import Child

from .checklists_selectors import childcare_children, due_dates, on_roll
from .models_checklists import CHAT_KINDS, ChatOutcome, ChatSession

EVIDENCE = "chat_session_offered"


def chat_children(actor: Actor) -> QuerySet[Child]:
    return childcare_children(actor).filter(setting__kind__in=CHAT_KINDS)


def access_child(actor: Actor, child_id: int) -> Child:
    child = chat_children(actor).filter(pk=child_id).select_related("setting", "family", "group").first()
    if child is None:
        raise Http404("No such child")
    return child


def sessions_visible_to(actor: Actor) -> QuerySet[ChatSession]:
    if not actor.is_member:
        return ChatSession.objects.none()
    return ChatSession.objects.filter(organisation_id=actor.organisation_id, child__in=chat_children(actor))


def access_session(actor: Actor, session_id: int) -> ChatSession:
    found = sessions_visible_to(actor).filter(pk=session_id).select_related("child", "staff__user").first()
    if found is None:
        raise Http404("No such chat session")
    return found


def sheet(child: Child) -> list[ChatSession]:
    """The child's chat session sheet, newest first: one query."""
    return list(ChatSession.objects.filter(child=child).select_related("staff__user", "recorded_by__user"))


def setting_staff(setting_id: int) -> list[StaffMember]:
    """The members of the setting a child may choose to talk with (anyone with a role there): one query."""
    return list(StaffMember.objects.filter(staff_roles__setting_id=setting_id, is_active=True).distinct()
                .select_related("user").order_by("user__full_name", "id"))


@dataclass
class ChatRow:
    child: Child
    last_offered_on: dt.date | None
    held: int
    declined: int
    due_on: dt.date | None


def overview(actor: Actor, as_of: dt.date, since: dt.date) -> list[ChatRow]:
    """The children on roll in the actor's out of school care and youth settings, each with their last chat session,
    how many were held or declined since `since`, and when the next offer is due: three queries."""
    children = list(on_roll(chat_children(actor), as_of).select_related("setting", "family", "group")
                    .order_by("setting__name", "legal_last_name", "legal_first_name", "id"))
    ids = [c.pk for c in children]
    stats = {
        r["child_id"]: r for r in ChatSession.objects.filter(child_id__in=ids).values("child_id").annotate(
            last=Max("offered_on"),
            held=Count("id", filter=Q(outcome=ChatOutcome.HELD, offered_on__gte=since)),
            declined=Count("id", filter=Q(outcome=ChatOutcome.DECLINED, offered_on__gte=since)))
    } if ids else {}
    due = due_dates(ids, EVIDENCE)
    return [ChatRow(c, stats.get(c.pk, {}).get("last"), stats.get(c.pk, {}).get("held", 0),
                    stats.get(c.pk, {}).get("declined", 0), due.get(c.pk)) for c in children]
