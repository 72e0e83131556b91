"""Escalating attendance (SCH-5), as the standards engine sees it: its event (a concern raised) and its evidence (an
action logged on a concern), registered with the worker's cycle.

The parts live beside it: the organisation's tiers and patterns in `escalation_settings`, which tier a child reaches
in `escalation_rules`, the evaluation and the writes on a concern in `escalation_services`, the reads in
`escalation_selectors`, who may close one in `policies`, the demo's concerns in `demo`. Their public names are
importable from here too.
"""
import datetime as dt

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

from .escalation_selectors import access_concern, concerns_visible_to
from .escalation_services import (
    NOTIFICATION_KIND,
    EvaluationResult,
    concern_action_add,
    concern_close,
    concerns_evaluate,
    escalation_run,
)
from .escalation_settings import (
    DEFAULT_TIERS,
    KEY_WORKER,
    MAX_TIERS,
    TierInput,
    escalation_settings,
    escalation_setup_save,
    role_choices,
    tiers_for,
)
from .models import AttendanceConcern, ConcernAction, ConcernActionKind
from .policies import can_close, leader_setting_ids

__all__ = [
    "DEFAULT_TIERS", "KEY_WORKER", "MAX_TIERS", "NOTIFICATION_KIND", "EvaluationResult", "TierInput", "access_concern",
    "can_close", "concern_action_add", "concern_close", "concerns_evaluate", "concerns_visible_to", "escalation_run",
    "escalation_settings", "escalation_setup_save", "leader_setting_ids", "role_choices", "tiers_for",
]

CONCERN_RAISED = "attendance_concern_raised"
CONCERN_ACTION = "attendance_concern_action"


# The standards engine -------------------------------------------------------------------------------------------


def concerns_raised(organisation_id: int, start: dt.date, end: dt.date) -> SourceRead:
    """A row per concern opened or raised in [start, end] (its latest raise), in one query."""
    rows = AttendanceConcern.objects.filter(organisation_id=organisation_id, raised_on__gte=start, raised_on__lte=end).values_list(
        "pk", "child__family_id", "child_id", "raised_on", "tier_order")
    return SourceRead(rows, lambda rows: [EventRow(family_id, child_id, day, f"attendance-concern:{pk}:{tier}")
                                          for pk, family_id, child_id, day, tier in rows])


def concern_actions(organisation_id: int, start: dt.date, end: dt.date, conditions: dict,
                    families: set[int] | None = None) -> SourceRead:
    """Actions logged on a concern (not the automatic opening or raising), in one query."""
    qs = ConcernAction.objects.filter(organisation_id=organisation_id, kind__in=[ConcernActionKind.ACTION, ConcernActionKind.CLOSED],
                                      happened_on__gte=start, happened_on__lte=end)
    if families is not None:
        qs = qs.filter(concern__child__family_id__in=families)
    rows = qs.values_list("pk", "concern__child__family_id", "concern__child_id", "happened_on").order_by()
    return SourceRead(rows, lambda rows: [EvidenceRow(family_id, child_id, day, f"concern-action:{pk}")
                                          for pk, family_id, child_id, day in rows])


def concern_action_url(obligation) -> str:
    """The attendance concern the obligation counts from, where actions are logged."""
    parts = obligation.subject_key.partition("@")[2].split(":")
    if len(parts) == 3 and parts[0] == "attendance-concern" and parts[1].isdigit():
        return reverse("attendance:concern", args=[int(parts[1])])
    return ""


CONCERN_ACTION_ACTION = EvidenceAction("Log an action", concern_action_url, "An action logged on the attendance concern.")


def register() -> None:
    from keyworker.core.periodic import register_periodic

    register_events(EventSource(CONCERN_RAISED, "An attendance concern raised", concerns_raised))
    register_evidence(EvidenceSource(CONCERN_ACTION, "An action logged on an attendance concern", concern_actions, by_family=True,
                                     action=CONCERN_ACTION_ACTION))
    register_periodic("attendance.escalation", escalation_run)
