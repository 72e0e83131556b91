"""The engine: computes every obligation of an organisation as of a date, set-based, and stores the difference.

A full run reads, whatever the number of families: the standards, the children on roll, their settings and the
settings' calendars (three queries for all of them), the current key workers, the stored obligations, and one
query per evidence or event source. An incremental run (`families=`) does the same for a few families; both go
through `_compute`, so their results are equal.

Subjects: each family, each child, each key worker ("s<staff id>": a key worker's own duties, in the setting of
their families) and each setting ("t<setting id>": a manager's duty). An incremental run for a few families also
recomputes the key workers of those families (current, and earlier ones within the look-back) and the settings
their children attend, so that it still equals a full run.

Rows are plain tuples from end to end (a full run compares hundreds of thousands of obligations and changes few);
on PostgreSQL new and changed obligations and their events are written with one statement per batch of arrays.
"""

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, CharField, ExpressionWrapper, F, Q, Value
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

# A desired obligation, keyed by (standard id, subject key, period start):
# (state, met_on, evidence_ref, responsible_staff_id, due_on, period_end, setting_id, family_id, child_id).
# The first six are compared with the stored row, in the same order as STORED_COLUMNS[3:9].
Key = tuple[int, str, dt.date]
Wanted = tuple
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


def _calendars(settings: dict[int, Setting]) -> dict[int, TermCalendar]:
    """The term calendars of several settings in one query (terms, half terms and closures together)."""
    terms, halves, closures = defaultdict(list), defaultdict(list), defaultdict(list)
    ids = list(settings)

    def part(model, tag: str, extra):
        return (
            model.objects.filter(setting_id__in=ids).annotate(k=Value(tag, output_field=CharField()), x=extra)
            .values_list("setting_id", "k", "name", "starts_on", "ends_on", "x").order_by()
        )

    rows = part(Term, "t", F("school_year")).union(
        part(HalfTerm, "h", Value("", output_field=CharField())), part(Closure, "c", F("kind")), all=True
    )
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
    """Records of one evidence or event source, by subject: lists of (day, ref) sorted by day."""

    def __init__(self) -> None:
        self.family: dict[int, list] = defaultdict(list)
        self.child: dict[int, list] = defaultdict(list)
        self.staff: dict[int, list] = defaultdict(list)
        self.setting: dict[int, list] = defaultdict(list)

    def sort(self) -> None:
        for index in (self.family, self.child, self.staff, self.setting):
            for lst in index.values():
                lst.sort()

    def for_subject(self, kind: str, subject_id: int) -> list:
        return getattr(self, kind).get(subject_id, ())


@dataclass
class _World:
    """What a run knows about the organisation (or, for an incremental run, about the families in scope)."""

    as_of: dt.date
    since: dt.date
    families: set[int] | None  # the families whose family and child obligations are recomputed (None: all)
    staff_scope: set[int] | None  # the key workers whose own obligations are recomputed (None: all)
    setting_scope: set[int] | None  # the settings whose own obligations are recomputed (None: all)
    children: list[tuple]  # (id, family_id, setting_id, has_ehcp, year_group, enrolled_on), on roll
    settings: dict[int, Setting]
    calendars: dict[int, TermCalendar]
    key_workers: dict[tuple[int, int], int]  # (family, setting) -> staff, current allocations
    allocations: list[tuple[int, int, int, dt.date]]  # (family, setting, staff, start day), current
    family_settings: dict[int, set[int]]  # family -> settings its children on roll attend


