"""The evidence registry: each domain app registers the records it provides; the engine imports no domain app.

A source answers, for one organisation and a date range, which family (and child) has a record on which day,
in one query. A standard names its evidence by code; until that code is registered it produces no obligations.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class EvidenceRow:
    family_id: int
    child_id: int | None
    on: dt.date
    ref: str


Fetch = Callable[[int, dt.date, dt.date, dict], Iterable[EvidenceRow]]


@dataclass(frozen=True)
class EvidenceSource:
    code: str
    label: str
    fetch: Fetch
    conditions: frozenset[str] = frozenset()  # condition keys the source understands (checked when a standard is saved)
    # A source that can narrow its query to a few families takes `families=` (a set, or None for all): the update
    # after one record then reads that family's records, not the organisation's.
    by_family: bool = False


_REGISTRY: dict[str, EvidenceSource] = {}


def register_evidence(source: EvidenceSource) -> None:
    _REGISTRY[source.code] = source


def unregister_evidence(code: str) -> None:
    _REGISTRY.pop(code, None)


def evidence_source(code: str) -> EvidenceSource | None:
    return _REGISTRY.get(code)


def registered() -> dict[str, EvidenceSource]:
    return dict(_REGISTRY)


@dataclass(frozen=True)
class EventRow:
    """Something that happens to a family or child (an appointment, a change, a visit) that a standard counts from."""

    family_id: int
    child_id: int | None
    on: dt.date
    ref: str


FetchEvents = Callable[[int, dt.date, dt.date], Iterable[EventRow]]


@dataclass(frozen=True)
class EventSource:
    code: str
    label: str
    fetch: FetchEvents


_EVENTS: dict[str, EventSource] = {}


def register_events(source: EventSource) -> None:
    _EVENTS[source.code] = source


def unregister_events(code: str) -> None:
    _EVENTS.pop(code, None)


def event_source(code: str) -> EventSource | None:
    return _EVENTS.get(code)


def registered_events() -> dict[str, EventSource]:
    return dict(_EVENTS)
