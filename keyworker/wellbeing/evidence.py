"""What family wellbeing gives the standards engine: the event "wellbeing_concern" (a concern raised about a family)
and the evidence "wellbeing_follow_up" (SCH-9: any follow-up recorded on a concern) and "agency_contact" (CC-M2:
signposting, a referral or a contact with an agency recorded by a leader of the setting)."""

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse

from keyworker.standards.evidence import (
    EventRow,
    EventSource,
    EvidenceAction,
    EvidenceRow,
    EvidenceSource,
    SourceRead,
    register_events,
    register_evidence,
)

from .models import AGENCY_KINDS, WellbeingConcern, WellbeingFollowUp

WELLBEING_CONCERN = "wellbeing_concern"
WELLBEING_FOLLOW_UP = "wellbeing_follow_up"
AGENCY_CONTACT = "agency_contact"


def concerns_raised(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None = None) -> SourceRead:
    """A row per concern (its family, the day it was noticed), in one query."""
    qs = WellbeingConcern.objects.filter(organisation_id=organisation_id, noticed_on__gte=start, noticed_on__lte=end)
    if families is not None:
        qs = qs.filter(family_id__in=families)
    return SourceRead(qs.order_by("noticed_on", "id").values_list("id", "family_id", "noticed_on"),
                      lambda rows: [EventRow(family_id, None, day, f"wb{pk}") for pk, family_id, day in rows])


def _follow_ups(organisation_id: int, start: dt.date, end: dt.date, families: set[int] | None, *, agency_only: bool) -> SourceRead:
    qs = WellbeingFollowUp.objects.filter(organisation_id=organisation_id, happened_on__gte=start, happened_on__lte=end)
    if families is not None:
        qs = qs.filter(family_id__in=families)
    if agency_only:
        qs = qs.filter(kind__in=list(AGENCY_KINDS), by_leader=True)
    return SourceRead(qs.order_by().values_list("id", "family_id", "happened_on"),
                      lambda rows: [EvidenceRow(family_id, None, day, f"wellbeing_follow_up:{pk}") for pk, family_id, day in rows])


def follow_ups_recorded(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                        families: set[int] | None = None) -> Iterable[EvidenceRow]:
    return _follow_ups(organisation_id, start, end, families, agency_only=False)


def agency_contacts(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                    families: set[int] | None = None) -> Iterable[EvidenceRow]:
    return _follow_ups(organisation_id, start, end, families, agency_only=True)


def concern_url(obligation) -> str:
    """The concern the obligation counts from (its follow-ups are added there), else the family's concerns."""
    ref = obligation.subject_key.partition("@")[2]
    if ref.startswith("wb") and ref[2:].isdigit():
        return reverse("wellbeing:concern", args=[int(ref[2:])])
    return reverse("wellbeing:concerns") if obligation.family_id else ""


FOLLOW_UP = EvidenceAction("Record the follow-up", concern_url, "A follow-up recorded on the concern within the days allowed.")
AGENCY = EvidenceAction("Record the agency contact", concern_url,
                        "Signposting, a referral or a contact with an agency, recorded on the concern by a leader of the setting.")


def register() -> None:
    register_events(EventSource(WELLBEING_CONCERN, "A wellbeing concern raised", concerns_raised, by_family=True))
    register_evidence(EvidenceSource(WELLBEING_FOLLOW_UP, "A wellbeing follow-up", follow_ups_recorded, by_family=True,
                                     action=FOLLOW_UP))
    register_evidence(EvidenceSource(AGENCY_CONTACT, "Contact with an outside agency", agency_contacts, by_family=True,
                                     action=AGENCY))
