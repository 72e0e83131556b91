"""The engine: computes every obligation of an organisation as of a date, set-based, and stores the difference.

A full run reads, whatever the number of families: the rules in force (rules.rules_for), the children on roll (with
their settings), the settings' calendars (one query for all of them), the current key workers, the settled marks,
the stored obligations that can still change, and one query per evidence or event source that a rule in the run
needs. An incremental run (`families=`) does the same for a few families; both go through `_compute`, so their
results are equal.

Periods close. A recurring window (a week, half term, term, N months) stays open `grace_school_days` school days
after it ends: a record dated inside it and entered by then still meets it, late. After that an unmet window is
missed. A one-off obligation (within N days of enrolment or of an event, N days before an event) stays actionable
`one_off_open_school_days` school days after it fell due (one before an event, until the event), then is missed.
Met, waived and missed are final: the engine never reopens or deletes them. "Within N days" counts school days in
the setting's term calendar when the standard says so (DayCount.SCHOOL).

Settled periods are not read again. A full run marks each standard settled as of its day (SettledPeriods): every
window that closed before the mark is stored final. The next runs compute only the windows that close on or after
the mark, read only the stored obligations that are open or that such a window may hold, and fetch evidence from
the earliest such window. A first run (no mark) computes the school year and stores its closed windows final.

Rules in force by date: each period (window) is computed under the rule whose span holds its start; a rule's open
obligations of periods it no longer governs go while the period is still open, closed ones stay.

Subjects: each family, each child, each key worker ("s<staff id>": a key worker's own duties, in the setting of
their families) and each setting ("t<setting id>": a manager's duty). An incremental run for a few families also
recomputes the key workers of those families (current, and earlier ones within the look-back) and the settings
their children attend, so that it still equals a full run.

Rows are plain tuples from end to end; on PostgreSQL new and changed obligations and their events are written with
one statement per batch of arrays.

A full run writes in parts: after its reads it computes and writes PART_FAMILIES families at a time, each part a
transaction of its own (the key workers' and settings' own obligations go with the last), and records how far it
has got (EngineRun, and a `progress` callback). A first run writes its parts from threads while it computes the
next. An update for a few families sends its lock and its own reads in one round trip on PostgreSQL.
"""

import datetime as dt
import gc
import queue
import threading
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from keyworker.core import clock
from keyworker.organisations.calendar import Period, TermCalendar
from keyworker.organisations.models import Closure, HalfTerm, Organisation, Setting, Term
from keyworker.people.models import Child

from . import responsibility
from .evidence import event_source, evidence_source, read_together
from .models import (
    EVENT_CADENCES,
    OPEN_STATES,
    Cadence,
    EngineRun,
    Obligation,
    ObligationEvent,
    ObligationState,
    Responsible,
    SettledPeriods,
    Standard,
    Subject,
)
from .periods import Window, add_days, closes_on, days_between, windows
from .rules import Rule, rules_for

# How far back a run looks: obligations of earlier windows are settled history and are not recomputed.
LOOKBACK_DAYS = 400
# How far ahead "N days before each event" looks: a reminder for next month's review shows as upcoming.
LOOKAHEAD_DAYS = 60
# A reminder before an event counts from this many days before its due date (earlier is not a reminder).
BEFORE_EVENT_EARLIEST = 14
# Rows per write statement.
WRITE_BATCH = 20_000
# Families a full run computes and writes in one transaction, and the threads that write them (PostgreSQL).
PART_FAMILIES = 2_000
WRITERS = 2
# A full run's progress: called with the families done and the families in all, after each part.
Progress = Callable[[int, int], None]

CONDITION_KEYS = {"has_ehcp", "year_group", "enrolled_within_days"}

# Changes a run lists in its result (a full run's first day may change hundreds of thousands: it counts them all).
CHANGES_KEPT = 5_000

MET = ObligationState.MET.value
MISSED = ObligationState.MISSED.value
ESCALATED = ObligationState.ESCALATED.value
OVERDUE = ObligationState.OVERDUE.value
DUE_SOON = ObligationState.DUE_SOON.value
UPCOMING = ObligationState.UPCOMING.value
WAIVED = ObligationState.WAIVED.value
OPEN = frozenset(s.value for s in OPEN_STATES)
ONE_OFF_CADENCES = (Cadence.AFTER_ENROLMENT, *EVENT_CADENCES)

# An obligation is keyed by (standard id, subject key, period start); what the engine computes for it is
# (state, met_on, evidence_ref, responsible_staff_id, due_on, period_end, met_late), compared with STORED_COLUMNS[3:10].
Key = tuple[int, str, dt.date]
STORED_COLUMNS = (
    "standard_id", "subject_key", "period_start", "state", "met_on", "evidence_ref", "responsible_staff_id", "due_on",
    "period_end", "met_late", "id", "setting_id", "updated_at", "family_id",
)


class Change(NamedTuple):
    """One obligation a run changed: created (from ""), moved from one state to another, or removed (to "")."""

    id: int
    standard_id: int
    clause: str
    family_id: int | None
    from_state: str
    to_state: str


class Standing(NamedTuple):
    """An obligation as an update for a few families left it: computed, or stored in a final state."""

    standard_id: int
    evidence: str
    family_id: int | None
    period_start: dt.date
    period_end: dt.date
    state: str


@dataclass
class RunResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    events: int = 0
    # What changed, for the page that caused it (an update for a family changes a handful).
    changes: list[Change] = field(default_factory=list)
    changes_complete: bool = True
    # An update for a few families: each obligation it computed, as it left it (a full run keeps none).
    standing: list[Standing] = field(default_factory=list)

    def met(self, evidence: str, family_id: int, on: dt.date) -> bool | None:
        """Whether the family has a met obligation of `evidence` whose period holds `on`, as this update left them;
        None when the update computed none of them (their periods settled before it ran): ask the database."""
        found = [s.state for s in self.standing
                 if s.evidence == evidence and s.family_id == family_id and s.period_start <= on <= s.period_end]
        return (MET in found) if found else None


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


def _calendar_sql(settings_sql: str, params: list) -> tuple[str, list]:
    """The terms, half terms and closures of the settings `settings_sql` selects, in one statement."""
    t, h, c = _table(Term), _table(HalfTerm), _table(Closure)
    sql = (
        f"SELECT setting_id, 't', name, starts_on, ends_on, school_year FROM {t} WHERE setting_id IN ({settings_sql})"  # noqa: S608
        f" UNION ALL SELECT setting_id, 'h', name, starts_on, ends_on, '' FROM {h} WHERE setting_id IN ({settings_sql})"
        f" UNION ALL SELECT setting_id, 'c', name, starts_on, ends_on, kind FROM {c} WHERE setting_id IN ({settings_sql})"
    )  # table names from the models; every value is a parameter
    return sql, params * 3


def _calendars(settings: dict[int, Setting], rows: list[tuple] | None = None) -> dict[int, TermCalendar]:
    """The term calendars of several settings in one query (terms, half terms and closures together), or from the
    rows of _calendar_sql read already."""
    if rows is None:
        marks, ids = _in_list(settings)
        with connection.cursor() as cursor:
            cursor.execute(*_calendar_sql(marks, ids))
            rows = cursor.fetchall()
    by_setting: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_setting[row[0]].append(row)
    out = {}
    for sid, setting in settings.items():
        content = tuple(sorted(by_setting.get(sid, ())))
        key = (sid, setting.kind, setting.jurisdiction, content)
        cal = _CALENDARS.get(key)
        if cal is None:
            terms, halves, closures = [], [], []
            for _, tag, name, a, b, x in content:
                if tag == "t":
                    terms.append(Period(name, a, b, x))
                elif tag == "h":
                    halves.append(Period(name, a, b))
                else:
                    closures.append((x, Period(name, a, b)))
            cal = TermCalendar(setting, terms, halves, closures)
            if len(_CALENDARS) >= CALENDARS_KEPT:
                _CALENDARS.clear()
            _CALENDARS[key] = cal
        out[sid] = cal
    return out


