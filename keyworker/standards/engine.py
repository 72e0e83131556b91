"""The engine: computes every obligation of an organisation as of a date, set-based, and stores the difference.

A full run reads, whatever the number of families: the standards, the children on roll (with their settings),
the settings' calendars (one query for all of them), the current key workers, the stored obligations, and one
query per evidence or event source that a standard in the run needs. An incremental run (`families=`) does the same for a few families; both go
through `_compute`, so their results are equal.

Subjects: each family, each child, each key worker ("s<staff id>": a key worker's own duties, in the setting of
their families) and each setting ("t<setting id>": a manager's duty). An incremental run for a few families also
recomputes the key workers of those families (current, and earlier ones within the look-back) and the settings
their children attend, so that it still equals a full run.

Rows are plain tuples from end to end (a full run compares hundreds of thousands of obligations and changes few);
on PostgreSQL new and changed obligations and their events are written with one statement per batch of arrays.
"""

import datetime as dt
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from keyworker.caseload.models import KeyWorkerAllocation
from keyworker.core import clock
from keyworker.organisations.calendar import Period, TermCalendar
from keyworker.organisations.models import Closure, HalfTerm, Organisation, Setting, Term
from keyworker.people.models import Child

from .evidence import event_source, evidence_source
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
from .rules import STANDARD_FIELDS, rules_for  # noqa: F401 - STANDARD_FIELDS re-exported for callers

# How far back a run looks: obligations of earlier windows are settled history and are not recomputed.
LOOKBACK_DAYS = 400
# How far ahead "N days before each event" looks: a reminder for next month's review shows as upcoming.
LOOKAHEAD_DAYS = 60
# A reminder before an event counts from this many days before its due date (earlier is not a reminder).
BEFORE_EVENT_EARLIEST = 14
# Rows per write statement.
WRITE_BATCH = 20_000

CONDITION_KEYS = {"has_ehcp", "year_group", "enrolled_within_days"}

MET = ObligationState.MET.value
ESCALATED = ObligationState.ESCALATED.value
WAIVED = ObligationState.WAIVED.value
OPEN = frozenset(s.value for s in OPEN_STATES)

# An obligation is keyed by (standard id, subject key, period start); what the engine computes for it is
# (state, met_on, evidence_ref, responsible_staff_id, due_on, period_end), compared with STORED_COLUMNS[3:9].
Key = tuple[int, str, dt.date]
STORED_COLUMNS = (
    "standard_id", "subject_key", "period_start", "state", "met_on", "evidence_ref", "responsible_staff_id", "due_on",
    "period_end", "id",
)


@dataclass
class RunResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    events: int = 0


def state_for(window: Window, met_on: dt.date | None, standard: Standard, as_of: dt.date) -> str:
    if met_on is not None:
        return MET
    return _open_state(window.due_on, standard, as_of)


def _open_state(due_on: dt.date, standard: Standard, as_of: dt.date) -> str:
    if as_of > due_on:
        if standard.escalate_after_days is not None and (as_of - due_on).days > standard.escalate_after_days:
            return ESCALATED
        return ObligationState.OVERDUE.value
    if (due_on - as_of).days <= standard.due_soon_days:
        return ObligationState.DUE_SOON.value
    return ObligationState.UPCOMING.value


def _matches(child: tuple, conditions: dict, as_of: dt.date) -> bool:
    has_ehcp, year_group, enrolled_on = child[3], child[4], child[5]
    for key, want in conditions.items():
        if key == "has_ehcp" and bool(has_ehcp) != bool(want):
            return False
        if key == "year_group" and year_group != want:
            return False
        if key == "enrolled_within_days" and (as_of - enrolled_on).days > int(want):
            return False
    return True


def _in_list(values) -> tuple[str, list]:
    """An IN list's placeholders and parameters (never empty: IN (NULL) matches nothing)."""
    values = sorted(values)
    return ", ".join(["%s"] * len(values)) or "NULL", values


def _calendars(settings: dict[int, Setting]) -> dict[int, TermCalendar]:
    """The term calendars of several settings in one query (terms, half terms and closures together)."""
    terms, halves, closures = defaultdict(list), defaultdict(list), defaultdict(list)
    marks, ids = _in_list(settings)
    t, h, c = _table(Term), _table(HalfTerm), _table(Closure)
    sql = (
        f"SELECT setting_id, 't', name, starts_on, ends_on, school_year FROM {t} WHERE setting_id IN ({marks})"  # noqa: S608
        f" UNION ALL SELECT setting_id, 'h', name, starts_on, ends_on, '' FROM {h} WHERE setting_id IN ({marks})"
        f" UNION ALL SELECT setting_id, 'c', name, starts_on, ends_on, kind FROM {c} WHERE setting_id IN ({marks})"
    )  # table names from the models; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, ids * 3)
        rows = cursor.fetchall()
    for sid, tag, name, a, b, x in rows:
        if tag == "t":
            terms[sid].append(Period(name, a, b, x))
        elif tag == "h":
            halves[sid].append(Period(name, a, b))
        else:
            closures[sid].append((x, Period(name, a, b)))
    return {sid: TermCalendar(s, terms[sid], halves[sid], closures[sid]) for sid, s in settings.items()}


