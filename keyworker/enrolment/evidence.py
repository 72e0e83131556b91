"""Evidence that enrolment forms provide to the standards engine: the form accepted, dated the day (CC-P1)."""

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

from .models import EnrolmentForm, FormState

ENROLMENT_PAPERWORK = "enrolment_paperwork"


def forms_accepted(
    organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None
) -> Iterable[EvidenceRow]:
    """A row per child on the day staff accepted the form, in one query."""
    qs = EnrolmentForm.objects.filter(
        organisation_id=organisation_id, state=FormState.ACCEPTED, accepted_on__gte=start, accepted_on__lte=end,
    )
    if families is not None:
        qs = qs.filter(family_id__in=families)
    return SourceRead(qs.values_list("id", "family_id", "child_id", "accepted_on"), lambda rows: [
        EvidenceRow(family_id, child_id, day, f"enrolment:{pk}") for pk, family_id, child_id, day in rows
    ])


def review_url(obligation) -> str:
    return reverse("enrolment:child", args=[obligation.child_id]) if obligation.child_id else ""


REVIEW = EvidenceAction("Review the enrolment form", review_url,
                        "The family's enrolment form sent from the carers' portal and accepted by staff.")


def register() -> None:
    register_evidence(EvidenceSource(ENROLMENT_PAPERWORK, "Enrolment paperwork complete", forms_accepted, by_family=True,
                                     action=REVIEW))