# Calendars built, by their setting and everything read of them: one read the same as before is the same calendar,
# whose school days are then counted once (an update for one family would otherwise count them on every record).
_CALENDARS: dict[tuple, TermCalendar] = {}
CALENDARS_KEPT = 1_000


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
                lst.sort(key=ON_REF)


ON = itemgetter(2)
# Records are sorted by day, then reference: of two records on one day the same one meets a window in every run
# (the order a source returns them in is not fixed).
ON_REF = itemgetter(2, 3)


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
        allocations = allocations_of(responsibility.allocations().filter(current))
    else:
        children = list(Child.objects.filter(on_roll, family_id__in=families).values_list(*columns).order_by())
        # The families' key workers, and every family of theirs (a key worker's obligations count all of them).
        wider: Q | None = None
        if Subject.KEY_WORKER in subjects:
            recent = dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC)
            staff_scope = set(staff) | set(
                responsibility.allocations().filter(organisation_id=organisation_id, family_id__in=families)
                .filter(Q(ends_at__isnull=True) | Q(ends_at__gte=recent)).values_list("staff_id", flat=True)
            )
            wider = Q(staff_id__in=staff_scope)
        allocation_filter = Q(family_id__in=families) if wider is None else Q(family_id__in=families) | wider
        allocations = allocations_of(responsibility.allocations().filter(current).filter(allocation_filter))
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
    """The stored obligations a run may change, and what it will write: compared as each obligation is computed.

    Stored rows are tuples (STORED_COLUMNS, then whether escalated_at is empty). Waived and missed obligations are
    never written again. A met obligation follows the records that meet it while its window is open (an earlier one
    entered later, one on time rather than late, or none: a voided record unmeets it), so that the order records
    arrive in does not matter; once its window has closed it is never unmet."""

    def __init__(self, stored: dict[Key, tuple], reopen_missed: bool = False, keep_standing: bool = False) -> None:
        self.stored = stored
        self.reopen_missed = reopen_missed  # a rebuild over records entered afterwards (demo history)
        # Per key, (family, period end, the state it is left in): kept by an update for a few families.
        self.standing: dict[Key, tuple] | None = {} if keep_standing else None
        self.create: list[tuple] = []  # (key, value, setting, family, child)
        self.update: list[tuple] = []  # (id, value, stored state, whether escalated_at is empty, stored updated_at)
        self.created: set[Key] = set()

    def put(self, key: Key, value: tuple, setting_id: int, family_id: int | None, child_id: int | None) -> None:
        row = self.stored.pop(key, None)
        state = value[0]
        if row is None:
            if key not in self.created:  # two rules never own one period; if they meet, the first computed wins
                self.created.add(key)
                self.create.append((key, value, setting_id, family_id, child_id))
        elif row[3:10] != value and (row[3] in OPEN or (row[3] == MET and value[0] != MISSED)
                                     or (self.reopen_missed and row[3] == MISSED)):
            self.update.append((row[10], value, row[3], row[14], row[12], row[0], row[13]))
        else:
            state = row[3]
        if self.standing is not None:
            self.standing.setdefault(key, (family_id, value[5], state))


@dataclass
class _Plan:
    """What a run computes: the rules, what it knows of the organisation, and how far back each standard is read."""

    rules: list[Rule]
    world: _World | None
    # Per standard id: the day of the last full run (windows that closed before it are settled), or None.
    settled: dict[int, dt.date | None]
    # Per standard id: the earliest period end a stored obligation that is not settled can have (None: no mark).
    horizons: dict[int, dt.date | None]


def _plan(organisation_id: int, as_of: dt.date, families: set[int] | None, staff: set[int] = frozenset(),
          settings: set[int] = frozenset(), rebuild: bool = False, rules: list[Rule] | None = None) -> _Plan:
    """The rules that produce obligations, what the run reads about the organisation, and the settled marks."""
    since = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    if rules is None:
        rules = rules_for(organisation_id, since, as_of)
    if not rules:
        return _Plan([], None, {}, {})
    standards = [r.standard for r in rules]
    return _marked(rules, _load(organisation_id, as_of, families, standards, staff, settings), rebuild)


def _marked(rules: list[Rule], world: _World, rebuild: bool) -> _Plan:
    """The plan of rules over a world: each standard's settled mark, and from it its horizon."""
    standards = [r.standard for r in rules]
    ids = {s.pk for s in standards}
    marks = {} if rebuild else {s.pk: s.settled_on for s in standards if getattr(s, "settled_on", None) is not None}
    settled = {pk: marks.get(pk) for pk in ids}
    horizons: dict[int, dt.date | None] = {}
    for s in standards:
        mark = settled[s.pk]
        if mark is None or not world.calendars:
            horizons[s.pk] = None
            continue
        # A window closes `grace` school days after it ends: one that ended before this day closed before the mark.
        reach = (s.one_off_open_school_days if s.cadence in ONE_OFF_CADENCES else s.grace_school_days) + 1
        h = min(cal.shift_school_days(mark, -reach) for cal in world.calendars.values())
        horizons[s.pk] = min(h, horizons.get(s.pk) or h)
    return _Plan(rules, world, settled, horizons)


def _open_state(due_on: dt.date, s: Standard, as_of: dt.date, cal: TermCalendar) -> str:
    """Upcoming, due soon, overdue or escalated: the days count as the standard counts them (school or calendar)."""
    if as_of > due_on:
        if s.escalate_after_days is not None and days_between(cal, due_on, as_of, s.day_count) > s.escalate_after_days:
            return ESCALATED
        return OVERDUE
    if days_between(cal, as_of, due_on, s.day_count) <= s.due_soon_days:
        return DUE_SOON
    return UPCOMING


def state_for(window: Window, met_on: dt.date | None, standard: Standard, as_of: dt.date, cal: TermCalendar) -> str:
    if met_on is not None:
        return MET
    if as_of > closes_on(cal, window.end, standard.grace_school_days):
        return MISSED
    return _open_state(window.due_on, standard, as_of, cal)


def _hit(lst: list | None, start: dt.date, last: dt.date, due: dt.date, end: dt.date, closes: dt.date,
         about: str | None = None) -> tuple | None:
    """The record that meets a window: dated from `start` to `last`, entered by the day the window closes (and, for
    an event's obligation, about that event). An on-time one if any, else the first late one: (record, late)."""
    if not lst:
        return None
    i = bisect_left(lst, start, key=ON)
    late = None
    n = len(lst)
    while i < n:
        row = lst[i]
        on = row[2]
        if on > last:
            break
        i += 1
        entered = row[6] if len(row) > 6 and row[6] is not None else on
        if entered > closes or (about is not None and (row[7] if len(row) > 7 else None) != about):
            continue
        if on > due or entered > end:
            if late is None:
                late = (row, True)
            continue
        return (row, False)
    return late


@dataclass
class _Prepared:
    """What a run has read and worked out before it computes obligations: the rules that can owe something (`live`),
    their subjects and windows by setting, and the records of every source they need, indexed by subject."""

    plan: _Plan
    live: list[int]
    subjects_of: list[dict[int, dict[str, tuple]]]
    shared_of: dict[int, dict[int, list[tuple]]]
    events: dict[str, _Index]
    evidence: dict[tuple[str, str], _Index]


def _compute(organisation_id: int, plan: _Plan, diff: _Diff) -> None:
    """Every obligation the rules ask for that is not settled, each compared with its stored row as it is computed."""
    _emit(_prepare(organisation_id, plan, diff.stored), diff)


