"""Evidence that learning targets provide to the standards engine: the child's current targets shared with the
family, dated the day they were shared (SCH-8, `targets_shared`)."""

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse

from keyworker.standards.evidence import (
    EvidenceAction,
    EvidenceRow,
    EvidenceSource,
    SourceRead,
    register_evidence,
)

from .models import TargetSharing

TARGETS_SHARED = "targets_shared"


def targets_shared(
    organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None
) -> Iterable[EvidenceRow]:
    """A row per sharing (in the portal, on paper or at a meeting), in one query."""
    qs = TargetSharing.objects.filter(organisation_id=organisation_id, shared_on__gte=start, shared_on__lte=end)
    if families is not None:
        qs = qs.filter(family_id__in=families)
    return SourceRead(qs.values_list("id", "family_id", "child_id", "shared_on", "setting_id"), lambda rows: [
        EvidenceRow(family_id, child_id, day, f"targets-sharing:{pk}", setting_id=setting_id)
        for pk, family_id, child_id, day, setting_id in rows
    ])


def share_url(obligation) -> str:
    return reverse("targets:child", args=[obligation.child_id]) if obligation.child_id else ""


SHARE = EvidenceAction("Share the learning targets", share_url,
                       "The child's current learning targets shared with the family (in the carers' portal, on paper or "
                       "at a meeting) during the term.")


def register() -> None:
    register_evidence(EvidenceSource(TARGETS_SHARED, "Learning targets shared with the family", targets_shared,
                                     by_family=True, action=SHARE))
