"""Evidence that briefings provide to the standards engine: the key worker acknowledged a change (SCH-3)."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from keyworker.standards.evidence import (
    EvidenceAction,
    EvidenceRow,
    EvidenceSource,
    SourceRead,
    register_evidence,
)

from .models import BriefingRecipient, RecipientRole

BRIEFING_ACKNOWLEDGED = "briefing_acknowledged"


def briefings_acknowledged(
    organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None
) -> Iterable[EvidenceRow]:
    """One row per child and day on which the child's key worker acknowledged a briefing about them and was then up
    to date with that child (nothing older still unread), in one query.

    The engine meets a change's obligation with the first record on or after its day; an acknowledgement of an
    older change while a newer one is still unread must not count for the newer one, so such a day has no row.
    Days are in UK time, as the key aspects change events are.
    """
    older_unread = BriefingRecipient.objects.filter(
        role=RecipientRole.KEY_WORKER, staff_id=OuterRef("staff_id"), briefing__child_id=OuterRef("briefing__child_id"),
        briefing__created_at__lte=OuterRef("acknowledged_at"),
    ).filter(Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gt=OuterRef("acknowledged_at")))
    qs = BriefingRecipient.objects.filter(
        organisation_id=organisation_id, role=RecipientRole.KEY_WORKER, acknowledged_at__isnull=False,
        acknowledged_at__date__gte=start, acknowledged_at__date__lte=end,
    ).filter(~Exists(older_unread))
    if families is not None:
        qs = qs.filter(briefing__child__family_id__in=families)

    def shape(rows) -> list[EvidenceRow]:
        seen: dict[tuple[int, dt.date], EvidenceRow] = {}
        for family_id, child_id, briefing_id, at in rows:
            day = timezone.localtime(at).date()
            seen.setdefault((child_id, day), EvidenceRow(family_id, child_id, day, f"briefing:{briefing_id}"))
        return list(seen.values())

    return SourceRead(qs.order_by("acknowledged_at", "id").values_list(
        "briefing__child__family_id", "briefing__child_id", "briefing_id", "acknowledged_at"), shape)


def mark_as_read_url(obligation) -> str:
    """The briefings waiting for the key worker, where each child's changes are marked as read."""
    return reverse("briefings:list") if obligation.child_id or obligation.family_id else ""


MARK_AS_READ = EvidenceAction("Mark as read", mark_as_read_url,
                              "The child's key worker marks the briefing about the change as read, and nothing older is unread.")


def register() -> None:
    register_evidence(EvidenceSource(BRIEFING_ACKNOWLEDGED, "Changes to key aspects acknowledged", briefings_acknowledged,
                                     by_family=True, action=MARK_AS_READ))
