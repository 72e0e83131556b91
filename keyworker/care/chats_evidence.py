"""Evidence of chat sessions (CC-K6): each session offered, held or declined, on its day, in one query."""

import datetime as dt

from django.urls import reverse

from keyworker.standards.evidence import (
    EvidenceAction,
    EvidenceRow,
    EvidenceSource,
    SourceRead,
    register_evidence,
)

from .models_checklists import ChatSession

CHAT_SESSION_OFFERED = "chat_session_offered"


def sessions_offered(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                     families: set[int] | None = None) -> SourceRead:
    qs = ChatSession.objects.filter(organisation_id=organisation_id, offered_on__gte=start, offered_on__lte=end)
    if families is not None:
        qs = qs.filter(family_id__in=families)
    return SourceRead(qs.values_list("id", "family_id", "child_id", "offered_on"), lambda rows: [
        EvidenceRow(family_id, child_id, day, f"chat:{pk}") for pk, family_id, child_id, day in rows])


def sheet_url(obligation) -> str:
    return reverse("care:chats_child", args=[obligation.child_id]) if obligation.child_id else ""


def register() -> None:
    register_evidence(EvidenceSource(
        CHAT_SESSION_OFFERED, "A chat session offered", sessions_offered, by_family=True,
        action=EvidenceAction("Record a chat session", sheet_url,
                              "A chat session offered to the child, with the member of staff they chose: held, or "
                              "offered and declined.")))