def _load(organisation_id: int, as_of: dt.date, families: set[int] | None, standards: list[Standard]) -> _World:
    since = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    subjects = {s.subject for s in standards}
    on_roll = Q(organisation_id=organisation_id, enrolled_on__lte=as_of) & (Q(left_on__isnull=True) | Q(left_on__gte=as_of))
    # Each row also names its setting's kind and jurisdiction (the engine needs no more of a setting).
    columns = ("id", "family_id", "setting_id", "has_ehcp", "year_group", "enrolled_on", "setting__kind", "setting__jurisdiction")
    alloc_columns = ("family_id", "setting_id", "staff_id", "starts_at", "setting__kind", "setting__jurisdiction")
    current = Q(organisation_id=organisation_id, ends_at__isnull=True)
    staff_scope = setting_scope = None
    if families is None:
        children = list(Child.objects.filter(on_roll).values_list(*columns))
        allocations = list(KeyWorkerAllocation.objects.filter(current).values_list(*alloc_columns))
    else:
        children = list(Child.objects.filter(on_roll, family_id__in=families).values_list(*columns))
        # The families' key workers, and every family of theirs (a key worker's obligations count all of them).
        wider: Q | None = None
        if Subject.KEY_WORKER in subjects:
            recent = dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC)
            staff_scope = set(
                KeyWorkerAllocation.objects.filter(organisation_id=organisation_id, family_id__in=families)
                .filter(Q(ends_at__isnull=True) | Q(ends_at__gte=recent)).values_list("staff_id", flat=True)
            )
            wider = Q(staff_id__in=staff_scope)
        allocation_filter = Q(family_id__in=families) if wider is None else Q(family_id__in=families) | wider
        allocations = list(
            KeyWorkerAllocation.objects.filter(current).filter(allocation_filter)
            .values_list(*alloc_columns)
        )
        if Subject.SETTING in subjects:
            # The settings the families' children attend (and where they have a key worker), and every child there.
            setting_scope = {c[2] for c in children} | {a[1] for a in allocations if a[0] in families}
        extra_families = {a[0] for a in allocations} - families
        if extra_families or setting_scope:
            seen = {c[0] for c in children}
            more = Q(family_id__in=extra_families) | Q(setting_id__in=setting_scope or ())
            children += [c for c in Child.objects.filter(on_roll).filter(more).values_list(*columns) if c[0] not in seen]
    # Only the settings in scope (an update for one family reads one calendar, not the organisation's).
    known = {r[2]: (r[6], r[7]) for r in children} | {a[1]: (a[4], a[5]) for a in allocations}
    if Subject.SETTING in subjects and setting_scope is None:  # every setting has its own obligations
        known |= {pk: (kind, j) for pk, kind, j in Setting.objects.filter(organisation_id=organisation_id).values_list(
            "id", "kind", "jurisdiction")}
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
        key_workers={(a[0], a[1]): a[2] for a in allocations},
        allocations=[(f, st, staff, timezone.localtime(starts_at).date()) for f, st, staff, starts_at, *_ in allocations],
        family_settings=family_settings,
    )


def _index(rows: Iterable, world: _World, kinds: set[str], in_scope: set[int] | None, events: bool = False) -> _Index:
    """Group a source's rows by the subjects that need them.

    A row counts for its family and child; for its staff member (else the family's current key workers); for its
    setting (else the settings the family's children attend). For events, a family's items also carry the child
    the event is about (0 for none): a child's events are its own and its family's."""
    index = _Index()
    fam, chi, staff, sett = index.family, index.child, index.staff, index.setting
    want_family, want_child = "family" in kinds, "child" in kinds
    want_staff, want_setting = "staff" in kinds, "setting" in kinds
    kw_of: dict[int, list[int]] = defaultdict(list)
    if want_staff:
        for (family_id, _), staff_id in world.key_workers.items():
            kw_of[family_id].append(staff_id)
    family_settings = world.family_settings
    for row in rows:
        family_id, child_id, on, ref = row[0], row[1], row[2], row[3]
        item = (on, ref)
        if family_id is not None and (in_scope is None or family_id in in_scope):
            if want_family:
                fam[family_id].append((on, ref, child_id or 0) if events else item)
            if want_child and child_id is not None:
                chi[child_id].append(item)
        if want_staff:
            if row[4] is not None:
                staff[row[4]].append(item)
            elif family_id is not None:
                for staff_id in kw_of.get(family_id, ()):
                    staff[staff_id].append(item)
        if want_setting:
            if row[5] is not None:
                sett[row[5]].append(item)
            elif family_id is not None:
                for setting_id in family_settings.get(family_id, ()):
                    sett[setting_id].append(item)
    index.sort()
    return index


