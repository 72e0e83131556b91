"""Evidence that learning journals provide to the standards engine: an observation of a child, dated the day observed
(CC-K4, "observations up to date"). A hidden observation is no evidence. Also the monitoring source (CC-M3) and the
My week panel of the key person whose children's observations are due or overdue."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.caseload.selectors import caseload_children, current_caseload, on_roll_between
from keyworker.core.extensions import WeekPanel, register_week_panel
from keyworker.organisations.models import Setting
from keyworker.people.models import Child
from keyworker.standards.evidence import (
    EvidenceAction,
    EvidenceRow,
    EvidenceSource,
    SourceRead,
    register_evidence,
)

from .journals_selectors import JOURNAL_KINDS, JournalStatus, journal_statuses
from .models_journals import ObservationChild
from .monitoring_sources import MonitoredRecord, MonitoringSource, register_monitoring_source

OBSERVATION = "observation"


def observations_made(
    organisation_id: int, start: dt.date, end: dt.date, conditions: dict, families: set[int] | None = None
) -> Iterable[EvidenceRow]:
    """A row per child per observation (not hidden) on the day observed, in one query."""
    qs = ObservationChild.objects.filter(organisation_id=organisation_id, hidden=False, observed_on__gte=start,
                                         observed_on__lte=end)
    if families is not None:
        qs = qs.filter(family_id__in=families)
    return SourceRead(qs.values_list("observation_id", "family_id", "child_id", "observed_on"), lambda rows: [
        EvidenceRow(family_id, child_id, day, f"observation:{obs_id}") for obs_id, family_id, child_id, day in rows
    ])


def record_url(obligation) -> str:
    return reverse("care:journal_new", args=[obligation.child_id]) if obligation.child_id else ""


RECORD = EvidenceAction("Record an observation", record_url,
                        "An observation of the child in their learning journal, dated the day observed (a group "
                        "observation counts for every child in it).")


# The manager's monitoring (CC-M3) ----------------------------------------------------------------------------------


def monitored_journals(setting: Setting, as_of: dt.date) -> dict[int, MonitoredRecord]:
    """Each child on roll in the setting: the last observation, when the next is due, up to date: two queries."""
    children = list(Child.objects.filter(setting=setting, enrolled_on__lte=as_of)
                    .filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of)).order_by("id"))
    return {
        s.child.pk: MonitoredRecord(child_id=s.child.pk, kind="journal", last_updated=s.last_observed, last_reviewed=None,
                                    next_due=s.next_due, up_to_date=s.up_to_date, reason=s.reason,
                                    url=reverse("care:journal", args=[s.child.pk]))
        for s in journal_statuses(children, as_of)
    }


# The key person's week ---------------------------------------------------------------------------------------------


@dataclass
class JournalPanel:
    rows: list[JournalStatus]

    @property
    def overdue(self) -> list[JournalStatus]:
        return [r for r in self.rows if r.overdue]

    @property
    def due_soon(self) -> list[JournalStatus]:
        return [r for r in self.rows if r.due_soon]


def panel_build(actor: Actor, as_of: dt.date) -> JournalPanel | None:
    """The key person's children in early years settings whose next observation is due within 3 days or overdue:
    three queries; None when there are none."""
    staff = getattr(actor, "staff", None)
    if not actor.is_member or staff is None:
        return None
    # The caseload and its children as My week reads them once for every panel.
    allocations = {(a.family_id, a.setting_id) for a in current_caseload(actor) if a.setting.kind in JOURNAL_KINDS}
    if not allocations:
        return None
    children = sorted((c for c in caseload_children(actor)
                       if (c.family_id, c.setting_id) in allocations and on_roll_between(c, as_of, as_of)),
                      key=lambda c: (c.legal_first_name, c.pk))
    rows = [s for s in journal_statuses(children, as_of) if s.overdue or s.due_soon]
    rows.sort(key=lambda s: (s.next_due, s.child.legal_first_name))
    return JournalPanel(rows) if rows else None


def register() -> None:
    register_evidence(EvidenceSource(OBSERVATION, "A learning journal observation", observations_made, by_family=True,
                                     action=RECORD))
    register_monitoring_source(MonitoringSource(kind="journal", label="Learning journal", setting_kinds=tuple(JOURNAL_KINDS),
                                                records=monitored_journals))
    register_week_panel(WeekPanel("journals", 34, "care/journals_week_panel.html", panel_build, frozenset(JOURNAL_KINDS)))
