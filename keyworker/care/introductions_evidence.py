"""Evidence of the manager's introductions (CC-M1): each recorded introduction, on its day, in one query. A manager
introduction meeting (registered under the same code by the meetings) counts too: this source answers both."""

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse

from keyworker.standards.evidence import (
    EvidenceAction,
    EvidenceRow,
    EvidenceSource,
    SourceRead,
    evidence_source,
    register_evidence,
)

from .models_checklists import Introduction

MANAGER_INTRODUCTION = "manager_introduction"


def introductions(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                  families: set[int] | None = None) -> SourceRead:
    qs = Introduction.objects.filter(organisation_id=organisation_id, introduced_on__gte=start, introduced_on__lte=end)
    if families is not None:
        qs = qs.filter(family_id__in=families)
    return SourceRead(qs.values_list("id", "family_id", "child_id", "introduced_on"), lambda rows: [
        EvidenceRow(family_id, child_id, day, f"introduction:{pk}") for pk, family_id, child_id, day in rows])


def record_url(obligation) -> str:
    if not obligation.family_id:
        return ""
    return f"{reverse('care:introductions')}#family-{obligation.family_id}"


# The source registered under the same code before this one (the meetings' introduction meetings), kept so that
# registering again (as tests do) still answers both.
_EARLIER: dict[str, EvidenceSource] = {}
_MINE: set = set()


def _with_earlier(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                  families: set[int] | None = None) -> Iterable[EvidenceRow]:
    rows = introductions(organisation_id, start, end, conditions, families)
    earlier = _EARLIER.get(MANAGER_INTRODUCTION)
    if earlier is None:
        return rows
    extra = {"families": families} if earlier.by_family else {}
    return SourceRead.joined(rows, earlier.fetch(organisation_id, start, end, conditions, **extra))


_MINE.add(_with_earlier)


def register() -> None:
    earlier = evidence_source(MANAGER_INTRODUCTION)
    if earlier is not None and earlier.fetch not in _MINE:
        _EARLIER[MANAGER_INTRODUCTION] = earlier
    register_evidence(EvidenceSource(
        MANAGER_INTRODUCTION, "A manager's introduction", _with_earlier, by_family=True,
        action=EvidenceAction("Record the introduction", record_url,
                              "The manager's introduction to the new child and family recorded (in person, by phone "
                              "or video), or a manager introduction meeting held with the family.")))