def _prepare(organisation_id: int, plan: _Plan, stored: dict[Key, tuple]) -> _Prepared:
    """The rules' subjects and windows, and one read per source they need.

    Sources are read only for rules that can owe something here, and only from the earliest window still to be
    computed: an update for one family reads nothing for a standard none of its children meets the conditions of;
    a steady run reads the records of the windows not yet closed, not the year's."""
    world = plan.world
    as_of, since, families = world.as_of, world.since, world.families
    rules = plan.rules

    # Period starts of stored open obligations, by standard: a window that closed before the mark is computed again
    # only for them (obligations from before the marks, or a run that stopped half way).
    open_starts: dict[int, set[dt.date]] = defaultdict(set)
    for row in stored.values():
        if row[3] in OPEN:
            open_starts[row[0]].add(row[2])

    # Subjects by setting, shared by the rules that choose them alike.
    cache: dict[tuple, dict[int, dict[str, tuple]]] = {}
    subjects_of: list[dict[int, dict[str, tuple]]] = []
    for r in rules:
        s = r.standard
        ck = (s.subject, repr(sorted(s.conditions.items())), tuple(sorted(s.setting_kinds or ())))
        if ck not in cache:
            if s.subject in (Subject.FAMILY, Subject.CHILD):
                cache[ck] = _people_subjects(s, world)
            elif s.subject == Subject.KEY_WORKER:
                cache[ck] = _staff_subjects(s, world)
            else:
                cache[ck] = _setting_subjects(s, world)
        subjects_of.append(cache[ck])

    # The windows of each recurring rule, by setting: (start, end, due, last day a record counts, open state, closes
    # on, only the stored ones).
    window_cache: dict[tuple, list[Window]] = {}
    shared_of: dict[int, dict[int, list[tuple]]] = {}
    for i, r in enumerate(rules):
        s = r.standard
        if s.cadence in ONE_OFF_CADENCES:
            continue
        mark = plan.settled.get(s.pk)
        opened = open_starts.get(s.pk, ())
        per_setting: dict[int, list[tuple]] = {}
        for setting_id, subjects in subjects_of[i].items():
            if not subjects:
                continue
            cal = world.calendars[setting_id]
            if mark is not None:
                first = cal.shift_school_days(mark, -(s.grace_school_days + 1))
            else:
                first = cal.school_year_start(as_of) or as_of
            if opened:
                first = min(first, min(opened))
            wk = (s.cadence, s.cadence_n, setting_id, first, r.starts_on)
            if wk not in window_cache:
                window_cache[wk] = windows(s.cadence, s.cadence_n, cal, as_of, since=first, anchor=r.starts_on)
            shared = []
            for w in window_cache[wk]:
                if not r.governs(w.start, w.end):
                    continue
                closes = closes_on(cal, w.end, s.grace_school_days)
                settled = mark is not None and closes < mark
                if settled and w.start not in opened:
                    continue
                state = MISSED if as_of > closes else _open_state(w.due_on, s, as_of, cal)
                shared.append((w.start, w.end, w.due_on, min(w.end, as_of), state, closes, settled))
            if shared:
                per_setting[setting_id] = shared
        shared_of[i] = per_setting

    # How far back a one-off rule's events and records are read: a settled standard's open one-offs fell due on or
    # after its horizon, so their events are at most N days (and a fortnight's reminders) earlier.
    one_off_from: dict[int, dt.date] = {}
    for i, r in enumerate(rules):
        s = r.standard
        if s.cadence not in ONE_OFF_CADENCES:
            continue
        h = plan.horizons.get(s.pk)
        if h is None or not world.calendars:
            one_off_from[i] = since
            continue
        lower = min(add_days(cal, h, -s.cadence_n, s.day_count) for cal in world.calendars.values())
        lower -= dt.timedelta(days=BEFORE_EVENT_EARLIEST + 7)
        if open_starts.get(s.pk):
            lower = min(lower, min(open_starts[s.pk]))
        one_off_from[i] = max(since, lower)

    live = [
        i for i, r in enumerate(rules)
        if (r.standard.cadence in ONE_OFF_CADENCES and any(
            subjects and (r.standard.cadence != Cadence.AFTER_ENROLMENT or any(v[3] >= since for v in subjects.values()))
            for subjects in subjects_of[i].values()
        )) or shared_of.get(i)
    ]
    # A family's records count for its key workers and settings: those families' records are read too.
    wider = None if families is None else families | {c[1] for c in world.children} | {a[0] for a in world.allocations}

    # One fetch per event source, whatever the number of rules counting from it.
    event_kinds: dict[str, set[str]] = defaultdict(set)
    event_from: dict[str, dt.date] = {}
    for i in live:
        s = rules[i].standard
        if s.cadence in EVENT_CADENCES:
            # A child's events are its family's events that name the child or no child.
            event_kinds[s.event] |= {"family"} if s.subject == Subject.CHILD else {_KIND[s.subject]}
            event_from[s.event] = min(event_from.get(s.event, as_of), one_off_from[i])
    event_answers = {}
    for code, wanted in event_kinds.items():
        source = event_source(code)
        extra = {"families": wider if wanted & {"staff", "setting"} else families} if source.by_family else {}
        event_answers[code] = source.fetch(organisation_id, event_from[code], as_of + dt.timedelta(days=LOOKAHEAD_DAYS), **extra)

    def evidence_reads(live: list[int]) -> dict[tuple[str, str], tuple[dt.date, frozenset[str]]]:
        """One read per evidence source and set of conditions, shared by the rules that use it: from the earliest day
        a window still to compute starts, for the kinds of subject the rules count."""
        fetch_from: dict[tuple[str, str], dt.date] = {}
        kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
        for i in live:
            s = rules[i].standard
            key = _evidence_key(s)
            if s.cadence in ONE_OFF_CADENCES:
                lower = one_off_from[i]
            else:
                lower = min(w[0] for shared in shared_of[i].values() for w in shared)
            fetch_from[key] = min(fetch_from.get(key, as_of), lower)
            kinds[key].add(_KIND[s.subject])
        return {key: (fetch_from[key], frozenset(kinds[key])) for key in fetch_from}

    def fetch(key: tuple[str, str], start: dt.date, kinds: frozenset[str]) -> Iterable:
        source = evidence_source(key[0])
        extra = {"families": wider if kinds & {"staff", "setting"} else families} if source.by_family else {}
        return source.fetch(organisation_id, start, as_of, conditions_of[key], **extra)

    conditions_of = {_evidence_key(r.standard): r.standard.evidence_conditions for r in rules}
    # On PostgreSQL an update for a few families sends the reads of its event sources and of the evidence of its rules
    # that count from no event together, in one round trip; the evidence of rules counting from events follows only
    # when the family has such events (and the earlier read did not already cover it). A full run, or any run
    # elsewhere (where each read is a round trip anyway), reads the events first, then the evidence the rules need.
    early: dict[tuple[str, str], tuple[dt.date, frozenset[str]]] = {}
    if families is not None and connection.vendor == "postgresql":
        early = evidence_reads([i for i in live if rules[i].standard.cadence not in EVENT_CADENCES])
    rows_read = read_together([*event_answers.values(), *(fetch(key, *read) for key, read in early.items())])
    events: dict[str, _Index] = {
        code: _index(rows, world, event_kinds[code], None) for code, rows in zip(event_answers, rows_read, strict=False)
    }
    early_rows = dict(zip(early, rows_read[len(event_answers):], strict=True))
    live = [
        i for i in live
        if rules[i].standard.cadence not in EVENT_CADENCES
        or getattr(events[rules[i].standard.event], "family" if rules[i].standard.subject == Subject.CHILD else _KIND[rules[i].standard.subject])
    ]
    reads = evidence_reads(live)
    later = [key for key, read in reads.items() if early.get(key) != read]
    early_rows |= dict(zip(later, read_together([fetch(key, *reads[key]) for key in later]), strict=True))
    evidence: dict[tuple[str, str], _Index] = {
        key: _index(early_rows[key], world, kinds, families if not kinds & {"staff", "setting"} else None)
        for key, (_, kinds) in reads.items()
    }
    return _Prepared(plan, live, subjects_of, shared_of, events, evidence)


