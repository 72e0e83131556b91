"""Evidence the manager's monitoring gives the standards engine: a signed-off quality sample of a setting meets the
setting's monthly monitoring check (CC-M3), dated the day it was signed off."""

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

from .models_monitoring import MonitoringSample

JOURNAL_MONITORING = "journal_monitoring"


def samples_signed_off(
    organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None
) -> Iterable[EvidenceRow]:
    """A row per signed-off sample, about its setting (no family), in one query."""
    qs = MonitoringSample.objects.filter(organisation_id=organisation_id, signed_off_on__gte=start, signed_off_on__lte=end)
    return SourceRead(qs.values_list("id", "setting_id", "signed_off_on"), lambda rows: [
        EvidenceRow(None, None, day, f"monitoring:{pk}", setting_id=setting_id) for pk, setting_id, day in rows
    ])


def monitoring_url(obligation) -> str:
    return reverse("care:monitoring", args=[obligation.setting_id]) if obligation.setting_id else ""


MONITOR = EvidenceAction("Monitor journals and care plans", monitoring_url,
                         "A quality sample of the setting's journals and care plans, scored and signed off by a leader.")


def register() -> None:
    register_evidence(EvidenceSource(JOURNAL_MONITORING, "Learning journals and care plans monitored", samples_signed_off,
                                     by_family=True, action=MONITOR))