def _evidence_key(s: Standard) -> tuple[str, str]:
    return s.evidence, repr(sorted(s.evidence_conditions.items()))


class _Index:
    """Records of one evidence or event source, by subject: the source's rows as they came, sorted by day.

    Rows are (family_id, child_id, on, ref[, staff_id, setting_id]): EvidenceRow / EventRow, or plain tuples in
    that order (a source may shape them in SQL and hand over what the cursor returns)."""

    def __init__(self) -> None:
        self.family: dict[int, list] = defaultdict(list)
        self.child: dict[int, list] = defaultdict(list)
        self.staff: dict[int, list] = defaultdict(list)
        self.setting: dict[int, list] = defaultdict(list)

    def sort(self) -> None:
        for index in (self.family, self.child, self.staff, self.setting):
            for lst in index.values():
                lst.sort(key=ON)


ON = itemgetter(2)


@dataclass
class _World:
    """What a run knows about the organisation (or, for an incremental run, about the families in scope)."""

    as_of: dt.date
    since: dt.date
    families: set[int] | None  # the families whose family and child obligations are recomputed (None: all)
    staff_scope: set[int] | None  # the key workers whose own obligations are recomputed (None: all)
    setting_scope: set[int] | None  # the settings whose own obligations are recomputed (None: all)
    children: list[tuple]  # (id, family_id, setting_id, has_ehcp, year_group, enrolled_on, ...), on roll
    settings: dict[int, Setting]
    calendars: dict[int, TermCalendar]
    key_workers: dict[tuple[int, int], int]  # (family, setting) -> staff, current allocations
    allocations: list[tuple]  # (family, setting, staff, kind, jurisdiction[, start day]), current
    family_settings: dict[int, set[int]]  # family -> settings its children on roll attend


def _load(organisation_id: int, as_of: dt.date, families: set[int] | None, standards: list[Standard],
          staff: set[int] = frozenset(), settings_asked: set[int] = frozenset()) -> _World:
    since = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    subjects = {s.subject for s in standards}
    on_roll = Q(organisation_id=organisation_id, enrolled_on__lte=as_of) & (Q(left_on__isnull=True) | Q(left_on__gte=as_of))
    # Each row also names its setting's kind and jurisdiction (the engine needs no more of a setting).
    columns = ("id", "family_id", "setting_id", "has_ehcp", "year_group", "enrolled_on", "setting__kind", "setting__jurisdiction")
    current = Q(organisation_id=organisation_id, ends_at__isnull=True)

    def allocations_of(qs):
        qs = qs.values_list("family_id", "setting_id", "staff_id", "setting__kind", "setting__jurisdiction")
        if Subject.KEY_WORKER in subjects:  # since when each key worker holds each family, as a day in the UK
            qs = qs.annotate(day=TruncDate("starts_at", tzinfo=timezone.get_default_timezone())).values_list(
                "family_id", "setting_id", "staff_id", "setting__kind", "setting__jurisdiction", "day")
        return list(qs.order_by())

    staff_scope = setting_scope = None
    if families is None:
        children = list(Child.objects.filter(on_roll).values_list(*columns).order_by())
        allocations = allocations_of(KeyWorkerAllocation.objects.filter(current))
    else:
        children = list(Child.objects.filter(on_roll, family_id__in=families).values_list(*columns).order_by())
        # The families' key workers, and every family of theirs (a key worker's obligations count all of them).
        wider: Q | None = None
        if Subject.KEY_WORKER in subjects:
            recent = dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC)
            staff_scope = set(staff) | set(
                KeyWorkerAllocation.objects.filter(organisation_id=organisation_id, family_id__in=families)
                .filter(Q(ends_at__isnull=True) | Q(ends_at__gte=recent)).values_list("staff_id", flat=True)
            )
            wider = Q(staff_id__in=staff_scope)
        allocation_filter = Q(family_id__in=families) if wider is None else Q(family_id__in=families) | wider
        allocations = allocations_of(KeyWorkerAllocation.objects.filter(current).filter(allocation_filter))
        if Subject.SETTING in subjects:
            # The settings the families' children attend (and where they have a key worker), and every child there.
            setting_scope = {c[2] for c in children} | {a[1] for a in allocations if a[0] in families} | set(settings_asked)
        extra_families = {a[0] for a in allocations} - families
        if extra_families or setting_scope:
            seen = {c[0] for c in children}
            more = Q(family_id__in=extra_families) | Q(setting_id__in=setting_scope or ())
            children += [c for c in Child.objects.filter(on_roll).filter(more).values_list(*columns) if c[0] not in seen]
    # Only the settings in scope (an update for one family reads one calendar, not the organisation's).
    known = {r[2]: (r[6], r[7]) for r in children} | {a[1]: (a[3], a[4]) for a in allocations}
    if Subject.SETTING in subjects:  # every setting (in scope) has its own obligations, children or not
        qs = Setting.objects.filter(organisation_id=organisation_id)
        if setting_scope is not None:
            qs = qs.filter(id__in=setting_scope)
        known |= {pk: (kind, j) for pk, kind, j in qs.values_list("id", "kind", "jurisdiction")}
    settings = {
        pk: Setting(id=pk, organisation_id=organisation_id, kind=kind, jurisdiction=jurisdiction)
        for pk, (kind, jurisdiction) in sorted(known.items())
    }
    family_settings: dict[int, set[int]] = defaultdict(set)
    for c in children:
        family_settings[c[1]].add(c[2])
    return _World(
        as_of=as_of, since=since, families=families, staff_scope=staff_scope, setting_scope=setting_scope,
        children=children, settings=settings, calendars=_calendars(settings),
        key_workers={(a[0], a[1]): a[2] for a in allocations}, allocations=allocations, family_settings=family_settings,
    )


