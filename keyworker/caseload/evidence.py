"""Evidence that key workers provide to the standards engine: a key worker allocated to a family (SCH-A1, CC-A1)."""

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.urls import reverse

from keyworker.standards.evidence import (
    EvidenceAction,
    EvidenceRow,
    EvidenceSource,
    SourceRead,
    register_evidence,
)

from .models import KeyWorkerAllocation

KEY_WORKER_ALLOCATED = "key_worker_allocated"


def allocations_started(
    organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None
) -> Iterable[EvidenceRow]:
    """Allocations that started between start and end (inclusive, in the setting's time zone), in one query."""
    # A day of slack either side in UTC; the exact day is decided in the setting's own zone below.
    lo = dt.datetime.combine(start - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=2), dt.time.min, tzinfo=dt.UTC)
    qs = KeyWorkerAllocation.objects.filter(organisation_id=organisation_id, starts_at__gte=lo, starts_at__lt=hi)
    if families is not None:
        qs = qs.filter(family_id__in=families)

    def shape(rows) -> list[EvidenceRow]:
        zones: dict[str, zoneinfo.ZoneInfo] = {}
        out = []
        for pk, family_id, starts_at, tz_name in rows:
            zone = zones.setdefault(tz_name or "Europe/London", zoneinfo.ZoneInfo(tz_name or "Europe/London"))
            day = starts_at.astimezone(zone).date()
            if start <= day <= end:
                out.append(EvidenceRow(family_id, None, day, f"allocation:{pk}"))
        return out

    return SourceRead(qs.values_list("id", "family_id", "starts_at", "setting__time_zone"), shape)


def allocate_url(obligation) -> str:
    """The family's key worker allocation."""
    return reverse("caseload:family", args=[obligation.family_id]) if obligation.family_id else ""


ALLOCATE = EvidenceAction("Allocate a key worker", allocate_url, "A key worker allocated to the family within the time allowed.")


def register() -> None:
    register_evidence(EvidenceSource(KEY_WORKER_ALLOCATED, "A key worker allocated", allocations_started, by_family=True,
                                     action=ALLOCATE))