def _emit(prep: _Prepared, diff: _Diff, subjects_of: list[dict[int, dict[str, tuple]]] | None = None) -> None:
    """Compute the obligations of the live rules into the diff: of every subject, or of those in `subjects_of` (a
    part of the run's subjects, shaped as prep.subjects_of)."""
    plan, world, rules = prep.plan, prep.plan.world, prep.plan.rules
    subjects_of = prep.subjects_of if subjects_of is None else subjects_of
    for i in prep.live:
        r = rules[i]
        s = r.standard
        ev = getattr(prep.evidence[_evidence_key(s)], _KIND[s.subject])
        if s.cadence not in ONE_OFF_CADENCES:
            for setting_id, shared in prep.shared_of[i].items():
                subjects = subjects_of[i].get(setting_id)
                if subjects:
                    _recurring(diff, s.pk, setting_id, subjects, shared, ev, _responsible(s, world, setting_id))
        else:
            answers = bool(getattr(evidence_source(s.evidence), "answers_events", False))
            for setting_id, subjects in subjects_of[i].items():
                if subjects:
                    _one_off(diff, r, setting_id, subjects, ev, _responsible(s, world, setting_id), prep.events, world,
                             plan.settled.get(s.pk), answers)


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

    Recurring windows are met only by a record dated inside themselves and entered before they close; a subject that
    started later owes none from before."""
    stored, put = diff.stored, diff.put
    for subject_key, (family_id, child_id, subject_id, started) in subjects.items():
        lst = records.get(subject_id)
        staff_id = staff_of(family_id, subject_id)
        for start, end, due, last, open_state, closes, only_stored in shared:
            if end < started:
                continue
            key = (sid, subject_key, start)
            if only_stored and key not in stored:
                continue
            hit = _hit(lst, start, last, due, end, closes) if lst else None
            if hit is None:
                value = (open_state, None, "", staff_id, due, end, False)
            else:
                value = (MET, hit[0][2], hit[0][3], staff_id, due, end, hit[1])
            put(key, value, setting_id, family_id, child_id)


def _one_off(diff: _Diff, r: Rule, setting_id: int, subjects: dict, records: dict, staff_of,
             events: dict[str, _Index], world: _World, mark: dt.date | None, answers_events: bool) -> None:
    """Within N days of enrolment (or of becoming a key worker, or of the school year for a setting), and before or
    after each event: windows of each subject's own.

    A one-off obligation stays actionable until `one_off_open_school_days` school days after it fell due (one before
    an event, until the event at the latest), then it is missed; a record entered by then meets it (late, if dated
    after the due date). A source that answers events meets an event's obligation only with a record about it."""
    s = r.standard
    as_of, since = world.as_of, world.since
    cal = world.calendars[setting_id]
    n, day_count, open_days = s.cadence_n, s.day_count, s.one_off_open_school_days
    kind = _KIND[s.subject]
    stored = diff.stored
    for subject_key, (family_id, child_id, subject_id, started) in subjects.items():
        lst = records.get(subject_id)
        staff_id = staff_of(family_id, subject_id)
        # (key, start, end, due, last day a record counts, closes, the event's reference)
        owed: list[tuple] = []
        if s.cadence == Cadence.AFTER_ENROLMENT:
            if started < since:
                continue
            due = add_days(cal, started, n, day_count)
            closes = cal.shift_school_days(due, open_days)
            owed.append((subject_key, started, due, due, min(as_of, closes), closes, None))
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
                    due = add_days(cal, on, -n, day_count)
                    if due < since:
                        continue
                    # A reminder counts from a fortnight before its due date until the event itself.
                    start = due - dt.timedelta(days=BEFORE_EVENT_EARLIEST)
                    closes = min(on, cal.shift_school_days(due, open_days))
                    owed.append((key, start, on, due, min(closes, as_of), closes, None))
                elif on <= as_of:
                    due = add_days(cal, on, n, day_count)
                    closes = cal.shift_school_days(due, open_days)
                    owed.append((key, on, due, due, min(as_of, closes), closes, ref if answers_events else None))
        seen: set[str] = set()
        for key, start, end, due, last, closes, about in owed:
            if key in seen:  # the same event twice (one reference) is one obligation
                continue
            seen.add(key)
            if not r.governs(start, end):
                continue
            full_key = (s.pk, key, start)
            if mark is not None and closes < mark and full_key not in stored:
                continue  # settled: closed before the last full run, which stored it final
            hit = _hit(lst, start, last, due, end, closes, about) if lst else None
            if hit is not None:
                value = (MET, hit[0][2], hit[0][3], staff_id, due, end, hit[1])
            elif as_of > closes:
                value = (MISSED, None, "", staff_id, due, end, False)
            else:
                value = (_open_state(due, s, as_of, cal), None, "", staff_id, due, end, False)
            diff.put(full_key, value, setting_id, family_id, child_id)


def _in_scope(subject_key: str, world: _World) -> bool:
    """Whether a stored key worker or setting obligation belongs to an incremental run's scope."""
    head = subject_key.split("@", 1)[0]
    if head[:1] == "s":
        return world.staff_scope is not None and head[1:].isdigit() and int(head[1:]) in world.staff_scope
    if head[:1] == "t":
        return world.setting_scope is not None and head[1:].isdigit() and int(head[1:]) in world.setting_scope
    return False


def _stored(organisation_id: int, plan: _Plan, families: set[int] | None, as_of: dt.date) -> dict[Key, tuple]:
    """The stored obligations the run may change, as tuples (STORED_COLUMNS, then whether escalated_at is empty).

    Only those that can still change or that a window still to compute may meet: every open one, and the others
    of periods that ended after the horizon (settled periods are neither read nor computed)."""
    world = plan.world
    since = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    open_marks, open_states = _in_list(OPEN)
    sql = (
        f"SELECT {', '.join(STORED_COLUMNS[:12])}, {_version()}, {', '.join(STORED_COLUMNS[13:])}, escalated_at IS NULL"  # noqa: S608
        f" FROM {_table(Obligation)} WHERE organisation_id = %s"
    )  # table name from the model; every value is a parameter
    # Every open one; of the others, those of periods that ended on or after each standard's horizon (without a
    # mark: those that started within the look-back).
    by_horizon: dict[dt.date | None, list[int]] = defaultdict(list)
    for pk, h in plan.horizons.items():
        by_horizon[h].append(pk)
    wanted, extra = [], []
    for h, pks in sorted(by_horizon.items(), key=lambda item: item[0] or dt.date.min):
        marks, ids = _in_list(pks)
        wanted.append(f" OR (standard_id IN ({marks}) AND {'period_start' if h is None else 'period_end'} >= %s)")
        extra += [*ids, since if h is None else h]
    sql += f" AND (state IN ({open_marks}){''.join(wanted)})"
    params: list = [organisation_id, *open_states, *extra]
    staff_or_setting = world is not None and (world.staff_scope or world.setting_scope)
    if families is not None:
        marks, ids = _in_list(families)
        sql += f" AND (family_id IN ({marks}){' OR family_id IS NULL' if staff_or_setting else ''})"
        params += ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if families is not None:
        rows = [r for r in rows if r[1][:1] in "fc" or (staff_or_setting and _in_scope(r[1], world))]
    return {(r[0], r[1], r[2]): r for r in rows}