def _index(rows: Iterable, world: _World, kinds: set[str], in_scope: set[int] | None) -> _Index:
    """Group a source's rows by the subjects that need them.

    A row counts for its family and child; for its staff member (else the family's current key workers); for its
    setting (else the settings the family's children attend)."""
    index = _Index()
    fam, chi, staff, sett = index.family, index.child, index.staff, index.setting
    if kinds == {"family"} and in_scope is None:  # the common case, kept to one append per row
        for row in rows:
            if row[0] is not None:
                fam[row[0]].append(row)
        index.sort()
        return index
    want_family, want_child = "family" in kinds, "child" in kinds
    want_staff, want_setting = "staff" in kinds, "setting" in kinds
    kw_of: dict[int, list[int]] = defaultdict(list)
    if want_staff:
        for (family_id, _), staff_id in world.key_workers.items():
            kw_of[family_id].append(staff_id)
    family_settings = world.family_settings
    for row in rows:
        family_id, child_id = row[0], row[1]
        if family_id is not None and (in_scope is None or family_id in in_scope):
            if want_family:
                fam[family_id].append(row)
            if want_child and child_id is not None:
                chi[child_id].append(row)
        if want_staff:
            named = row[4] if len(row) > 4 else None
            if named is not None:
                staff[named].append(row)
            elif family_id is not None:
                for staff_id in kw_of.get(family_id, ()):
                    staff[staff_id].append(row)
        if want_setting:
            named = row[5] if len(row) > 5 else None
            if named is not None:
                sett[named].append(row)
            elif family_id is not None:
                for setting_id in family_settings.get(family_id, ()):
                    sett[setting_id].append(row)
    index.sort()
    return index


# Which _Index attribute holds a subject's records.
_KIND = {Subject.FAMILY: "family", Subject.CHILD: "child", Subject.KEY_WORKER: "staff", Subject.SETTING: "setting"}


def _applies(s: Standard, setting: Setting) -> bool:
    return not s.setting_kinds or setting.kind in s.setting_kinds


def _people_subjects(s: Standard, world: _World) -> dict[int, dict[str, tuple]]:
    """Families or children a standard applies to, by setting: subject key -> (family, child, subject id, start day).

    A child's start is its enrolment; a family's, its earliest child's. A family with children in several settings
    the standard applies to has its obligations in the first of them (by id), one per period."""
    out: dict[int, dict[str, tuple]] = defaultdict(dict)
    families, settings, as_of, conditions = world.families, world.settings, world.as_of, s.conditions
    if s.subject == Subject.CHILD:
        for c in world.children:
            if (families is None or c[1] in families) and _applies(s, settings[c[2]]) and (
                not conditions or _matches(c, conditions, as_of)
            ):
                out[c[2]][f"c{c[0]}"] = (c[1], c[0], c[0], c[5])
        return out
    best: dict[int, tuple[int, dt.date]] = {}  # family -> (setting, earliest enrolment there)
    for c in world.children:
        if (families is None or c[1] in families) and _applies(s, settings[c[2]]) and (
            not conditions or _matches(c, conditions, as_of)
        ):
            prev = best.get(c[1])
            if prev is None or c[2] < prev[0] or (c[2] == prev[0] and c[5] < prev[1]):
                best[c[1]] = (c[2], c[5])
    for family_id, (setting_id, enrolled_on) in best.items():
        out[setting_id][f"f{family_id}"] = (family_id, None, family_id, enrolled_on)
    return out


