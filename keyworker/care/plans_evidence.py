"""Evidence that personal care plans provide to the standards engine: each review, dated the day it was done
(CC-K3), and the reviews that record whom the child chose to do it with (CC-C1)."""

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

from .models_plans import CarePlanReview, ChildChose

CARE_PLAN_REVIEW = "care_plan_review"
CARE_PLAN_CHILD_CHOSE = "care_plan_update_child_chose"


def _reviews(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None, chosen_only: bool):
    qs = CarePlanReview.objects.filter(organisation_id=organisation_id, reviewed_on__gte=start, reviewed_on__lte=end)
    if chosen_only:
        qs = qs.exclude(child_chose=ChildChose.NOT_RECORDED)
    if families is not None:
        qs = qs.filter(family_id__in=families)
    return SourceRead(qs.values_list("id", "family_id", "child_id", "reviewed_on", "setting_id"), lambda rows: [
        EvidenceRow(family_id, child_id, day, f"care-plan-review:{pk}", setting_id=setting_id)
        for pk, family_id, child_id, day, setting_id in rows])


def reviews_done(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                 families: set[int] | None = None) -> Iterable[EvidenceRow]:
    """A row per review on the day it was done, in one query."""
    return _reviews(organisation_id, start, end, families, chosen_only=False)


def reviews_child_chose(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                        families: set[int] | None = None) -> Iterable[EvidenceRow]:
    """A row per review that records whom the child chose (their key person or another staff member), one query."""
    return _reviews(organisation_id, start, end, families, chosen_only=True)


def review_url(obligation) -> str:
    return reverse("care:plan_review", args=[obligation.child_id]) if obligation.child_id else ""


REVIEW = EvidenceAction("Review the care plan", review_url,
                        "A review of the child's personal care plan, dated the day it was done.")
CHOSE = EvidenceAction("Review the care plan", review_url,
                       "A review of the personal care plan that records the staff member the child chose to do it with.")


def register() -> None:
    register_evidence(EvidenceSource(CARE_PLAN_REVIEW, "Personal care plan reviewed", reviews_done, by_family=True,
                                     action=REVIEW))
    register_evidence(EvidenceSource(CARE_PLAN_CHILD_CHOSE, "Care plan update with the staff member the child chose",
                                     reviews_child_chose, by_family=True, action=CHOSE))