def _leftovers(diff: _Diff, plan: _Plan, as_of: dt.date) -> list[tuple]:
    """Stored open obligations the computation did not produce: what becomes of them. Returns the ones to remove.

    History is never deleted. An open obligation of a subject no longer in scope (a child who left, a standard
    switched off, a family that no longer meets its conditions) is removed only while its period has not ended;
    one whose period ended stays, and is missed once it closes (a late record can no longer be matched to it).
    An open obligation of a period that a standard's rule no longer governs (the definition changed from a date)
    is removed while its period has not closed, so that each period has the obligations of one rule; after it
    closed it stays, missed. Obligations in a final state are never touched."""
    world = plan.world
    rules_of: dict[int, list[Rule]] = defaultdict(list)
    for r in plan.rules:
        rules_of[r.standard.pk].append(r)
    gone = []
    for row in diff.stored.values():
        if row[3] not in OPEN:
            continue
        sid, subject_key, start, end, due = row[0], row[1], row[2], row[8], row[7]
        rules = rules_of.get(sid)
        s = rules[0].standard if rules else None
        cal = world.calendars.get(row[11]) if world is not None else None
        one_off = "@" in subject_key or (s is not None and s.cadence == Cadence.AFTER_ENROLMENT)
        if one_off:
            days, base = (s.one_off_open_school_days if s is not None else 10), due
        else:
            days, base = (s.grace_school_days if s is not None else 5), end
        closes = cal.shift_school_days(base, days) if cal is not None else base + dt.timedelta(days=days * 7 // 5 + 2)
        ruled_out = bool(rules) and not any(r.governs(start, end) for r in rules)
        if ruled_out:
            remove = as_of <= closes
        else:
            remove = end >= as_of
        if remove:
            gone.append(row)
        elif as_of > closes:
            diff.update.append((row[10], (MISSED, None, "", row[6], due, end, False), row[3], row[14], row[12], sid, row[13]))
    return gone


# Called by a full run between its computation and its writes (tests use it to commit an update meanwhile).
_before_write: Callable[[], None] | None = None


def _lock(organisation_id: int, *, shared: bool = False) -> None:
    """The organisation's write lock, on its row, held until the transaction commits. An update for a few families
    takes it alone for its whole run; the parts of a full run take it shared, only to write (they write different
    families and may be written at once): so an update waits for the parts being written, and they for it. On
    PostgreSQL the update's lock is FOR NO KEY UPDATE, which does not hold up other transactions' foreign-key checks
    on the organisation (every row they write of it)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {_table(Organisation)} WHERE id = %s FOR {'SHARE' if shared else 'NO KEY UPDATE'}",  # noqa: S608
                           [organisation_id])  # table name from the model
            cursor.fetchall()
    else:
        list(Organisation.objects.select_for_update().filter(pk=organisation_id).values_list("id"))


def recompute(
    *, organisation_id: int, as_of: dt.date, families: Iterable[int] | None = None, staff: Iterable[int] = (),
    settings: Iterable[int] = (), actor=None, rebuild: bool = False, progress: Progress | None = None,
) -> RunResult:
    """Bring stored obligations in line with the computation; one event row per change of state.

    With `families=` (and/or `staff=`, `settings=` for records about a key worker or a setting rather than a
    family) only those subjects' obligations are brought up to date; without, the whole organisation's.

    An update for a few families is one transaction and holds the organisation's write lock for its whole (short)
    run. A full run reads once, without the lock, then computes and writes the families a part at a time
    (PART_FAMILIES), each part its own transaction that takes the lock only to write: so an update waits at most for
    one part's writes, and the run's progress (EngineRun; `progress(done, total)`) is real. It writes a change only
    to a row still as it read it (state and updated_at), and inserts only what is still missing, so an update
    committed meanwhile is never overwritten with what the full run computed from older records. With its last part
    a full run marks each standard settled as of the day: windows that closed before it are final and are neither
    read nor computed again (`rebuild=True` computes every window again, and lets missed ones be met by records
    entered since: only for seeding history, such as the demo's back-dated records). Inside a caller's transaction
    the parts are savepoints, committed with it."""
    staff, settings = set(staff), set(settings)
    family_set = set(families) if families is not None else (set() if staff or settings else None)
    if family_set is None:
        with _collector_paused():
            return _full_run(organisation_id, as_of, actor, rebuild, progress)
    return _update(organisation_id, as_of, family_set, staff, settings, actor, rebuild)


@contextmanager
def _collector_paused():
    """No garbage collection during a full run: it builds millions of tuples, which hold no cycles, and every pause
    of the collector would walk all of them again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# No savepoint of its own inside a caller's transaction (recording a contact): nothing catches its errors to carry
# on, and a failure still rolls back the caller's whole transaction, record and obligations together. Two round trips
# (SAVEPOINT, RELEASE) fewer on PostgreSQL for every record saved.
@transaction.atomic(savepoint=False)
def _update(organisation_id: int, as_of: dt.date, family_set: set[int], staff: set[int], settings: set[int], actor,
            rebuild: bool) -> RunResult:
    rules = rules_for(organisation_id, as_of - dt.timedelta(days=LOOKBACK_DAYS), as_of)
    if rules and family_set and not staff and not settings and all(
            r.standard.subject in (Subject.FAMILY, Subject.CHILD) for r in rules):
        plan, stored = _families_read(organisation_id, as_of, family_set, rules, rebuild)
    else:
        _lock(organisation_id)
        plan = _plan(organisation_id, as_of, family_set, staff, settings, rebuild, rules=rules)
        stored = _stored(organisation_id, plan, family_set, as_of)
    diff = _Diff(stored, reopen_missed=rebuild, keep_standing=True)
    if plan.world is not None:
        _compute(organisation_id, plan, diff)
    gone = _leftovers(diff, plan, as_of)
    result = _write(organisation_id, diff, gone, clock.now(), actor)
    _name_clauses(result, plan)
    evidence_of = {r.standard.pk: r.standard.evidence for r in plan.rules}
    result.standing = [Standing(key[0], evidence_of.get(key[0], ""), family_id, key[2], end, state)
                       for key, (family_id, end, state) in diff.standing.items()]
    return result


def _fetch_many(statements: list[tuple[str, list]]) -> list[list[tuple]]:
    """The rows of several statements: on PostgreSQL sent together, in one round trip (the driver binds the values
    on the client and reads each statement's rows in turn), elsewhere one by one."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            out = []
            for sql, params in statements:
                cursor.execute(sql, params)
                out.append(cursor.fetchall())
            return out
        cursor.execute(";\n".join(sql for sql, _ in statements), [p for _, params in statements for p in params])
        out = [cursor.fetchall()]
        while cursor.nextset():
            out.append(cursor.fetchall())
        return out


def _families_read(organisation_id: int, as_of: dt.date, families: set[int], rules: list[Rule],
                   rebuild: bool) -> tuple[_Plan, dict[Key, tuple]]:
    """An update for a few families whose rules are about families and children (the usual case): the lock, their
    children on roll, their key workers, the organisation's calendars and their stored obligations, in one round
    trip. The stored obligations are read from a little before the earliest horizon and kept as _stored keeps them."""
    since = as_of - dt.timedelta(days=LOOKBACK_DAYS)
    on_roll = Q(organisation_id=organisation_id, enrolled_on__lte=as_of) & (Q(left_on__isnull=True) | Q(left_on__gte=as_of))
    columns = ("id", "family_id", "setting_id", "has_ehcp", "year_group", "enrolled_on", "setting__kind", "setting__jurisdiction")
    children = Child.objects.filter(on_roll, family_id__in=families).values_list(*columns).order_by()
    allocations = (responsibility.allocations().filter(organisation_id=organisation_id, ends_at__isnull=True, family_id__in=families)
                   .values_list("family_id", "setting_id", "staff_id", "setting__kind", "setting__jurisdiction").order_by())
    calendars = _calendar_sql(f"SELECT id FROM {_table(Setting)} WHERE organisation_id = %s", [organisation_id])  # noqa: S608
    # No horizon is earlier than a mark less the standard's grace in school days, the holidays between included.
    earliest = since
    for r in rules:
        s, mark = r.standard, getattr(r.standard, "settled_on", None)
        if mark is not None and not rebuild:
            reach = (s.one_off_open_school_days if s.cadence in ONE_OFF_CADENCES else s.grace_school_days) + 1
            earliest = min(earliest, mark - dt.timedelta(days=2 * reach + 60))
    open_marks, open_states = _in_list(OPEN)
    family_marks, family_ids = _in_list(families)
    stored_sql = (
        f"SELECT {', '.join(STORED_COLUMNS[:12])}, {_version()}, {', '.join(STORED_COLUMNS[13:])}, escalated_at IS NULL"  # noqa: S608
        f" FROM {_table(Obligation)} WHERE organisation_id = %s AND family_id IN ({family_marks})"
        f" AND (state IN ({open_marks}) OR period_end >= %s)"
    )  # table name from the model; every value is a parameter
    lock_sql = f"SELECT id FROM {_table(Organisation)} WHERE id = %s FOR NO KEY UPDATE"  # noqa: S608
    postgresql = connection.vendor == "postgresql"
    if not postgresql:
        _lock(organisation_id)
    *_, children, allocations, calendar_rows, stored_rows = _fetch_many([
        *([(lock_sql, [organisation_id])] if postgresql else []),
        children.query.sql_with_params(), allocations.query.sql_with_params(), calendars,
        (stored_sql, [organisation_id, *family_ids, *open_states, earliest]),
    ])
    known = {r[2]: (r[6], r[7]) for r in children} | {a[1]: (a[3], a[4]) for a in allocations}
    settings = {
        pk: Setting(id=pk, organisation_id=organisation_id, kind=kind, jurisdiction=jurisdiction)
        for pk, (kind, jurisdiction) in sorted(known.items())
    }
    family_settings: dict[int, set[int]] = defaultdict(set)
    for c in children:
        family_settings[c[1]].add(c[2])
    world = _World(
        as_of=as_of, since=since, families=families, staff_scope=None, setting_scope=None, children=children,
        settings=settings, calendars=_calendars(settings, calendar_rows),
        key_workers={(a[0], a[1]): a[2] for a in allocations}, allocations=allocations, family_settings=family_settings,
    )
    plan = _marked(rules, world, rebuild)
    stored = {}
    for r in stored_rows:
        if r[1][:1] not in "fc":
            continue
        if r[3] not in OPEN:
            if r[0] not in plan.horizons:
                continue
            h = plan.horizons[r[0]]
            if (r[2] < since) if h is None else (r[8] < h):
                continue
        stored[(r[0], r[1], r[2])] = r
    return plan, stored


def _full_run(organisation_id: int, as_of: dt.date, actor, rebuild: bool, progress: Progress | None) -> RunResult:
    with transaction.atomic():
        plan = _plan(organisation_id, as_of, None, rebuild=rebuild)
        stored = _stored(organisation_id, plan, None, as_of)
        prep = _prepare(organisation_id, plan, stored) if plan.world is not None else None
    parts = _parts(plan, prep, stored)
    del stored
    total = sum(len(p.families) for p in parts)
    _run_started(organisation_id, total)
    # Threads for a run with much to write: a first run (or a standard new to the organisation), not a steady one.
    threaded = (connection.vendor == "postgresql" and not connection.in_atomic_block and len(parts) > 1
                and any(mark is None for mark in plan.settled.values()))
    writer = _Writer(organisation_id, plan, as_of, actor, total, progress, threaded)
    try:
        for n in range(len(parts)):
            part, parts[n] = parts[n], None  # each part's rows go once written
            diff = _Diff(part.stored, reopen_missed=rebuild)
            if prep is not None:
                _emit(prep, diff, part.subjects_of)
            gone = _leftovers(diff, plan, as_of)
            if n == 0 and _before_write is not None:
                _before_write()
            writer.put(diff, gone, len(part.families))
    except BaseException:
        writer.stop()  # the parts written stay; nothing is marked settled
        raise
    result = writer.finish()
    _name_clauses(result, plan)
    return result


class _Writer:
    """Writes a full run's parts, each in a transaction of its own under the organisation's lock (shared), reports
    the families done after each, and, once every part is written, marks the standards settled. On PostgreSQL,
    outside a caller's transaction, WRITERS threads with connections of their own write the parts while the run
    computes the next ones, so that the database's work (the writes, and the foreign-key checks of each commit) and
    the computation overlap."""

    def __init__(self, organisation_id: int, plan: _Plan, as_of: dt.date, actor, total: int, progress: Progress | None,
                 threaded: bool) -> None:
        self.organisation_id, self.plan, self.as_of, self.actor = organisation_id, plan, as_of, actor
        self.total, self.progress = total, progress
        self.done = 0
        self.result = RunResult()
        self.error: BaseException | None = None
        self.counting = threading.Lock()
        self.queue: queue.Queue | None = None
        self.threads: list[threading.Thread] = []
        if threaded:
            self.queue = queue.Queue(maxsize=WRITERS)  # parts computed ahead of the writes
            self.threads = [threading.Thread(target=self._loop, name="engine-writer", daemon=True) for _ in range(WRITERS)]
            for thread in self.threads:
                thread.start()

    def put(self, diff: _Diff, gone: list, families: int) -> None:
        if self.error is not None:
            raise self.error
        if self.queue is None:
            self._write(diff, gone, families)
        else:
            self.queue.put((diff, gone, families))

    def stop(self) -> None:
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()

    def finish(self) -> RunResult:
        self.stop()
        if self.error is not None:
            raise self.error
        now = clock.now()
        with transaction.atomic():
            _lock(self.organisation_id, shared=True)
            if self.plan.rules:
                _mark_settled(self.organisation_id, self.plan, self.as_of)
            EngineRun.objects.filter(organisation_id=self.organisation_id).update(families_done=self.done, updated_at=now,
                                                                                  finished_at=now)
        return self.result

    def _loop(self) -> None:
        try:
            while (item := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        self._write(*item)
                    except BaseException as exc:  # raised again in the run's own thread
                        self.error = exc
        finally:
            connection.close()  # this thread's own connection

    def _write(self, diff: _Diff, gone: list, families: int) -> None:
        written = None
        if diff.create or diff.update or gone:  # a part with nothing to write takes no lock and commits nothing
            with transaction.atomic():
                _lock(self.organisation_id, shared=True)
                written = _write(self.organisation_id, diff, gone, clock.now(), self.actor)
        with self.counting:
            self.done += families
            if written is not None:
                _add(self.result, written)
                EngineRun.objects.filter(organisation_id=self.organisation_id).update(families_done=self.done,
                                                                                      updated_at=clock.now())
            if self.progress is not None:
                self.progress(self.done, self.total)


@dataclass
class _Part:
    """Families a full run computes and writes together, their subjects (shaped as _Prepared.subjects_of) and the
    stored obligations they may change. The last part also holds the key workers' and the settings' own
    obligations, and every stored obligation of a subject no longer on roll."""

    families: list[int]
    subjects_of: list[dict[int, dict[str, tuple]]] = field(default_factory=list)
    stored: dict[Key, tuple] = field(default_factory=dict)


def _parts(plan: _Plan, prep: _Prepared | None, stored: dict[Key, tuple]) -> list[_Part]:
    world = plan.world
    children = world.children if world is not None else []
    families = sorted({c[1] for c in children})
    parts = [_Part(families[i:i + PART_FAMILIES]) for i in range(0, len(families), PART_FAMILIES)] or [_Part([])]
    last = len(parts) - 1
    part_of = {f: i // PART_FAMILIES for i, f in enumerate(families)}
    family_of_child = {c[0]: c[1] for c in children}
    if prep is not None:
        split: dict[int, list[dict[int, dict[str, tuple]]]] = {}  # shared subjects, split once
        for subjects_by_setting in prep.subjects_of:
            if id(subjects_by_setting) not in split:
                pieces: list[dict[int, dict[str, tuple]]] = [defaultdict(dict) for _ in parts]
                for setting_id, subjects in subjects_by_setting.items():
                    for key, v in subjects.items():
                        pieces[last if v[0] is None else part_of.get(v[0], last)][setting_id][key] = v
                split[id(subjects_by_setting)] = pieces
            for n, part in enumerate(parts):
                part.subjects_of.append(split[id(subjects_by_setting)][n])
    stores = [part.stored for part in parts]
    for key, row in stored.items():
        # By subject: a family's and a child's obligations go with the family (the child's family now), others last.
        subject_key = key[1]
        tag = subject_key[:1]
        if tag == "f":
            n = part_of.get(row[13], last)
        elif tag == "c":
            head = subject_key[1:].partition("@")[0]
            n = part_of.get(family_of_child.get(int(head)) if head.isdigit() else None, last)
        else:
            n = last
        stores[n][key] = row
    return parts


def _run_started(organisation_id: int, total: int) -> None:
    now = clock.now()
    EngineRun.objects.bulk_create(
        [EngineRun(organisation_id=organisation_id, started_at=now, updated_at=now, finished_at=None, families_done=0,
                   families_total=total)],
        update_conflicts=True, unique_fields=["organisation"],
        update_fields=["started_at", "updated_at", "finished_at", "families_done", "families_total"],
    )


def _write(organisation_id: int, diff: _Diff, gone: list, now: dt.datetime, actor) -> RunResult:
    if connection.vendor == "postgresql":
        return _write_postgresql(organisation_id, diff.create, diff.update, gone, now, getattr(actor, "pk", None))
    return _write_portable(organisation_id, diff.create, diff.update, gone, now, actor)


def _add(total: RunResult, part: RunResult) -> None:
    total.created += part.created
    total.updated += part.updated
    total.removed += part.removed
    total.events += part.events
    for c in part.changes:
        if len(total.changes) < CHANGES_KEPT:
            total.changes.append(c)
        else:
            total.changes_complete = False
    total.changes_complete = total.changes_complete and part.changes_complete


def _name_clauses(result: RunResult, plan: _Plan) -> None:
    """Each change's clause: from the rules the run computed (a query only for a standard no longer among them)."""
    if not result.changes:
        return
    clauses = {r.standard.pk: r.standard.clause for r in plan.rules}
    missing = {c.standard_id for c in result.changes} - clauses.keys()
    if missing:
        clauses |= dict(Standard.objects.filter(pk__in=missing).values_list("id", "clause"))
    result.changes = [c._replace(clause=clauses.get(c.standard_id, "")) for c in result.changes]


def _mark_settled(organisation_id: int, plan: _Plan, as_of: dt.date) -> None:
    marks = [
        SettledPeriods(organisation_id=organisation_id, standard_id=pk, settled_on=max(as_of, mark or as_of))
        for pk, mark in sorted(plan.settled.items())
    ]
    SettledPeriods.objects.bulk_create(marks, update_conflicts=True, unique_fields=["standard"], update_fields=["settled_on"])


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _version(prefix: str = "") -> str:
    """An obligation's updated_at as the run reads and compares it: on PostgreSQL whole microseconds since the epoch
    (an integer: tens of thousands of timestamps are not parsed into datetimes only to be compared)."""
    if connection.vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM {prefix}updated_at) * 1000000)::bigint"
    return f"{prefix}updated_at"