def _first_at_or_after(lst, start: dt.date, last: dt.date):
    i = bisect_left(lst, (start,))
    if i < len(lst) and lst[i][0] <= last:
        return lst[i]
    return None


# Which _Index attribute holds a subject's records.
_KIND = {Subject.FAMILY: "family", Subject.CHILD: "child", Subject.KEY_WORKER: "staff", Subject.SETTING: "setting"}


def _subjects(s: Standard, world: _World, setting_id: int, children_by_setting: dict[int, list[tuple]],
              staff_home: dict[int, dict[int, tuple[int, dt.date]]]) -> dict[str, tuple]:
    """The subjects of a standard in a setting: subject key -> (family id, child id, subject id, start day).

    The start day is the enrolment (a family's earliest child), the day a key worker took on their first current
    family, or a setting's first day of the school year; "within N days of enrolment" counts from it."""
    out: dict[str, tuple] = {}
    families = world.families
    if s.subject in (Subject.FAMILY, Subject.CHILD):
        for c in children_by_setting.get(setting_id, ()):
            if families is not None and c[1] not in families:
                continue
            if s.conditions and not _matches(c, s.conditions, world.as_of):
                continue
            if s.subject == Subject.CHILD:
                out[f"c{c[0]}"] = (c[1], c[0], c[0], c[5])
            else:
                key = f"f{c[1]}"
                prev = out.get(key)
                if prev is None or c[5] < prev[3]:
                    out[key] = (c[1], None, c[1], c[5])
    elif s.subject == Subject.KEY_WORKER:
        for staff_id, (home, start) in staff_home[s.pk].items():
            if home == setting_id and (world.staff_scope is None or staff_id in world.staff_scope):
                out[f"s{staff_id}"] = (None, None, staff_id, start)
    elif s.subject == Subject.SETTING:
        if world.setting_scope is not None and setting_id not in world.setting_scope:
            return out
        if s.conditions and not any(_matches(c, s.conditions, world.as_of) for c in children_by_setting.get(setting_id, ())):
            return out
        start = world.calendars[setting_id].school_year_start(world.as_of)
        if start is not None:
            out[f"t{setting_id}"] = (None, None, setting_id, start)
    return out


def _staff_homes(s: Standard, world: _World, children_by_setting: dict[int, list[tuple]]) -> dict[int, tuple[int, dt.date]]:
    """For a key worker standard: each key worker with a current family that has a child it applies to, in the
    setting their obligation belongs to (the first by id, when they are key worker in several) and since when."""
    qualifying: dict[tuple[int, int], bool] = {}  # (family, setting) -> has a child the standard applies to
    for c in world.children:
        k = (c[1], c[2])
        if not qualifying.get(k):
            qualifying[k] = not s.conditions or _matches(c, s.conditions, world.as_of)
    homes: dict[int, tuple[int, dt.date]] = {}
    for family_id, setting_id, staff_id, start in world.allocations:
        setting = world.settings.get(setting_id)
        if setting is None or not qualifying.get((family_id, setting_id)):
            continue
        if s.setting_kinds and setting.kind not in s.setting_kinds:
            continue
        prev = homes.get(staff_id)
        if prev is None or setting_id < prev[0]:
            homes[staff_id] = (setting_id, start)
        elif setting_id == prev[0] and start < prev[1]:
            homes[staff_id] = (setting_id, start)
    return homes


