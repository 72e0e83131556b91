"""Evidence that celebrations provide to the standards engine: a celebration recorded (SCH-1, each half term)."""

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlencode

from django.urls import reverse

from keyworker.standards.evidence import (
    EvidenceAction,
    EvidenceRow,
    EvidenceSource,
    SourceRead,
    register_evidence,
)

from .models import Celebration

CELEBRATION = "celebration"


def celebrations_recorded(
    organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None
) -> Iterable[EvidenceRow]:
    """Celebrations (not voided) dated between start and end, in one query; "shared" counts only those shared with the family."""
    qs = Celebration.objects.filter(
        organisation_id=organisation_id, celebrated_on__gte=start, celebrated_on__lte=end, voided_at__isnull=True
    )
    if families is not None:
        qs = qs.filter(family_id__in=families)
    if conditions.get("shared") in (True, "true", "yes", 1, "1"):
        qs = qs.filter(shared_on__isnull=False)
    return SourceRead(qs.order_by().values_list("id", "family_id", "child_id", "celebrated_on"), lambda rows: [
        EvidenceRow(family_id, child_id, day, f"celebration:{pk}") for pk, family_id, child_id, day in rows
    ])


def celebrate_url(obligation) -> str:
    """The celebration form for the child (or the family)."""
    if obligation.child_id:
        return f"{reverse('celebrations:new')}?{urlencode({'child': obligation.child_id})}"
    if obligation.family_id:
        return f"{reverse('celebrations:new')}?{urlencode({'family': obligation.family_id})}"
    return ""


CELEBRATE = EvidenceAction("Record a celebration", celebrate_url, "A celebration of the child recorded (and shared, when the standard asks) within the period.")


def register() -> None:
    register_evidence(EvidenceSource(CELEBRATION, "A celebration recorded", celebrations_recorded, conditions=frozenset({"shared"}),
                                      by_family=True, action=CELEBRATE))