def _change(result: RunResult, pk: int, standard_id: int, family_id: int | None, from_state: str, to_state: str) -> None:
    if len(result.changes) < CHANGES_KEPT:
        result.changes.append(Change(pk, standard_id, "", family_id, from_state, to_state))
    else:
        result.changes_complete = False


def _write_postgresql(organisation_id: int, to_create: list, to_update: list, gone: list, now: dt.datetime,
                      actor_id: int | None) -> RunResult:
    """New and changed obligations and their events: one statement per batch, the rows passed as arrays."""
    import psycopg

    obligations, events = _table(Obligation), _table(ObligationEvent)
    open_marks, open_states = _in_list(OPEN)
    insert = f"""
        WITH d AS (
            SELECT * FROM unnest(%b::bigint[], %b::text[], %b::date[], %b::text[], %b::date[], %b::text[], %b::bigint[],
                                 %b::date[], %b::date[], %b::boolean[], %b::bigint[], %b::bigint[], %b::bigint[])
                AS d(standard_id, subject_key, period_start, state, met_on, evidence_ref, responsible_staff_id, due_on,
                     period_end, met_late, setting_id, family_id, child_id)
        ), ins AS (
            INSERT INTO {obligations} (organisation_id, standard_id, subject_key, period_start, state, met_on, evidence_ref,
                responsible_staff_id, due_on, period_end, met_late, setting_id, family_id, child_id, escalated_at,
                waived_reason, updated_at)
            SELECT %s, d.*, CASE WHEN d.state = %s THEN %s::timestamptz END, '', %s FROM d
            ON CONFLICT (standard_id, subject_key, period_start) DO NOTHING
            RETURNING id, state, standard_id, family_id
        ), ev AS (
            INSERT INTO {events} (organisation_id, obligation_id, from_state, to_state, at, actor_id, note)
            SELECT %s, id, '', state, %s, %s, '' FROM ins
        )
        SELECT (SELECT count(*) FROM ins), id, state, standard_id, family_id FROM ins LIMIT %s
    """  # noqa: S608 - table names from the models; every value is a parameter
    # A row changes only if it is still as the run read it (an update committed meanwhile wins).
    update = f"""
        WITH d AS (
            SELECT * FROM unnest(%b::bigint[], %b::text[], %b::date[], %b::text[], %b::bigint[], %b::date[], %b::date[],
                                 %b::boolean[], %b::text[], %b::bigint[])
                AS d(id, state, met_on, evidence_ref, responsible_staff_id, due_on, period_end, met_late, from_state, read_at)
        ), upd AS (
            UPDATE {obligations} o SET state = d.state, met_on = d.met_on, evidence_ref = d.evidence_ref,
                responsible_staff_id = d.responsible_staff_id, due_on = d.due_on, period_end = d.period_end,
                met_late = d.met_late, updated_at = %s,
                escalated_at = CASE WHEN d.state = %s AND o.escalated_at IS NULL THEN %s::timestamptz ELSE o.escalated_at END
            FROM d WHERE o.id = d.id AND o.state = d.from_state AND {_version('o.')} = d.read_at
            RETURNING o.id, d.from_state, d.state, o.standard_id, o.family_id
        ), ev AS (
            INSERT INTO {events} (organisation_id, obligation_id, from_state, to_state, at, actor_id, note)
            SELECT %s, id, from_state, state, %s, %s, '' FROM upd WHERE from_state <> state
        )
        SELECT id, from_state, state, standard_id, family_id FROM upd
    """  # noqa: S608 - table names from the models; every value is a parameter
    # An obligation removed takes its events with it (as the ORM's cascade would).
    delete = f"""
        WITH del AS (
            DELETE FROM {obligations} o USING unnest(%b::bigint[], %b::bigint[]) AS d(id, read_at)
            WHERE o.id = d.id AND {_version('o.')} = d.read_at AND o.state IN ({open_marks})
            RETURNING o.id, o.state, o.standard_id, o.family_id
        ), ev AS (
            DELETE FROM {events} WHERE obligation_id IN (SELECT id FROM del)
        )
        SELECT id, state, standard_id, family_id FROM del
    """  # noqa: S608 - table names from the models; every value is a parameter
    result = RunResult()
    connection.ensure_connection()

    def execute(cursor, sql: str, params: list, rows: int) -> list:
        started = time.monotonic()
        cursor.execute(sql, params)
        if connection.queries_logged:  # counted like any other query (CaptureQueriesContext, DEBUG)
            connection.queries_log.append({"sql": f"{sql.split(maxsplit=1)[0]} ... ({rows} rows as arrays)",
                                           "time": f"{time.monotonic() - started:.3f}"})
        return cursor.fetchall()

    # Parameters bound on the server and sent in binary: the arrays are neither quoted nor parsed as text.
    with psycopg.Cursor(connection.connection) as cursor:
        for i in range(0, len(to_create), WRITE_BATCH):
            batch = to_create[i:i + WRITE_BATCH]
            keys = [b[0] for b in batch]
            values = [b[1] for b in batch]
            columns = [
                [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys],
                [v[0] for v in values], [v[1] for v in values], [v[2] for v in values], [v[3] for v in values],
                [v[4] for v in values], [v[5] for v in values], [v[6] for v in values], [b[2] for b in batch],
                [b[3] for b in batch], [b[4] for b in batch],
            ]
            # The rows inserted are counted; only those the result lists come back.
            kept = max(1, CHANGES_KEPT - len(result.changes))
            rows = execute(cursor, insert, [*columns, organisation_id, ESCALATED, now, now, organisation_id, now, actor_id,
                                            kept], len(batch))
            inserted = rows[0][0] if rows else 0
            result.created += inserted
            result.events += inserted
            for _, pk, state, standard_id, family_id in rows:
                _change(result, pk, standard_id, family_id, "", state)
            if inserted > len(rows):
                result.changes_complete = False
        for i in range(0, len(to_update), WRITE_BATCH):
            batch = to_update[i:i + WRITE_BATCH]
            columns = [
                [b[0] for b in batch], [b[1][0] for b in batch], [b[1][1] for b in batch], [b[1][2] for b in batch],
                [b[1][3] for b in batch], [b[1][4] for b in batch], [b[1][5] for b in batch], [b[1][6] for b in batch],
                [b[2] for b in batch], [b[4] for b in batch],
            ]
            rows = execute(cursor, update, [*columns, now, ESCALATED, now, organisation_id, now, actor_id], len(batch))
            result.updated += len(rows)
            for pk, from_state, state, standard_id, family_id in rows:
                if from_state != state:
                    result.events += 1
                    _change(result, pk, standard_id, family_id, from_state, state)
        for i in range(0, len(gone), WRITE_BATCH):
            batch = gone[i:i + WRITE_BATCH]
            rows = execute(cursor, delete, [[b[10] for b in batch], [b[12] for b in batch], *open_states], len(batch))
            result.removed += len(rows)
            for pk, state, standard_id, family_id in rows:
                _change(result, pk, standard_id, family_id, state, "")
    return result