def _compute(organisation_id: int, as_of: dt.date, families: set[int] | None) -> tuple[dict[Key, Wanted], dt.date, _World | None]:
    """What every obligation should be, the earliest period start the computation covers, and what it read."""
    since = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    standards = [
        s for s in Standard.objects.filter(organisation_id=organisation_id, enabled=True).order_by("id")
        if evidence_source(s.evidence) is not None and (s.cadence not in EVENT_CADENCES or event_source(s.event) is not None)
    ]
    if not standards:
        return {}, since, None
    world = _load(organisation_id, as_of, families, standards)
    calendars = world.calendars
    # Recurring windows start with this school year; earlier ones are settled history, neither read nor rewritten.
    year_starts = [y for y in (c.school_year_start(as_of) for c in calendars.values()) if y is not None]
    # (Weekly windows begin on the Monday of the year's first week.)
    first = min(year_starts) if year_starts else as_of
    recurring_from = max(since, first - dt.timedelta(days=first.weekday()))

    def lower_bound(s: Standard) -> dt.date:
        return recurring_from if s.cadence not in (Cadence.AFTER_ENROLMENT, *EVENT_CADENCES) else since

    children_by_setting: dict[int, list[tuple]] = defaultdict(list)
    for c in world.children:
        children_by_setting[c[2]].append(c)
    staff_home = {s.pk: _staff_homes(s, world, children_by_setting) for s in standards if s.subject == Subject.KEY_WORKER}

    # One fetch per evidence source and set of conditions, shared by the standards that use it.
    fetch_from: dict[tuple[str, str], dt.date] = {}
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s in standards:
        key = _evidence_key(s)
        fetch_from[key] = min(fetch_from.get(key, as_of), lower_bound(s))
        kinds[key].add(_KIND[s.subject])
    # A family's records count for its key workers and settings: those families' records are read too.
    wider = families if families is None else families | {c[1] for c in world.children} | {a[0] for a in world.allocations}
    evidence: dict[tuple[str, str], _Index] = {}
    for s in standards:
        key = _evidence_key(s)
        if key in evidence:
            continue
        source = evidence_source(s.evidence)
        needs_wider = bool(kinds[key] & {"staff", "setting"})
        extra = {"families": wider if needs_wider else families} if source.by_family else {}
        rows = source.fetch(organisation_id, fetch_from[key], as_of, s.evidence_conditions, **extra)
        evidence[key] = _index(rows, world, kinds[key], None if needs_wider else families)

    # One fetch per event source, whatever the number of standards counting from it.
    event_kinds: dict[str, set[str]] = defaultdict(set)
    for s in standards:
        if s.cadence in EVENT_CADENCES:
            event_kinds[s.event].add(_KIND[s.subject])
    events: dict[str, _Index] = {}
    for code, wanted in event_kinds.items():
        # A child's events are its family's events that name the child or no child.
        wanted = wanted | {"family"} if "child" in wanted else wanted
        source = event_source(code)
        extra = {"families": wider if wanted & {"staff", "setting"} else families} if source.by_family else {}
        rows = source.fetch(organisation_id, since, as_of + dt.timedelta(days=LOOKAHEAD_DAYS), **extra)
        events[code] = _index(rows, world, wanted, None, events=True)

    out: dict[Key, Wanted] = {}
    for s in standards:
        ev = evidence[_evidence_key(s)]
        kind = _KIND[s.subject]
        recurring = s.cadence not in (Cadence.AFTER_ENROLMENT, *EVENT_CADENCES)
        for setting_id, setting in world.settings.items():
            if s.setting_kinds and setting.kind not in s.setting_kinds:
                continue
            subjects = _subjects(s, world, setting_id, children_by_setting, staff_home)
            if not subjects:
                continue
            if recurring:
                shared = [
                    (w, min(w.end, as_of), _open_state(w.due_on, s, as_of))
                    for w in windows(s.cadence, s.cadence_n, calendars[setting_id], as_of)
                ]
                _recurring(out, s, setting_id, subjects, shared, ev, kind, world)
            else:
                _one_off(out, s, setting_id, subjects, ev, kind, events, world)
    return out, min(lower_bound(s) for s in standards), world


def _responsible(s: Standard, world: _World, family_id: int | None, setting_id: int, subject_id: int) -> int | None:
    if s.responsible != Responsible.KEY_WORKER:
        return None
    if s.subject == Subject.KEY_WORKER:
        return subject_id
    if family_id is None:
        return None
    return world.key_workers.get((family_id, setting_id))


