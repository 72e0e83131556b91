"""Evidence that contact logs provide to the standards engine: a contact with a write-up (SCH-4, CC-K7)."""

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlencode

from django.db.models import Q
from django.db.models.functions import TruncDate
from django.urls import reverse

from keyworker.standards.evidence import (
    EvidenceAction,
    EvidenceRow,
    EvidenceSource,
    SourceRead,
    register_evidence,
)

from .models import Channel, ContactLog

CONTACT_LOG = "contact_log"


def contacts_made(
    organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None
) -> Iterable[EvidenceRow]:
    """Contacts (not voided) on a day between start and end, in one query; "min_words" asks for a longer write-up.

    A carer's own portal message (no author) is not contact made by the setting, so it does not count; a staff reply
    through the portal does, whatever its length: a message is itself what was said, not a write-up of it."""
    qs = ContactLog.objects.filter(
        organisation_id=organisation_id, happened_on__gte=start, happened_on__lte=end, voided_at__isnull=True,
        author__isnull=False,
    )
    if families is not None:
        qs = qs.filter(family_id__in=families)
    try:
        min_words = int(conditions.get("min_words") or 0)
    except (TypeError, ValueError):
        min_words = 0
    if min_words > 0:
        qs = qs.filter(Q(word_count__gte=min_words) | Q(channel=Channel.PORTAL_MESSAGE))
    rows = qs.annotate(recorded=TruncDate("created_at")).values_list("id", "family_id", "happened_on", "recorded").order_by()
    return SourceRead(rows, lambda rows: [
        EvidenceRow(family_id, None, day, f"contact:{pk}", recorded_on=recorded if recorded and recorded > day else None)
        for pk, family_id, day, recorded in rows
    ])


def log_contact_url(obligation) -> str:
    """The contact form for the family and the obligation's period: once the period has ended (in its grace), the form
    asks for the date of a contact that took place in it, rather than offering today."""
    if not obligation.family_id:
        return ""
    query = {"family": obligation.family_id, "from": obligation.period_start.isoformat(), "to": obligation.period_end.isoformat()}
    return f"{reverse('contacts:new')}?{urlencode(query)}"


LOG_CONTACT = EvidenceAction("Log contact", log_contact_url, "A contact with the family, with a write-up, dated within the period.")


def register() -> None:
    register_evidence(EvidenceSource(CONTACT_LOG, "A contact log with a write-up", contacts_made, conditions=frozenset({"min_words"}),
                                      by_family=True, action=LOG_CONTACT))
