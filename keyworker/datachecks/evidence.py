"""Evidence that data checks provide to the standards engine: a check complete on a day (SCH-2)."""

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

from .models import CheckState, DataCheck

DATA_CHECK = "data_check"


def checks_completed(
    organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None
) -> Iterable[EvidenceRow]:
    """A row per child on the day both confirmations were in, in one query."""
    qs = DataCheck.objects.filter(
        organisation_id=organisation_id, state=CheckState.COMPLETE, completed_on__gte=start, completed_on__lte=end,
    )
    if families is not None:
        qs = qs.filter(family_id__in=families)
    return SourceRead(qs.values_list("id", "family_id", "child_id", "completed_on"), lambda rows: [
        EvidenceRow(family_id, child_id, day, f"datacheck:{pk}") for pk, family_id, child_id, day in rows
    ])


def confirm_url(obligation) -> str:
    """The carer's confirmation of the child's data."""
    return reverse("datachecks:confirm", args=[obligation.child_id]) if obligation.child_id else ""


CONFIRM = EvidenceAction("Confirm", confirm_url, "A carer confirms the child's data (and the office any correction) this half term.")


def register() -> None:
    register_evidence(EvidenceSource(DATA_CHECK, "A data check confirmed", checks_completed, by_family=True, action=CONFIRM))
