"""The rules the engine computes: each standard's definition in force, and the periods it applies to.

A standard's definition can change with a date (a StandardRevision's `effective_from`), and a policy version
replaces the last from its own effective date. Each change yields a Rule: the definition, and the period starts
it governs. A period belongs to the rule in force on the day it starts, so the obligations of a period are those
of exactly one rule, and closed periods keep the rule they were computed under.
"""

import datetime as dt
from dataclasses import dataclass

from .evidence import event_source, evidence_source
from .models import EVENT_CADENCES, Standard

# What the engine reads of a standard.
STANDARD_FIELDS = (
    "id", "organisation_id", "setting_kinds", "conditions", "subject", "cadence", "cadence_n", "evidence", "event",
    "evidence_conditions", "responsible", "due_soon_days", "escalate_after_days", "day_count", "grace_school_days",
    "one_off_open_school_days",
)


@dataclass(frozen=True)
class Rule:
    """A standard's definition over a span of period starts: [starts_on, ends_before); None leaves a side open.

    `standard` has the standard's id; when the definition in force differs from the stored row's, it is an
    unsaved copy holding that definition."""

    standard: Standard
    starts_on: dt.date | None = None
    ends_before: dt.date | None = None

    def governs(self, period_start: dt.date) -> bool:
        return (self.starts_on is None or period_start >= self.starts_on) and (
            self.ends_before is None or period_start < self.ends_before
        )


def _computable(s: Standard) -> bool:
    return evidence_source(s.evidence) is not None and (s.cadence not in EVENT_CADENCES or event_source(s.event) is not None)


def rules_for(organisation_id: int, since: dt.date, as_of: dt.date) -> list[Rule]:
    """The rules governing periods that start between `since` and as_of (and the look-ahead), ordered by standard.

    Today: the enabled standards of the versions in force, each for every period."""
    standards = (
        Standard.objects.filter(organisation_id=organisation_id, enabled=True, policy_version__in_force=True)
        .only(*STANDARD_FIELDS).order_by("id")
    )
    return [Rule(s) for s in standards if _computable(s)]