def _recurring(out: dict, s: Standard, setting_id: int, subjects: dict, shared: list, ev: _Index, kind: str, world: _World) -> None:
    """Weekly, half-termly, termly and monthly windows: the same windows for every subject of the setting.

    Recurring windows are met only inside themselves; a subject that started later owes none from before."""
    sid = s.pk
    records = getattr(ev, kind)
    key_workers = world.key_workers if s.responsible == Responsible.KEY_WORKER else None
    for subject_key, (family_id, child_id, subject_id, started) in subjects.items():
        lst = records.get(subject_id, ())
        if key_workers is None:
            staff_id = None
        elif s.subject == Subject.KEY_WORKER:
            staff_id = subject_id
        else:
            staff_id = key_workers.get((family_id, setting_id)) if family_id is not None else None
        for w, last, open_state in shared:
            if w.end < started:
                continue
            i = bisect_left(lst, (w.start,)) if lst else 0
            if i < len(lst) and lst[i][0] <= last:
                on, ref = lst[i]
                out[(sid, subject_key, w.start)] = (MET, on, ref, staff_id, w.due_on, w.end, setting_id, family_id, child_id)
            else:
                out[(sid, subject_key, w.start)] = (open_state, None, "", staff_id, w.due_on, w.end, setting_id, family_id, child_id)


