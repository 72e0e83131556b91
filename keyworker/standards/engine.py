"""The engine: computes every obligation of an organisation as of a date, set-based, and stores the difference.

A full run reads, whatever the number of families: the standards, the settings' calendars, the children on
roll, the current key workers, the stored obligations, and one query per evidence source. An incremental run
(`families=`) does the same for a few families; both go through `_compute`, so their results are equal.
"""

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Organisation, Setting
from keyworker.people.models import Child

from .evidence import EventRow, EvidenceRow, event_source, evidence_source
from .models import (
    EVENT_CADENCES,
    OPEN_STATES,
    Cadence,
    Obligation,
    ObligationEvent,
    ObligationState,
    Responsible,
    Standard,
    Subject,
)
from .periods import Window, windows

# How far back a run looks: obligations of earlier windows are settled history and are not recomputed.
LOOKBACK_DAYS = 400
# How far ahead "N days before each event" looks: a reminder for next month's review shows as upcoming.
LOOKAHEAD_DAYS = 60
# A reminder before an event counts from this many days before its due date (earlier is not a reminder).
BEFORE_EVENT_EARLIEST = 14


@dataclass(frozen=True)
class Desired:
    standard_id: int
    setting_id: int
    family_id: int
    child_id: int | None
    subject_key: str
    window: Window
    responsible_staff_id: int | None
    state: str
    met_on: dt.date | None
    evidence_ref: str


@dataclass
class RunResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    events: int = 0


def state_for(window: Window, met_on: dt.date | None, standard: Standard, as_of: dt.date) -> str:
    if met_on is not None:
        return ObligationState.MET
    if as_of > window.due_on:
        if standard.escalate_after_days is not None and (as_of - window.due_on).days > standard.escalate_after_days:
            return ObligationState.ESCALATED
        return ObligationState.OVERDUE
    if (window.due_on - as_of).days <= standard.due_soon_days:
        return ObligationState.DUE_SOON
    return ObligationState.UPCOMING


def _matches(child: dict, conditions: dict, as_of: dt.date) -> bool:
    for key, want in conditions.items():
        if key == "has_ehcp" and bool(child["has_ehcp"]) != bool(want):
            return False
        if key == "year_group" and child["year_group"] != want:
            return False
        if key == "enrolled_within_days" and (as_of - child["enrolled_on"]).days > int(want):
            return False
    return True


CONDITION_KEYS = {"has_ehcp", "year_group", "enrolled_within_days"}