def _staff_subjects(s: Standard, world: _World) -> dict[int, dict[str, tuple]]:
    """For a key worker standard: each key worker with a current family that has a child it applies to, in the
    setting their obligation belongs to (the first by id, when they are key worker in several), since when they
    hold a family there."""
    qualifying: dict[tuple[int, int], bool] = {}  # (family, setting) -> has a child the standard applies to
    for c in world.children:
        k = (c[1], c[2])
        if not qualifying.get(k):
            qualifying[k] = not s.conditions or _matches(c, s.conditions, world.as_of)
    homes: dict[int, tuple[int, dt.date]] = {}
    for family_id, setting_id, staff_id, _, _, start in world.allocations:
        if not qualifying.get((family_id, setting_id)) or not _applies(s, world.settings[setting_id]):
            continue
        prev = homes.get(staff_id)
        if prev is None or setting_id < prev[0] or (setting_id == prev[0] and start < prev[1]):
            homes[staff_id] = (setting_id, start)
    out: dict[int, dict[str, tuple]] = defaultdict(dict)
    for staff_id, (setting_id, start) in homes.items():
        if world.staff_scope is None or staff_id in world.staff_scope:
            out[setting_id][f"s{staff_id}"] = (None, None, staff_id, start)
    return out


def _setting_subjects(s: Standard, world: _World) -> dict[int, dict[str, tuple]]:
    """For a setting standard: each setting it applies to (with a child it applies to, if it names conditions),
    from the first day of its school year ("within N days" counts from it)."""
    with_child = {c[2] for c in world.children if _matches(c, s.conditions, world.as_of)} if s.conditions else None
    out: dict[int, dict[str, tuple]] = defaultdict(dict)
    for setting_id, setting in world.settings.items():
        if world.setting_scope is not None and setting_id not in world.setting_scope:
            continue
        if not _applies(s, setting) or (with_child is not None and setting_id not in with_child):
            continue
        start = world.calendars[setting_id].school_year_start(world.as_of)
        if start is not None:
            out[setting_id][f"t{setting_id}"] = (None, None, setting_id, start)
    return out


class _Diff:
    """The stored obligations a run may change, and what it will write: compared as each obligation is computed."""

    def __init__(self, stored: dict[Key, tuple]) -> None:
        self.stored = stored
        self.create: list[tuple] = []  # (key, value, setting, family, child)
        self.update: list[tuple] = []  # (id, value, stored state, whether escalated_at is empty)

    def put(self, key: Key, value: tuple, setting_id: int, family_id: int | None, child_id: int | None) -> None:
        row = self.stored.pop(key, None)
        if row is None:
            self.create.append((key, value, setting_id, family_id, child_id))
        elif row[3] != WAIVED and row[3:9] != value:
            self.update.append((row[9], value, row[3], row[10]))


def _plan(organisation_id: int, as_of: dt.date, families: set[int] | None, staff: set[int] = frozenset(),
          settings: set[int] = frozenset()) -> tuple[list[Standard], _World | None, dt.date]:
    """The standards that produce obligations, what the run reads about the organisation, and the earliest period
    start it covers (the stored obligations it compares start there)."""
    since = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    standards = [r.standard for r in rules_for(organisation_id, since, as_of)]
    if not standards:
        return [], None, since
    world = _load(organisation_id, as_of, families, standards, staff, settings)
    return standards, world, min(_lower_bound(s, world) for s in standards)


def _recurring_from(world: _World) -> dt.date:
    """Recurring windows start with this school year; earlier ones are settled history, neither read nor rewritten.
    (Weekly windows begin on the Monday of the year's first week.)"""
    year_starts = [y for y in (c.school_year_start(world.as_of) for c in world.calendars.values()) if y is not None]
    first = min(year_starts) if year_starts else world.as_of
    return max(world.since, first - dt.timedelta(days=first.weekday()))


