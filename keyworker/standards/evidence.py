"""The evidence registry: each domain app registers the records it provides; the engine imports no domain app.

A source answers, for one organisation and a date range, which family (and child) has a record on which day,
in one query. A standard names its evidence by code; until that code is registered it produces no obligations.

Records about a member of staff or a setting rather than a family (a supervision, a fire drill) name them with
`staff_id` or `setting_id` and may leave `family_id` empty. The key worker and setting subjects count them; a
record about a family with no `staff_id` counts for the family's current key worker, and with no `setting_id`
for the settings the family's children attend.

A source answers with a `SourceRead` (its one queryset, not yet run, and what turns the queryset's rows into
EvidenceRow or EventRow) rather than rows: the engine then sends the reads of every source it needs together (on
PostgreSQL in one round trip) and hands each source its rows. A source that needs more than one query, or none,
answers with its rows as before; a `SourceRead` iterated on its own runs its query then and there.
"""

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.query import FlatValuesListIterable, QuerySet, ValuesListIterable


class EvidenceRow(NamedTuple):
    """One record that meets a standard (a plain tuple: a source may return hundreds of thousands)."""

    family_id: int | None
    child_id: int | None
    on: dt.date
    ref: str
    staff_id: int | None = None
    setting_id: int | None = None
    # The day the record was entered, when later than `on` (a late record about an earlier day): met late.
    recorded_on: dt.date | None = None
    # For a source that `answers_events`: the reference of the event this record answers (e.g. the absence a
    # follow-up is about). A record naming no event answers none.
    about: str | None = None


# A source may also return plain tuples in EvidenceRow's order (a row shaped in SQL, as the cursor returns it).
Fetch = Callable[[int, dt.date, dt.date, dict], Iterable[EvidenceRow]]


@dataclass(frozen=True)
class EvidenceAction:
    """What a member of staff does to meet an obligation of this evidence: the button My week offers.

    `url` takes the obligation and answers the page that records it (with the family, child and event filled in),
    or "" when this obligation's action has no page (then no button shows)."""

    label: str  # e.g. "Log contact", "Mark as read", "Record the follow-up", "Confirm"
    url: Callable[[Any], str]
    # What meets it, in one line for the obligation page: "A contact about that child and that absence, dated ..."
    meets: str = ""


@dataclass(frozen=True)
class EvidenceSource:
    code: str
    label: str
    fetch: Fetch
    conditions: frozenset[str] = frozenset()  # condition keys the source understands (checked when a standard is saved)
    # A source that can narrow its query to a few families takes `families=` (a set, or None for all): the update
    # after one record then reads that family's records, not the organisation's. Records about no family (staff or
    # setting records) are returned whatever `families=` says.
    by_family: bool = False
    # The action that records it (None: no button; the obligation page explains what meets it).
    action: EvidenceAction | None = None
    # For obligations counted from events (within N days after each absence): a record meets an event's obligation
    # only when its `about` names that event's reference. A contact about something else does not answer it.
    answers_events: bool = False


_REGISTRY: dict[str, EvidenceSource] = {}


def register_evidence(source: EvidenceSource) -> None:
    _REGISTRY[source.code] = source


def unregister_evidence(code: str) -> None:
    _REGISTRY.pop(code, None)


def evidence_source(code: str) -> EvidenceSource | None:
    return _REGISTRY.get(code)


def registered() -> dict[str, EvidenceSource]:
    return dict(_REGISTRY)


class EventRow(NamedTuple):
    """Something that happens to a family or child (an appointment, a change, a visit) that a standard counts from;
    or, naming `staff_id` or `setting_id`, to a member of staff or a setting (a training day, an inspection)."""

    family_id: int | None
    child_id: int | None
    on: dt.date
    ref: str
    staff_id: int | None = None
    setting_id: int | None = None


FetchEvents = Callable[[int, dt.date, dt.date], Iterable[EventRow]]


@dataclass(frozen=True)
class EventSource:
    code: str
    label: str
    fetch: FetchEvents
    # As for evidence: a source that can narrow its query to a few families takes `families=` (None for all).
    by_family: bool = False


_EVENTS: dict[str, EventSource] = {}


def register_events(source: EventSource) -> None:
    _EVENTS[source.code] = source


def unregister_events(code: str) -> None:
    _EVENTS.pop(code, None)


