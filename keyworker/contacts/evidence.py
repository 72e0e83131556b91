"""Evidence that contact logs provide to the standards engine: a contact with a write-up (SCH-4, CC-K7)."""

import datetime as dt
from collections.abc import Iterable

from keyworker.standards.evidence import EvidenceRow, EvidenceSource, register_evidence

from .models import ContactLog

CONTACT_LOG = "contact_log"


def contacts_made(
    organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None
) -> Iterable[EvidenceRow]:
    """Contacts (not voided) on a day between start and end, in one query; "min_words" asks for a longer write-up."""
    qs = ContactLog.objects.filter(
        organisation_id=organisation_id, happened_on__gte=start, happened_on__lte=end, voided_at__isnull=True
    )
    if families is not None:
        qs = qs.filter(family_id__in=families)
    try:
        min_words = int(conditions.get("min_words") or 0)
    except (TypeError, ValueError):
        min_words = 0
    if min_words > 0:
        qs = qs.filter(word_count__gte=min_words)
    # Unsorted: the engine sorts what it needs (the model's default ordering would sort every row for nothing).
    rows = qs.values_list("id", "family_id", "happened_on").order_by()
    return [EvidenceRow(family_id, None, day, f"contact:{pk}") for pk, family_id, day in rows]


def register() -> None:
    register_evidence(EvidenceSource(CONTACT_LOG, "A contact log with a write-up", contacts_made, conditions=frozenset({"min_words"}),
                                      by_family=True))
