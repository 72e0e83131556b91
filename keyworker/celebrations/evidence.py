"""Evidence that celebrations provide to the standards engine: a celebration recorded (SCH-1, each half term)."""

import datetime as dt
from collections.abc import Iterable

from keyworker.standards.evidence import EvidenceRow, EvidenceSource, register_evidence

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
    return [
        EvidenceRow(family_id, child_id, day, f"celebration:{pk}")
        for pk, family_id, child_id, day in qs.order_by().values_list("id", "family_id", "child_id", "celebrated_on")
    ]


def register() -> None:
    register_evidence(EvidenceSource(CELEBRATION, "A celebration recorded", celebrations_recorded, conditions=frozenset({"shared"}),
                                      by_family=True))
