"""The My week panel of the manager's monitoring (CC-M3): a key person's quality check findings awaiting their
acknowledgement, and for a leader the quality samples in progress in the settings they monitor."""

import datetime as dt
from dataclasses import dataclass, field

from keyworker.accounts.access import Actor
from keyworker.core.extensions import WeekPanel, register_week_panel

from .models_monitoring import MonitoringFinding, MonitoringSample
from .monitoring_selectors import findings_awaiting, samples_visible_to
from .policies import MONITORED_KINDS

FIRST_FEW = 5


@dataclass
class MonitoringPanel:
    findings: list[MonitoringFinding]
    open_samples: list[MonitoringSample] = field(default_factory=list)

    @property
    def first_few(self) -> list[MonitoringFinding]:
        return self.findings[:FIRST_FEW]

    @property
    def more(self) -> int:
        return max(0, len(self.findings) - FIRST_FEW)


def build(actor: Actor, as_of: dt.date) -> MonitoringPanel | None:
    """None when there is nothing to acknowledge or score: two queries."""
    findings = findings_awaiting(actor)
    open_samples = list(samples_visible_to(actor).filter(signed_off_at__isnull=True).select_related("setting")
                        .order_by("setting__name", "id"))
    if not findings and not open_samples:
        return None
    return MonitoringPanel(findings, open_samples)


def register() -> None:
    register_week_panel(WeekPanel("monitoring", 34, "care/monitoring_week_panel.html", build, frozenset(MONITORED_KINDS)))