def _write_portable(organisation_id: int, to_create: list, to_update: list, gone: list, now: dt.datetime, actor) -> RunResult:
    """The same writes through the ORM, for databases other than PostgreSQL (SQLite in development and tests): under
    the lock, the rows to change are read again and only those still as the run read them are written."""
    result = RunResult()
    if to_create:
        starts = min(b[0][2] for b in to_create)
        standard_ids = {b[0][0] for b in to_create}
        exists = set(Obligation.objects.filter(organisation_id=organisation_id, standard_id__in=standard_ids,
                                               period_start__gte=starts)
                     .values_list("standard_id", "subject_key", "period_start").order_by())
        to_create = [b for b in to_create if b[0] not in exists]
    if to_update or gone:
        ids = [b[0] for b in to_update] + [row[10] for row in gone]
        now_as: dict[int, tuple] = {}
        with connection.cursor() as cursor:  # read as _stored reads, so that the values compare alike
            for i in range(0, len(ids), 500):
                marks, chunk = _in_list(ids[i:i + 500])
                cursor.execute(f"SELECT id, state, {_version()} FROM {_table(Obligation)} WHERE id IN ({marks})", chunk)  # noqa: S608
                now_as.update((pk, (state, at)) for pk, state, at in cursor.fetchall())
        to_update = [b for b in to_update if now_as.get(b[0]) == (b[2], b[4])]
        gone = [row for row in gone if now_as.get(row[10]) == (row[3], row[12])]
    created = Obligation.objects.bulk_create([
        Obligation(
            organisation_id=organisation_id, standard_id=k[0], subject_key=k[1], period_start=k[2], state=v[0], met_on=v[1],
            evidence_ref=v[2], responsible_staff_id=v[3], due_on=v[4], period_end=v[5], met_late=v[6], setting_id=setting_id,
            family_id=family_id, child_id=child_id, updated_at=now, escalated_at=now if v[0] == ESCALATED else None,
        )
        for k, v, setting_id, family_id, child_id in to_create
    ], batch_size=2000)
    events = [
        ObligationEvent(organisation_id=organisation_id, obligation=o, from_state="", to_state=o.state, at=now, actor=actor)
        for o in created
    ]
    for o in created:
        _change(result, o.pk, o.standard_id, o.family_id, "", o.state)
    updates = []
    for pk, v, from_state, _, _, standard_id, family_id in to_update:
        updates.append(Obligation(
            pk=pk, state=v[0], met_on=v[1], evidence_ref=v[2], responsible_staff_id=v[3], due_on=v[4], period_end=v[5],
            met_late=v[6], updated_at=now,
        ))
        if from_state != v[0]:
            events.append(ObligationEvent(
                organisation_id=organisation_id, obligation_id=pk, from_state=from_state, to_state=v[0], at=now, actor=actor,
            ))
            _change(result, pk, standard_id, family_id, from_state, v[0])
    fields = ["state", "met_on", "evidence_ref", "responsible_staff", "due_on", "period_end", "met_late", "updated_at"]
    Obligation.objects.bulk_update(updates, fields, batch_size=300)
    newly_escalated = [b[0] for b in to_update if b[1][0] == ESCALATED and b[3]]
    for i in range(0, len(newly_escalated), 2000):
        Obligation.objects.filter(pk__in=newly_escalated[i:i + 2000]).update(escalated_at=now)
    ObligationEvent.objects.bulk_create(events, batch_size=2000)
    ids = [row[10] for row in gone]
    for i in range(0, len(ids), 2000):
        Obligation.objects.filter(pk__in=ids[i:i + 2000], state__in=OPEN).delete()
    for row in gone:
        _change(result, row[10], row[0], row[13], row[3], "")
    result.created, result.updated, result.removed, result.events = len(created), len(updates), len(gone), len(events)
    return result


def snapshot(organisation_id: int) -> dict[tuple[int, str, dt.date], tuple]:
    """The stored obligations as comparable tuples (for the incremental = full property)."""
    return {
        (o.standard_id, o.subject_key, o.period_start): (o.state, o.due_on, o.met_on, o.met_late, o.responsible_staff_id)
        for o in Obligation.objects.filter(organisation_id=organisation_id)
    }