def _compute(organisation_id: int, as_of: dt.date, families: set[int] | None) -> tuple[list[Desired], dt.date]:
    """What every obligation should be, and the earliest period start the computation covers."""
    since = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    standards = [
        s for s in Standard.objects.filter(organisation_id=organisation_id, enabled=True).order_by("id")
        if evidence_source(s.evidence) is not None and (s.cadence not in EVENT_CADENCES or event_source(s.event) is not None)
    ]
    if not standards:
        return [], since
    children_qs = Child.objects.filter(organisation_id=organisation_id, enrolled_on__lte=as_of).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=as_of)
    )
    if families is not None:
        children_qs = children_qs.filter(family_id__in=families)
    children = list(children_qs.values("id", "family_id", "setting_id", "has_ehcp", "year_group", "enrolled_on"))
    # Only the settings the children are in (an update for one family reads one calendar, not the organisation's).
    settings = {s.pk: s for s in Setting.objects.filter(organisation_id=organisation_id, id__in={c["setting_id"] for c in children})}
    calendars = {pk: TermCalendar.for_setting(s) for pk, s in settings.items()}
    # Recurring windows start with this school year; earlier ones are settled history, neither read nor rewritten.
    year_starts = [y for y in (c.school_year_start(as_of) for c in calendars.values()) if y is not None]
    # (Weekly windows begin on the Monday of the year's first week.)
    first = min(year_starts) if year_starts else as_of
    recurring_from = max(since, first - dt.timedelta(days=first.weekday()))

    def lower_bound(s: Standard) -> dt.date:
        return recurring_from if s.cadence not in (Cadence.AFTER_ENROLMENT, *EVENT_CADENCES) else since

    family_ids = {c["family_id"] for c in children}
    allocations = KeyWorkerAllocation.objects.filter(organisation_id=organisation_id, ends_at__isnull=True)
    if families is not None:
        allocations = allocations.filter(family_id__in=families)
    key_workers = {
        (a["family_id"], a["setting_id"]): a["staff_id"] for a in allocations.values("family_id", "setting_id", "staff_id")
    }
    # One fetch per evidence source and set of conditions, shared by the standards that use it.
    evidence: dict[tuple[str, str], dict[tuple[int, int | None], list[EvidenceRow]]] = {}
    fetch_from: dict[tuple[str, str], dt.date] = {}
    for s in standards:
        key = (s.evidence, repr(sorted(s.evidence_conditions.items())))
        fetch_from[key] = min(fetch_from.get(key, as_of), lower_bound(s))
    for s in standards:
        key = (s.evidence, repr(sorted(s.evidence_conditions.items())))
        if key in evidence:
            continue
        rows: dict[tuple[int, int | None], list[EvidenceRow]] = defaultdict(list)
        source = evidence_source(s.evidence)
        extra = {"families": families} if source.by_family else {}
        for row in source.fetch(organisation_id, fetch_from[key], as_of, s.evidence_conditions, **extra):
            if row.family_id in family_ids:
                rows[(row.family_id, None)].append(row)
                if row.child_id is not None:
                    rows[(row.family_id, row.child_id)].append(row)
        for lst in rows.values():
            lst.sort(key=lambda r: r.on)
        evidence[key] = rows
    # Dates alone, for bisecting: the first record on or after a window's start.
    evidence_days = {key: {subject: [r.on for r in lst] for subject, lst in rows.items()} for key, rows in evidence.items()}

    # One fetch per event source, whatever the number of standards counting from it.
    events: dict[str, dict[int, list[EventRow]]] = {}
    for s in standards:
        if s.cadence in EVENT_CADENCES and s.event not in events:
            by_family: dict[int, list[EventRow]] = defaultdict(list)
            for row in event_source(s.event).fetch(organisation_id, since, as_of + dt.timedelta(days=LOOKAHEAD_DAYS)):
                if row.family_id in family_ids:
                    by_family[row.family_id].append(row)
            events[s.event] = by_family

    out: list[Desired] = []
    for s in standards:
        ev_key = (s.evidence, repr(sorted(s.evidence_conditions.items())))
        ev, ev_days = evidence[ev_key], evidence_days[ev_key]
        for setting_id, setting in settings.items():
            if s.setting_kinds and setting.kind not in s.setting_kinds:
                continue
            cal = calendars[setting_id]
            subjects: dict[str, tuple[int, int | None, dt.date]] = {}
            for c in children:
                if c["setting_id"] != setting_id or not _matches(c, s.conditions, as_of):
                    continue
                if s.subject == Subject.CHILD:
                    subjects[f"c{c['id']}"] = (c["family_id"], c["id"], c["enrolled_on"])
                else:
                    key = f"f{c['family_id']}"
                    prev = subjects.get(key)
                    subjects[key] = (c["family_id"], None, min(prev[2], c["enrolled_on"]) if prev else c["enrolled_on"])
            recurring = s.cadence not in (Cadence.AFTER_ENROLMENT, *EVENT_CADENCES)
            shared = windows(s.cadence, s.cadence_n, cal, as_of) if recurring else []
            for subject_key, (family_id, child_id, enrolled_on) in subjects.items():
                rows = ev.get((family_id, child_id), [])
                days = ev_days.get((family_id, child_id), [])
                staff_id = key_workers.get((family_id, setting_id)) if s.responsible == Responsible.KEY_WORKER else None
                for key, w, last in _subject_windows(s, subject_key, family_id, child_id, enrolled_on, shared, events, since, as_of):
                    i = bisect_left(days, w.start)
                    hit = rows[i] if i < len(rows) and rows[i].on <= last else None
                    met_on = hit.on if hit else None
                    out.append(Desired(
                        s.pk, setting_id, family_id, child_id, key, w, staff_id,
                        state_for(w, met_on, s, as_of), met_on, hit.ref if hit else "",
                    ))
    return out, min(lower_bound(s) for s in standards)


def _subject_windows(
    s: Standard, subject_key: str, family_id: int, child_id: int | None, enrolled_on: dt.date, shared: list[Window],
    events: dict[str, dict[int, list[EventRow]]], since: dt.date, as_of: dt.date,
) -> list[tuple[str, Window, dt.date]]:
    """Each window a subject owes, its obligation key, and the last day on which a record still meets it."""
    n = dt.timedelta(days=s.cadence_n)
    if s.cadence == Cadence.AFTER_ENROLMENT:
        if enrolled_on < since:
            return []
        # A one-off obligation is still met by a late record, which shows as met after its due date.
        return [(subject_key, Window(enrolled_on, enrolled_on + n, enrolled_on + n), as_of)]
    if s.cadence in EVENT_CADENCES:
        out = []
        for e in events.get(s.event, {}).get(family_id, []):
            if child_id is not None and e.child_id not in (None, child_id):
                continue
            key = f"{subject_key}@{e.ref}"[:64]
            if s.cadence == Cadence.BEFORE_EVENT:
                due = e.on - n
                if due < since:
                    continue
                # A reminder counts from a fortnight before its due date until the event itself.
                start = due - dt.timedelta(days=BEFORE_EVENT_EARLIEST)
                out.append((key, Window(start, e.on, due), min(e.on, as_of)))
            elif e.on <= as_of:
                out.append((key, Window(e.on, e.on + n, e.on + n), as_of))
        return out
    # Recurring windows are met only inside themselves; a child who joined later owes none from before.
    return [(subject_key, w, min(w.end, as_of)) for w in shared if w.end >= enrolled_on]