def event_source(code: str) -> EventSource | None:
    return _EVENTS.get(code)


def registered_events() -> dict[str, EventSource]:
    return dict(_EVENTS)


@dataclass(frozen=True)
class SourceRead:
    """A source's read, not yet run: `queryset` (a values_list() queryset) and `shape`, which takes the rows
    `list(queryset)` would give and answers the source's rows (EvidenceRow or EventRow, or tuples in their order).
    A source that needs a second query names it in `more`: `shape` then takes the rows of each, in order."""

    queryset: QuerySet
    shape: Callable[..., Iterable] = list
    more: tuple[QuerySet, ...] = ()

    def __iter__(self):
        return iter(self.shape(*(list(qs) for qs in (self.queryset, *self.more))))

    @staticmethod
    def joined(*answers: Iterable) -> Iterable:
        """Several sources' answers as one (their rows one after the other): still one read to send with the others
        when every answer is a SourceRead."""
        if not all(isinstance(a, SourceRead) for a in answers):
            return [row for a in answers for row in a]
        sizes = [1 + len(a.more) for a in answers]

        def shape(*rows) -> list:
            out, at = [], 0
            for a, n in zip(answers, sizes, strict=True):
                out.extend(a.shape(*rows[at:at + n]))
                at += n
            return out

        querysets = [qs for a in answers for qs in (a.queryset, *a.more)]
        return SourceRead(querysets[0], shape, tuple(querysets[1:]))


def read_together(answers: Sequence[Iterable]) -> list[list]:
    """The rows of several sources' answers, in order. The querysets of the `SourceRead`s among them are sent
    together: on PostgreSQL in one round trip (the driver binds the values on the client and reads each statement's
    rows in turn, converted as the ORM converts them); elsewhere, or for a queryset that is not a values_list(), one
    by one."""
    out: list[list | None] = [None] * len(answers)
    batched: list[tuple[int, SourceRead]] = []
    statements: list[tuple[QuerySet, Any, str, tuple] | None] = []
    for i, answer in enumerate(answers):
        if not isinstance(answer, SourceRead):
            out[i] = list(answer)
            continue
        compiled = [_compiled(qs) for qs in (answer.queryset, *answer.more)]
        if any(c is False for c in compiled):
            out[i] = list(answer)
            continue
        batched.append((i, answer))
        statements.extend(compiled)
    sent = [s for s in statements if s is not None]
    if len(sent) <= 1:  # one read at most: the ORM's own way
        for i, answer in batched:
            out[i] = list(answer)
        return out
    with connections[sent[0][0].db].cursor() as cursor:
        cursor.execute(";\n".join(s[2] for s in sent), [p for s in sent for p in s[3]])
        fetched = [cursor.fetchall()]
        while cursor.nextset():
            fetched.append(cursor.fetchall())
    fetched.reverse()
    rows_of = [[] if s is None else _as_the_orm_gives(s[0], s[1], fetched.pop()) for s in statements]
    rows_of.reverse()
    for i, answer in batched:
        out[i] = list(answer.shape(*(rows_of.pop() for _ in range(1 + len(answer.more)))))
    return out


def _compiled(qs: QuerySet):
    """(queryset, compiler, sql, params) to send with others; None when it reads nothing (an IN over no families);
    False when it is to be run on its own (not PostgreSQL, or not a values_list() queryset)."""
    if connections[qs.db].vendor != "postgresql" or qs._iterable_class not in (ValuesListIterable, FlatValuesListIterable):
        return False
    compiler = qs.query.get_compiler(using=qs.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    return qs, compiler, sql, tuple(params)


def _as_the_orm_gives(qs: QuerySet, compiler, rows: list[tuple]) -> list:
    """Rows fetched for `compiler`'s SQL, as iterating the values_list() queryset would give them: each column through
    its field's converters (ValuesListIterable's way: the SQL already selects the columns in the queryset's order)."""
    if compiler.has_extra_select:  # columns added only to order by (DISTINCT): not the queryset's
        rows = [row[:compiler.col_count] for row in rows]
    rows = list(compiler.results_iter(results=[rows], tuple_expected=True))
    if qs._iterable_class is FlatValuesListIterable:
        rows = list(map(operator.itemgetter(0), rows))
    return rows