def _lower_bound(s: Standard, world: _World) -> dt.date:
    return _recurring_from(world) if s.cadence not in (Cadence.AFTER_ENROLMENT, *EVENT_CADENCES) else world.since


def _compute(organisation_id: int, standards: list[Standard], world: _World, diff: _Diff) -> None:
    """Every obligation the standards ask for, each compared with its stored row as it is computed.

    Sources are read only for standards that can owe something here: an update for one family reads nothing for
    a standard none of its children meets the conditions of, or a one-off after enrolment long past."""
    as_of, since, families = world.as_of, world.since, world.families
    recurring_from = _recurring_from(world)

    # Subjects by setting, shared by the standards that choose them alike.
    cache: dict[tuple, dict[int, dict[str, tuple]]] = {}
    subjects_of: dict[int, dict[int, dict[str, tuple]]] = {}
    for s in standards:
        ck = (s.subject, repr(sorted(s.conditions.items())), tuple(sorted(s.setting_kinds or ())))
        if ck not in cache:
            if s.subject in (Subject.FAMILY, Subject.CHILD):
                cache[ck] = _people_subjects(s, world)
            elif s.subject == Subject.KEY_WORKER:
                cache[ck] = _staff_subjects(s, world)
            else:
                cache[ck] = _setting_subjects(s, world)
        subjects_of[s.pk] = cache[ck]
    live = [
        s for s in standards
        if any(
            subjects and (s.cadence != Cadence.AFTER_ENROLMENT or any(v[3] >= since for v in subjects.values()))
            for subjects in subjects_of[s.pk].values()
        )
    ]
    # A family's records count for its key workers and settings: those families' records are read too.
    wider = None if families is None else families | {c[1] for c in world.children} | {a[0] for a in world.allocations}

    # One fetch per event source, whatever the number of standards counting from it.
    event_kinds: dict[str, set[str]] = defaultdict(set)
    for s in live:
        if s.cadence in EVENT_CADENCES:
            # A child's events are its family's events that name the child or no child.
            event_kinds[s.event] |= {"family"} if s.subject == Subject.CHILD else {_KIND[s.subject]}
    events: dict[str, _Index] = {}
    for code, wanted in event_kinds.items():
        source = event_source(code)
        extra = {"families": wider if wanted & {"staff", "setting"} else families} if source.by_family else {}
        rows = source.fetch(organisation_id, since, as_of + dt.timedelta(days=LOOKAHEAD_DAYS), **extra)
        events[code] = _index(rows, world, wanted, None)
    live = [
        s for s in live
        if s.cadence not in EVENT_CADENCES or getattr(events[s.event], "family" if s.subject == Subject.CHILD else _KIND[s.subject])
    ]

    # One fetch per evidence source and set of conditions, shared by the standards that use it.
    fetch_from: dict[tuple[str, str], dt.date] = {}
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s in live:
        key = _evidence_key(s)
        lower = recurring_from if s.cadence not in (Cadence.AFTER_ENROLMENT, *EVENT_CADENCES) else since
        fetch_from[key] = min(fetch_from.get(key, as_of), lower)
        kinds[key].add(_KIND[s.subject])
    evidence: dict[tuple[str, str], _Index] = {}
    for s in live:
        key = _evidence_key(s)
        if key in evidence:
            continue
        source = evidence_source(s.evidence)
        needs_wider = bool(kinds[key] & {"staff", "setting"})
        extra = {"families": wider if needs_wider else families} if source.by_family else {}
        rows = source.fetch(organisation_id, fetch_from[key], as_of, s.evidence_conditions, **extra)
        evidence[key] = _index(rows, world, kinds[key], None if needs_wider else families)

    for s in live:
        ev = getattr(evidence[_evidence_key(s)], _KIND[s.subject])
        recurring = s.cadence not in (Cadence.AFTER_ENROLMENT, *EVENT_CADENCES)
        for setting_id, subjects in subjects_of[s.pk].items():
            if not subjects:
                continue
            staff_of = _responsible(s, world, setting_id)
            if recurring:
                shared = [
                    (w.start, w.end, w.due_on, min(w.end, as_of), _open_state(w.due_on, s, as_of))
                    for w in windows(s.cadence, s.cadence_n, world.calendars[setting_id], as_of)
                ]
                _recurring(diff, s.pk, setting_id, subjects, shared, ev, staff_of)
            else:
                _one_off(diff, s, setting_id, subjects, ev, staff_of, events, world)