@transaction.atomic
def recompute(*, organisation_id: int, as_of: dt.date, families: Iterable[int] | None = None, actor=None) -> RunResult:
    """Bring stored obligations in line with the computation; one event row per change of state."""
    family_set = set(families) if families is not None else None
    # One run at a time per organisation (a request's update and the worker's full run): lock the organisation row.
    Organisation.objects.select_for_update().filter(pk=organisation_id).first()
    computed, earliest = _compute(organisation_id, as_of, family_set)
    desired = {(d.standard_id, d.subject_key, d.window.start): d for d in computed}
    stored_qs = Obligation.objects.filter(organisation_id=organisation_id, period_start__gte=earliest)
    if family_set is not None:
        stored_qs = stored_qs.filter(family_id__in=family_set)
    # Plain tuples, not model instances: a full run compares hundreds of thousands and changes few.
    stored = {
        (row[1], row[2], row[3]): row
        for row in stored_qs.order_by().values_list(
            "id", "standard_id", "subject_key", "period_start", "state", "met_on", "evidence_ref",
            "responsible_staff_id", "due_on", "period_end", "escalated_at",
        ).iterator(chunk_size=5000)
    }
    now = clock.now()
    result = RunResult()
    to_create, to_update, events = [], [], []
    for key, d in desired.items():
        row = stored.pop(key, None)
        if row is None:
            to_create.append(Obligation(
                organisation_id=organisation_id, standard_id=d.standard_id, setting_id=d.setting_id, family_id=d.family_id,
                child_id=d.child_id, subject_key=d.subject_key, period_start=d.window.start, period_end=d.window.end,
                due_on=d.window.due_on, state=d.state, met_on=d.met_on, evidence_ref=d.evidence_ref,
                responsible_staff_id=d.responsible_staff_id, updated_at=now,
                escalated_at=now if d.state == ObligationState.ESCALATED else None,
            ))
            continue
        pk, _, _, _, state, met_on, evidence_ref, staff_id, due_on, period_end, escalated_at = row
        if state == ObligationState.WAIVED:
            continue
        if (state, met_on, evidence_ref, staff_id, due_on, period_end) == (
            d.state, d.met_on, d.evidence_ref, d.responsible_staff_id, d.window.due_on, d.window.end
        ):
            continue
        if state != d.state:
            events.append(ObligationEvent(
                organisation_id=organisation_id, obligation_id=pk, from_state=state, to_state=d.state, at=now, actor=actor,
            ))
        if d.state == ObligationState.ESCALATED and escalated_at is None:
            escalated_at = now
        to_update.append(Obligation(
            pk=pk, state=d.state, met_on=d.met_on, evidence_ref=d.evidence_ref, responsible_staff_id=d.responsible_staff_id,
            due_on=d.window.due_on, period_end=d.window.end, updated_at=now, escalated_at=escalated_at,
        ))
    Obligation.objects.bulk_create(to_create, batch_size=2000)
    events += [
        ObligationEvent(organisation_id=organisation_id, obligation=o, from_state="", to_state=o.state, at=now, actor=actor)
        for o in to_create
    ]
    Obligation.objects.bulk_update(
        to_update, ["state", "met_on", "evidence_ref", "responsible_staff", "due_on", "period_end", "updated_at", "escalated_at"],
        # Django writes a bulk update as CASE WHEN per row: small batches keep each statement cheap to plan.
        batch_size=300,
    )
    # What no longer applies (a standard switched off, a child who left) goes, unless it is settled history.
    gone = [row[0] for row in stored.values() if row[4] in OPEN_STATES]
    for i in range(0, len(gone), 2000):
        Obligation.objects.filter(pk__in=gone[i:i + 2000]).delete()
    ObligationEvent.objects.bulk_create(events, batch_size=2000)
    result.created, result.updated, result.removed, result.events = len(to_create), len(to_update), len(gone), len(events)
    return result


def snapshot(organisation_id: int) -> dict[tuple[int, str, dt.date], tuple]:
    """The stored obligations as comparable tuples (for the incremental = full property)."""
    return {
        (o.standard_id, o.subject_key, o.period_start): (o.state, o.due_on, o.met_on, o.responsible_staff_id)
        for o in Obligation.objects.filter(organisation_id=organisation_id)
    }