def _one_off(out: dict, s: Standard, setting_id: int, subjects: dict, ev: _Index, kind: str,
             events: dict[str, _Index], world: _World) -> None:
    """Within N days of enrolment, and before or after each event: windows of each subject's own."""
    as_of, since = world.as_of, world.since
    n = dt.timedelta(days=s.cadence_n)
    records = getattr(ev, kind)
    for subject_key, (family_id, child_id, subject_id, started) in subjects.items():
        lst = records.get(subject_id, ())
        staff_id = _responsible(s, world, family_id, setting_id, subject_id)
        owed: list[tuple[str, Window, dt.date]] = []
        if s.cadence == Cadence.AFTER_ENROLMENT:
            if started < since:
                continue
            # A one-off obligation is still met by a late record, which shows as met after its due date.
            owed.append((subject_key, Window(started, started + n, started + n), as_of))
        else:
            index = events[s.event]
            if kind == "child":
                happened = [(on, ref) for on, ref, about in index.family.get(family_id, ()) if about in (0, subject_id)]
            elif kind == "family":
                happened = [(on, ref) for on, ref, _ in index.family.get(family_id, ())]
            else:
                happened = index.for_subject(kind, subject_id)
            for on, ref in happened:
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
        for key, w, last in owed:
            hit = _first_at_or_after(lst, w.start, last) if lst else None
            if hit is not None:
                value = (MET, hit[0], hit[1], staff_id, w.due_on, w.end, setting_id, family_id, child_id)
            else:
                value = (_open_state(w.due_on, s, as_of), None, "", staff_id, w.due_on, w.end, setting_id, family_id, child_id)
            out[(s.pk, key, w.start)] = value


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
    qs = Obligation.objects.filter(organisation_id=organisation_id, period_start__gte=earliest)
    staff_or_setting = world is not None and (world.staff_scope or world.setting_scope)
    if families is not None:
        scope = Q(family_id__in=families)
        if staff_or_setting:
            scope |= Q(family_id__isnull=True)
        qs = qs.filter(scope)
    qs = qs.annotate(never_escalated=ExpressionWrapper(Q(escalated_at__isnull=True), output_field=BooleanField()))
    try:
        sql, params = qs.order_by().values_list(*STORED_COLUMNS, "never_escalated").query.sql_with_params()
    except EmptyResultSet:  # no families at all
        return {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if families is not None and staff_or_setting:
        rows = [r for r in rows if r[1][:1] in "fc" or _in_scope(r[1], world)]
    return {(r[0], r[1], r[2]): r for r in rows}


@transaction.atomic
def recompute(*, organisation_id: int, as_of: dt.date, families: Iterable[int] | None = None, actor=None) -> RunResult:
    """Bring stored obligations in line with the computation; one event row per change of state."""
    family_set = set(families) if families is not None else None
    # One run at a time per organisation (a request's update and the worker's full run): lock the organisation row.
    Organisation.objects.select_for_update().filter(pk=organisation_id).first()
    desired, earliest, world = _compute(organisation_id, as_of, family_set)
    stored = _stored(organisation_id, earliest, family_set, world)
    to_create: list[tuple[Key, Wanted]] = []
    to_update: list[tuple] = []  # (id, value, stored state, never escalated)
    for key, d in desired.items():
        row = stored.pop(key, None)
        if row is None:
            to_create.append((key, d))
        elif row[3] != WAIVED and row[3:9] != d[:6]:
            to_update.append((row[9], d, row[3], row[10]))
    # What no longer applies (a standard switched off, a child who left) goes, unless it is settled history.
    gone = [row[9] for row in stored.values() if row[3] in OPEN]
    actor_id = getattr(actor, "pk", None)
    now = clock.now()
    result = RunResult(created=len(to_create), updated=len(to_update), removed=len(gone))
    if connection.vendor == "postgresql":
        result.events = _write_postgresql(organisation_id, to_create, to_update, now, actor_id)
    else:
        result.events = _write_portable(organisation_id, to_create, to_update, now, actor)
    for i in range(0, len(gone), 2000):
        Obligation.objects.filter(pk__in=gone[i:i + 2000], state__in=OPEN).delete()
    return result


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _write_postgresql(organisation_id: int, to_create: list, to_update: list, now: dt.datetime, actor_id: int | None) -> int:
    """New and changed obligations and their events: one statement per batch, the rows passed as arrays."""
    obligations, events = _table(Obligation), _table(ObligationEvent)
    insert = f"""
        WITH d AS (
            SELECT * FROM unnest(%s::bigint[], %s::text[], %s::date[], %s::text[], %s::date[], %s::text[], %s::bigint[],
                                 %s::date[], %s::date[], %s::bigint[], %s::bigint[], %s::bigint[])
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
            SELECT * FROM unnest(%s::bigint[], %s::text[], %s::date[], %s::text[], %s::bigint[], %s::date[], %s::date[],
                                 %s::text[])
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
    with connection.cursor() as cursor:
        for i in range(0, len(to_create), WRITE_BATCH):
            batch = to_create[i:i + WRITE_BATCH]
            keys = [k for k, _ in batch]
            values = [v for _, v in batch]
            columns = [
                [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys],
                [v[0] for v in values], [v[1] for v in values], [v[2] for v in values], [v[3] for v in values],
                [v[4] for v in values], [v[5] for v in values], [v[6] for v in values], [v[7] for v in values],
                [v[8] for v in values],
            ]
            cursor.execute(insert, [*columns, organisation_id, ESCALATED, now, now, organisation_id, now, actor_id])
            n_events += len(batch)
        for i in range(0, len(to_update), WRITE_BATCH):
            batch = to_update[i:i + WRITE_BATCH]
            columns = [
                [b[0] for b in batch], [b[1][0] for b in batch], [b[1][1] for b in batch], [b[1][2] for b in batch],
                [b[1][3] for b in batch], [b[1][4] for b in batch], [b[1][5] for b in batch], [b[2] for b in batch],
            ]
            cursor.execute(update, [*columns, now, ESCALATED, now, WAIVED, organisation_id, now, actor_id])
            n_events += sum(1 for b in batch if b[2] != b[1][0])
    return n_events


def _write_portable(organisation_id: int, to_create: list, to_update: list, now: dt.datetime, actor) -> int:
    """The same writes through the ORM, for databases other than PostgreSQL (SQLite in development and tests)."""
    created = Obligation.objects.bulk_create([
        Obligation(
            organisation_id=organisation_id, standard_id=k[0], subject_key=k[1], period_start=k[2], state=v[0], met_on=v[1],
            evidence_ref=v[2], responsible_staff_id=v[3], due_on=v[4], period_end=v[5], setting_id=v[6], family_id=v[7],
            child_id=v[8], updated_at=now, escalated_at=now if v[0] == ESCALATED else None,
        )
        for k, v in to_create
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