def _responsible(s: Standard, world: _World, setting_id: int):
    """Who is responsible for a subject's obligations: its key worker (for a key worker's own, themselves)."""
    if s.responsible != Responsible.KEY_WORKER or s.subject == Subject.SETTING:
        return lambda family_id, subject_id: None
    if s.subject == Subject.KEY_WORKER:
        return lambda family_id, subject_id: subject_id
    key_workers = world.key_workers
    return lambda family_id, subject_id: key_workers.get((family_id, setting_id))


def _recurring(diff: _Diff, sid: int, setting_id: int, subjects: dict, shared: list, records: dict, staff_of) -> None:
    """Weekly, half-termly, termly and monthly windows: the same windows for every subject of the setting.

    Recurring windows are met only inside themselves; a subject that started later owes none from before."""
    pop, create, update = diff.stored.pop, diff.create, diff.update
    for subject_key, (family_id, child_id, subject_id, started) in subjects.items():
        lst = records.get(subject_id)
        staff_id = staff_of(family_id, subject_id)
        for start, end, due, last, open_state in shared:
            if end < started:
                continue
            if lst:
                i = bisect_left(lst, start, key=ON)
                hit = lst[i] if i < len(lst) and lst[i][2] <= last else None
            else:
                hit = None
            if hit is None:
                value = (open_state, None, "", staff_id, due, end)
            else:
                value = (MET, hit[2], hit[3], staff_id, due, end)
            key = (sid, subject_key, start)
            row = pop(key, None)
            if row is None:
                create.append((key, value, setting_id, family_id, child_id))
            elif row[3:9] != value and row[3] != WAIVED:
                update.append((row[9], value, row[3], row[10]))


def _one_off(diff: _Diff, s: Standard, setting_id: int, subjects: dict, records: dict, staff_of,
             events: dict[str, _Index], world: _World) -> None:
    """Within N days of enrolment (or of becoming a key worker, or of the school year for a setting), and before or
    after each event: windows of each subject's own."""
    as_of, since = world.as_of, world.since
    n = dt.timedelta(days=s.cadence_n)
    kind = _KIND[s.subject]
    for subject_key, (family_id, child_id, subject_id, started) in subjects.items():
        lst = records.get(subject_id)
        staff_id = staff_of(family_id, subject_id)
        owed: list[tuple[str, Window, dt.date]] = []
        if s.cadence == Cadence.AFTER_ENROLMENT:
            if started < since:
                continue
            # A one-off obligation is still met by a late record, which shows as met after its due date.
            owed.append((subject_key, Window(started, started + n, started + n), as_of))
        else:
            index = events[s.event]
            if kind == "child":
                happened = [e for e in index.family.get(family_id, ()) if e[1] is None or e[1] == subject_id]
            else:
                happened = getattr(index, kind).get(subject_id, ())
            for e in happened:
                on, ref = e[2], e[3]
                key = f"{subject_key}@{ref}"[:64]
                if s.cadence == Cadence.BEFORE_EVENT:
                    due = on - n
                    if due < since:
                        continue
                    # A reminder counts from a fortnight before its due date until the event itself.
                    start = due - dt.timedelta(days=BEFORE_EVENT_EARLIEST)
                    owed.append((key, Window(start, on, due), min(on, as_of)))
                elif on <= as_of:
                    owed.append((key, Window(on, on + n, on + n), as_of))
        seen: set[str] = set()
        for key, w, last in owed:
            if key in seen:  # the same event twice (one reference) is one obligation
                continue
            seen.add(key)
            hit = None
            if lst:
                i = bisect_left(lst, w.start, key=ON)
                hit = lst[i] if i < len(lst) and lst[i][2] <= last else None
            if hit is not None:
                value = (MET, hit[2], hit[3], staff_id, w.due_on, w.end)
            else:
                value = (_open_state(w.due_on, s, as_of), None, "", staff_id, w.due_on, w.end)
            diff.put((s.pk, key, w.start), value, setting_id, family_id, child_id)


def _in_scope(subject_key: str, world: _World) -> bool:
    """Whether a stored key worker or setting obligation belongs to an incremental run's scope."""
    head = subject_key.split("@", 1)[0]
    if head[:1] == "s":
        return world.staff_scope is not None and head[1:].isdigit() and int(head[1:]) in world.staff_scope
    if head[:1] == "t":
        return world.setting_scope is not None and head[1:].isdigit() and int(head[1:]) in world.setting_scope
    return False


