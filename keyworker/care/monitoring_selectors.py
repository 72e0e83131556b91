"""Reads for the manager's monitoring (CC-M3), scoped to the acting user, each in a fixed number of queries: a
setting's monitoring rows (every child, every record kind that applies), its quality samples and their findings."""

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.caseload.selectors import current_allocations
from keyworker.organisations.models import Setting
from keyworker.people.models import Child
from keyworker.standards.models import Obligation, ObligationState
from keyworker.standards.selectors import state_display

from .models_monitoring import MonitoringFinding, MonitoringItem, MonitoringSample
from .monitoring_sources import MonitoredRecord, MonitoringSource, monitoring_sources
from .policies import MONITORED_KINDS, can_monitor, monitored_setting_ids

# The evidence of the clauses a manager monitors: CC-M3 itself and the records it looks at (journal observations,
# care plan reviews and updates). Their overdue obligations in the setting show on the monitoring view.
MONITORED_EVIDENCE = ("journal_monitoring", "observation", "care_plan_review", "care_plan_update_child_chose")
OVERDUE_STATES = (ObligationState.OVERDUE, ObligationState.ESCALATED)
RANDOM_SAMPLE_SIZE = 5
RANDOM_SAMPLE_MAX = 30


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


# Settings ----------------------------------------------------------------------------------------------------------


def monitored_settings(actor: Actor) -> list[Setting]:
    """The childcare settings whose monitoring the actor sees, by name (one query)."""
    if not actor.is_member:
        return []
    ids = monitored_setting_ids(actor)
    qs = Setting.objects.filter(organisation_id=actor.organisation_id, kind__in=MONITORED_KINDS)
    if ids is not None:
        qs = qs.filter(id__in=ids)
    return list(qs.order_by("name", "id"))


def access_monitored_setting(actor: Actor, setting_id: int | str) -> Setting:
    """The setting, if the actor monitors it; 404 otherwise (another organisation's, a school, a setting they do not
    lead)."""
    try:
        sid = int(setting_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such setting") from exc
    setting = Setting.objects.filter(pk=sid, organisation_id=actor.organisation_id, kind__in=MONITORED_KINDS).first()
    if setting is None or not can_monitor(actor, setting.pk):
        raise Http404("No such setting")
    return setting


# The monitoring view ---------------------------------------------------------------------------------------------


@dataclass
class MonitoringRow:
    child: Child
    source: MonitoringSource
    record: MonitoredRecord
    key_person: StaffMember | None

    @property
    def key(self) -> str:
        """How a form names this record: "<kind>:<child id>"."""
        return f"{self.source.kind}:{self.child.pk}"


@dataclass
class SourceCount:
    source: MonitoringSource
    total: int
    out_of_date: int


@dataclass
class MonitoringView:
    setting: Setting
    as_of: dt.date
    sources: list[MonitoringSource]
    rows: list[MonitoringRow]  # every child and kind, before filters
    shown: list[MonitoringRow]  # after filters
    counts: list[SourceCount]
    key_people: list[StaffMember]
    overdue: list[Obligation]
    children: int = 0
    offered: set[str] = field(default_factory=set)  # a random sample's records, when one is offered

    @property
    def out_of_date(self) -> int:
        return sum(c.out_of_date for c in self.counts)


def _missing(child: Child, source: MonitoringSource) -> MonitoredRecord:
    """A child the source gave nothing for: shown, as not up to date, rather than left out."""
    return MonitoredRecord(child.pk, source.kind, None, None, None, False, "No record yet", "")


def children_on_roll(setting: Setting, as_of: dt.date) -> list[Child]:
    """The setting's children on roll on the day, with their family and room (one query)."""
    return list(
        Child.objects.filter(setting=setting, enrolled_on__lte=as_of)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of))
        .select_related("family", "group").order_by("legal_last_name", "legal_first_name", "id")
    )


def key_people_by_family(setting: Setting) -> dict[int, StaffMember]:
    """Each family's current key person in the setting (one query)."""
    return {a.family_id: a.staff for a in current_allocations().filter(setting=setting).select_related("staff__user")}


def overdue_obligations(setting: Setting) -> list[Obligation]:
    """The setting's overdue and escalated obligations of the monitored clauses, oldest due first (one query)."""
    rows = list(
        Obligation.objects.filter(organisation_id=setting.organisation_id, setting=setting, state__in=OVERDUE_STATES,
                                  standard__evidence__in=MONITORED_EVIDENCE)
        .select_related("standard", "family", "child", "responsible_staff__user").order_by("due_on", "id")
    )
    for o in rows:
        o.display = state_display(o.state)
    return rows


def monitoring_view(setting: Setting, as_of: dt.date, *, out_of_date_only: bool = False,
                    key_person_id: int | None = None, offer: int = 0) -> MonitoringView:
    """Every child of the setting and every registered source for its kind: children, key people and overdue
    obligations in three queries, plus each source's own fixed number."""
    sources = monitoring_sources(setting.kind)
    children = children_on_roll(setting, as_of)
    key_people = key_people_by_family(setting)
    rows: list[MonitoringRow] = []
    counts: list[SourceCount] = []
    by_source = [(source, source.records(setting, as_of)) for source in sources]
    for child in children:  # each child's records together, in the sources' order
        for source, records in by_source:
            record = records.get(child.pk) or _missing(child, source)
            rows.append(MonitoringRow(child, source, record, key_people.get(child.family_id)))
    for source, _ in by_source:
        mine = [r for r in rows if r.source is source]
        counts.append(SourceCount(source, len(mine), sum(not r.record.up_to_date for r in mine)))
    shown = [r for r in rows if (not out_of_date_only or not r.record.up_to_date)
             and (key_person_id is None or (r.key_person is not None and r.key_person.pk == key_person_id))]
    people = {s.pk: s for s in key_people.values()}
    view = MonitoringView(
        setting=setting, as_of=as_of, sources=sources, rows=rows, shown=shown, counts=counts,
        key_people=sorted(people.values(), key=lambda s: (s.user.full_name, s.pk)),
        overdue=overdue_obligations(setting), children=len(children),
    )
    if offer:
        view.offered = set(random_sample([r.key for r in rows], setting, as_of, offer))
    return view


