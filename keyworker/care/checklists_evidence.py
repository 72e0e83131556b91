"""Evidence the checklists give the standards engine: the enrolment checklist complete (CC-K1) and the first-week
induction complete (CC-K5), each dated the day its last required item was in (in four queries)."""

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse

from keyworker.people.models import Child
from keyworker.standards.evidence import EvidenceAction, EvidenceRow, EvidenceSource, register_evidence

from .checklists import checklists_for
from .models_checklists import CHECKLIST_KINDS, ChecklistKind, ChecklistTick

ENROLMENT_CHECKLIST = "enrolment_checklist"
INDUCTION_COMPLETED = "induction_completed"


def _completed(kind: str):
    def fetch(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
              families: set[int] | None = None) -> Iterable[EvidenceRow]:
        children = Child.objects.filter(organisation_id=organisation_id, setting__kind__in=CHECKLIST_KINDS,
                                        enrolled_on__lte=end)
        if families is not None:
            children = children.filter(family_id__in=families)
        # Only a child with a tick can be complete (every checklist has an item staff tick, the paperwork or the
        # induction's), so the others are not read at all.
        children = children.filter(id__in=ChecklistTick.objects.filter(organisation_id=organisation_id, kind=kind)
                                   .values("child_id"))
        rows = []
        for checklist in checklists_for(children.only("id", "family_id", "setting_id", "enrolled_on"), kind).values():
            day = checklist.completed_on
            if day is not None and start <= day <= end:
                child = checklist.child
                rows.append(EvidenceRow(child.family_id, child.pk, day, f"checklist:{kind}:{child.pk}"))
        return rows

    return fetch


def checklist_url(obligation) -> str:
    return reverse("care:checklists_child", args=[obligation.child_id]) if obligation.child_id else ""


def register() -> None:
    register_evidence(EvidenceSource(
        ENROLMENT_CHECKLIST, "The enrolment checklist completed", _completed(ChecklistKind.ENROLMENT), by_family=True,
        action=EvidenceAction("Complete the checklist", checklist_url,
                              "Every required item of the child's enrolment checklist in: ticked by staff, or answered "
                              "in the family's enrolment form and accepted.")))
    register_evidence(EvidenceSource(
        INDUCTION_COMPLETED, "An induction checklist completed", _completed(ChecklistKind.INDUCTION), by_family=True,
        action=EvidenceAction("Complete the induction", checklist_url,
                              "Every required item of the child's first-week induction ticked: fire evacuation, tour "
                              "of the spaces, snack and the setting's own.")))