def _stored(organisation_id: int, earliest: dt.date, families: set[int] | None, world: _World | None) -> dict[Key, tuple]:
    """The stored obligations the run may change, as tuples (STORED_COLUMNS, then whether escalated_at is empty)."""
    sql = (
        f"SELECT {', '.join(STORED_COLUMNS)}, escalated_at IS NULL FROM {_table(Obligation)}"  # noqa: S608
        " WHERE organisation_id = %s AND period_start >= %s"
    )  # table name from the model; every value is a parameter
    params: list = [organisation_id, earliest]
    staff_or_setting = world is not None and (world.staff_scope or world.setting_scope)
    if families is not None:
        marks, ids = _in_list(families)
        sql += f" AND (family_id IN ({marks}){' OR family_id IS NULL' if staff_or_setting else ''})"
        params += ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if families is not None and staff_or_setting:
        rows = [r for r in rows if r[1][:1] in "fc" or _in_scope(r[1], world)]
    return {(r[0], r[1], r[2]): r for r in rows}


@transaction.atomic
def recompute(
    *, organisation_id: int, as_of: dt.date, families: Iterable[int] | None = None, staff: Iterable[int] = (),
    settings: Iterable[int] = (), actor=None,
) -> RunResult:
    """Bring stored obligations in line with the computation; one event row per change of state.

    With `families=` (and/or `staff=`, `settings=` for records about a key worker or a setting rather than a
    family) only those subjects' obligations are brought up to date; without, the whole organisation's."""
    staff, settings = set(staff), set(settings)
    family_set = set(families) if families is not None else (set() if staff or settings else None)
    # One run at a time per organisation (a request's update and the worker's full run): lock the organisation row.
    list(Organisation.objects.select_for_update().filter(pk=organisation_id).values_list("id"))
    standards, world, earliest = _plan(organisation_id, as_of, family_set, staff, settings)
    diff = _Diff(_stored(organisation_id, earliest, family_set, world))
    if world is not None:
        _compute(organisation_id, standards, world, diff)
    # What no longer applies (a standard switched off, a child who left) goes, unless it is settled history.
    gone = [row[9] for row in diff.stored.values() if row[3] in OPEN]
    actor_id = getattr(actor, "pk", None)
    now = clock.now()
    result = RunResult(created=len(diff.create), updated=len(diff.update), removed=len(gone))
    if connection.vendor == "postgresql":
        result.events = _write_postgresql(organisation_id, diff.create, diff.update, now, actor_id)
    else:
        result.events = _write_portable(organisation_id, diff.create, diff.update, now, actor)
    for i in range(0, len(gone), 2000):
        Obligation.objects.filter(pk__in=gone[i:i + 2000], state__in=OPEN).delete()
    return result


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _write_postgresql(organisation_id: int, to_create: list, to_update: list, now: dt.datetime, actor_id: int | None) -> int:
    """New and changed obligations and their events: one statement per batch, the rows passed as arrays."""
    import psycopg

    obligations, events = _table(Obligation), _table(ObligationEvent)
    insert = f"""
        WITH d AS (
            SELECT * FROM unnest(%b::bigint[], %b::text[], %b::date[], %b::text[], %b::date[], %b::text[], %b::bigint[],
                                 %b::date[], %b::date[], %b::bigint[], %b::bigint[], %b::bigint[])
                AS d(standard_id, subject_key, period_start, state, met_on, evidence_ref, responsible_staff_id, due_on,
                     period_end, setting_id, family_id, child_id)
        ), ins AS (
            INSERT INTO {obligations} (organisation_id, standard_id, subject_key, period_start, state, met_on, evidence_ref,
                responsible_staff_id, due_on, period_end, setting_id, family_id, child_id, escalated_at, waived_reason, updated_at)
            SELECT %s, d.*, CASE WHEN d.state = %s THEN %s::timestamptz END, '', %s FROM d
            RETURNING id, state
        )
        INSERT INTO {events} (organisation_id, obligation_id, from_state, to_state, at, actor_id, note)
        SELECT %s, id, '', state, %s, %s, '' FROM ins
    """  # noqa: S608 - table names from the models; every value is a parameter
    update = f"""
        WITH d AS (
            SELECT * FROM unnest(%b::bigint[], %b::text[], %b::date[], %b::text[], %b::bigint[], %b::date[], %b::date[],
                                 %b::text[])
                AS d(id, state, met_on, evidence_ref, responsible_staff_id, due_on, period_end, from_state)
        ), upd AS (
            UPDATE {obligations} o SET state = d.state, met_on = d.met_on, evidence_ref = d.evidence_ref,
                responsible_staff_id = d.responsible_staff_id, due_on = d.due_on, period_end = d.period_end, updated_at = %s,
                escalated_at = CASE WHEN d.state = %s AND o.escalated_at IS NULL THEN %s::timestamptz ELSE o.escalated_at END
            FROM d WHERE o.id = d.id AND o.state <> %s
            RETURNING o.id, d.from_state, d.state
        )
        INSERT INTO {events} (organisation_id, obligation_id, from_state, to_state, at, actor_id, note)
        SELECT %s, id, from_state, state, %s, %s, '' FROM upd WHERE from_state <> state
    """  # noqa: S608 - table names from the models; every value is a parameter
    n_events = 0
    connection.ensure_connection()

    def execute(cursor, sql: str, params: list, rows: int) -> None:
        started = time.monotonic()
        cursor.execute(sql, params)
        if connection.queries_logged:  # counted like any other query (CaptureQueriesContext, DEBUG)
            connection.queries_log.append({"sql": f"{sql.split(maxsplit=1)[0]} ... ({rows} rows as arrays)",
                                           "time": f"{time.monotonic() - started:.3f}"})

    # Parameters bound on the server and sent in binary: the arrays are neither quoted nor parsed as text.
    with psycopg.Cursor(connection.connection) as cursor:
        for i in range(0, len(to_create), WRITE_BATCH):
            batch = to_create[i:i + WRITE_BATCH]
            keys = [b[0] for b in batch]
            values = [b[1] for b in batch]
            columns = [
                [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys],
                [v[0] for v in values], [v[1] for v in values], [v[2] for v in values], [v[3] for v in values],
                [v[4] for v in values], [v[5] for v in values], [b[2] for b in batch], [b[3] for b in batch],
                [b[4] for b in batch],
            ]
            execute(cursor, insert, [*columns, organisation_id, ESCALATED, now, now, organisation_id, now, actor_id], len(batch))
            n_events += len(batch)
        for i in range(0, len(to_update), WRITE_BATCH):
            batch = to_update[i:i + WRITE_BATCH]
            columns = [
                [b[0] for b in batch], [b[1][0] for b in batch], [b[1][1] for b in batch], [b[1][2] for b in batch],
                [b[1][3] for b in batch], [b[1][4] for b in batch], [b[1][5] for b in batch], [b[2] for b in batch],
            ]
            execute(cursor, update, [*columns, now, ESCALATED, now, WAIVED, organisation_id, now, actor_id], len(batch))
            n_events += sum(1 for b in batch if b[2] != b[1][0])
    return n_events