def random_sample(keys: list[str], setting: Setting, as_of: dt.date, size: int = RANDOM_SAMPLE_SIZE) -> list[str]:
    """`size` of the records, chosen at random but the same all month for the same records: seeded by the setting and
    the month."""
    pool = sorted(keys)
    rng = random.Random(f"monitoring:{setting.pk}:{first_of_month(as_of).isoformat()}")  # noqa: S311 (not security)
    return sorted(rng.sample(pool, min(size, len(pool))))


def setting_records(setting: Setting, as_of: dt.date) -> dict[str, tuple[MonitoringSource, MonitoredRecord, Child]]:
    """Every record of the setting by its key "<kind>:<child id>" (for picking a sample)."""
    children = children_on_roll(setting, as_of)
    found: dict[str, tuple[MonitoringSource, MonitoredRecord, Child]] = {}
    for source in monitoring_sources(setting.kind):
        records = source.records(setting, as_of)
        for child in children:
            found[f"{source.kind}:{child.pk}"] = (source, records.get(child.pk) or _missing(child, source), child)
    return found


# Samples -----------------------------------------------------------------------------------------------------------


def samples_visible_to(actor: Actor) -> QuerySet[MonitoringSample]:
    """The samples of the settings the actor monitors."""
    if not actor.is_member:
        return MonitoringSample.objects.none()
    qs = MonitoringSample.objects.filter(organisation_id=actor.organisation_id, setting__kind__in=MONITORED_KINDS)
    ids = monitored_setting_ids(actor)
    return qs if ids is None else qs.filter(setting_id__in=ids)


def with_items(qs: QuerySet[MonitoringSample]) -> QuerySet[MonitoringSample]:
    """Each sample's items, their child and finding (with its key person), in two more queries."""
    items = MonitoringItem.objects.select_related("child", "finding__staff__user", "scored_by__user").order_by("id")
    return qs.select_related("setting", "started_by__user", "signed_off_by__user").prefetch_related(
        Prefetch("items", queryset=items))


def access_sample(actor: Actor, sample_id: int) -> MonitoringSample:
    sample = with_items(samples_visible_to(actor)).filter(pk=sample_id).first()
    if sample is None:
        raise Http404("No such sample")
    return sample


def setting_samples(setting: Setting, limit: int = 12) -> list[MonitoringSample]:
    """The setting's latest samples, newest first, with how many items each has scored and acknowledged."""
    return list(with_items(MonitoringSample.objects.filter(setting=setting))[:limit])


def open_sample(setting: Setting) -> MonitoringSample | None:
    return MonitoringSample.objects.filter(setting=setting, signed_off_at__isnull=True).first()


def sample_summary(sample: MonitoringSample) -> dict[str, int]:
    """Counts of a sample's items (from its prefetched items): scored, findings sent and acknowledged, and each
    score given."""
    items = list(sample.items.all())
    scores: Counter[str] = Counter()
    findings = [getattr(i, "finding", None) for i in items]
    for item in items:
        scores.update(item.scores.values())
    return {
        "items": len(items), "scored": sum(i.is_scored for i in items),
        "findings": sum(f is not None for f in findings),
        "acknowledged": sum(f is not None and f.acknowledged_at is not None for f in findings),
        "good": scores["good"], "needs_work": scores["needs_work"], "missing": scores["missing"],
    }


# Findings ----------------------------------------------------------------------------------------------------------


def findings_visible_to(actor: Actor) -> QuerySet[MonitoringFinding]:
    """A key person's own findings, and every finding of the settings the actor monitors."""
    if not actor.is_member:
        return MonitoringFinding.objects.none()
    mine = Q(staff=actor.staff)
    ids = monitored_setting_ids(actor)
    monitored = Q(item__sample__setting__kind__in=MONITORED_KINDS) & (Q() if ids is None else Q(item__sample__setting_id__in=ids))
    return MonitoringFinding.objects.filter(organisation_id=actor.organisation_id).filter(mine | monitored)


def with_details(qs: QuerySet[MonitoringFinding]) -> QuerySet[MonitoringFinding]:
    return qs.select_related("item__child", "item__sample__setting", "item__sample__signed_off_by__user", "staff__user")


def access_finding(actor: Actor, finding_id: int) -> MonitoringFinding:
    finding = with_details(findings_visible_to(actor)).filter(pk=finding_id).first()
    if finding is None:
        raise Http404("No such finding")
    return finding


def findings_awaiting(actor: Actor) -> list[MonitoringFinding]:
    """The actor's own findings not yet acknowledged, oldest first (one query)."""
    if not actor.is_member:
        return []
    return list(with_details(MonitoringFinding.objects.filter(
        organisation_id=actor.organisation_id, staff=actor.staff, acknowledged_at__isnull=True)).order_by("sent_at", "id"))
