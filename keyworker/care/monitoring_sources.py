"""What the manager's monitoring (CC-M3) knows of the records it monitors.

Each kind of record a manager monitors (a learning journal, a personal care plan) registers a source when the app
starts. A source answers, for a whole setting at once and in a fixed number of queries, where each child's record
stands on a date; the monitoring view and its quality samples know records only through these sources.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from keyworker.organisations.models import Setting


@dataclass(frozen=True)
class MonitoredRecord:
    """Where one child's record of one kind stands on a date."""

    child_id: int
    kind: str  # the source's kind, e.g. "journal" or "care_plan"
    last_updated: dt.date | None  # the last entry (an observation, a plan version); None when there is none
    last_reviewed: dt.date | None  # the last review or sign-off, where the kind has one
    next_due: dt.date | None  # when the next entry or review is due
    up_to_date: bool
    reason: str  # why it is (not) up to date, in a user's words, e.g. "No observation for 19 days"
    url: str  # the staff page of this child's record


@dataclass(frozen=True)
class MonitoringSource:
    kind: str  # "journal", "care_plan"
    label: str  # "Learning journal", "Personal care plan"
    setting_kinds: tuple[str, ...]  # the kinds of setting whose children have this record
    records: Callable[[Setting, dt.date], dict[int, MonitoredRecord]]  # child id -> record, children of the setting


_SOURCES: dict[str, MonitoringSource] = {}


def register_monitoring_source(source: MonitoringSource) -> None:
    _SOURCES[source.kind] = source


def unregister_monitoring_source(kind: str) -> None:
    _SOURCES.pop(kind, None)


def monitoring_sources(setting_kind: str | None = None) -> list[MonitoringSource]:
    """The registered sources, in registration order; only those for a kind of setting when one is given."""
    return [s for s in _SOURCES.values() if setting_kind is None or setting_kind in s.setting_kinds]