def _write_portable(organisation_id: int, to_create: list, to_update: list, now: dt.datetime, actor) -> int:
    """The same writes through the ORM, for databases other than PostgreSQL (SQLite in development and tests)."""
    created = Obligation.objects.bulk_create([
        Obligation(
            organisation_id=organisation_id, standard_id=k[0], subject_key=k[1], period_start=k[2], state=v[0], met_on=v[1],
            evidence_ref=v[2], responsible_staff_id=v[3], due_on=v[4], period_end=v[5], setting_id=setting_id, family_id=family_id,
            child_id=child_id, updated_at=now, escalated_at=now if v[0] == ESCALATED else None,
        )
        for k, v, setting_id, family_id, child_id in to_create
    ], batch_size=2000)
    events = [
        ObligationEvent(organisation_id=organisation_id, obligation=o, from_state="", to_state=o.state, at=now, actor=actor)
        for o in created
    ]
    updates = []
    for pk, v, from_state, _ in to_update:
        updates.append(Obligation(
            pk=pk, state=v[0], met_on=v[1], evidence_ref=v[2], responsible_staff_id=v[3], due_on=v[4], period_end=v[5],
            updated_at=now,
        ))
        if from_state != v[0]:
            events.append(ObligationEvent(
                organisation_id=organisation_id, obligation_id=pk, from_state=from_state, to_state=v[0], at=now, actor=actor,
            ))
    fields = ["state", "met_on", "evidence_ref", "responsible_staff", "due_on", "period_end", "updated_at"]
    Obligation.objects.bulk_update(updates, fields, batch_size=300)
    newly_escalated = [pk for pk, v, _, never_escalated in to_update if v[0] == ESCALATED and never_escalated]
    for i in range(0, len(newly_escalated), 2000):
        Obligation.objects.filter(pk__in=newly_escalated[i:i + 2000]).update(escalated_at=now)
    ObligationEvent.objects.bulk_create(events, batch_size=2000)
    return len(events)


def snapshot(organisation_id: int) -> dict[tuple[int, str, dt.date], tuple]:
    """The stored obligations as comparable tuples (for the incremental = full property)."""
    return {
        (o.standard_id, o.subject_key, o.period_start): (o.state, o.due_on, o.met_on, o.responsible_staff_id)
        for o in Obligation.objects.filter(organisation_id=organisation_id)
    }
