"""The evidence registry: each domain app registers the records it provides; the engine imports no domain app.

A source answers, for one organisation and a date range, which family (and child) has a record on which day,
in one query. A standard names its evidence by code; until that code is registered it produces no obligations.

Records about a member of staff or a setting rather than a family (a supervision, a fire drill) name them with
`staff_id` or `setting_id` and may leave `family_id` empty. The key worker and setting subjects count them; a
record about a family with no `staff_id` counts for the family's current key worker, and with no `setting_id`
for the settings the family's children attend.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple


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
