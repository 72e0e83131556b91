"""Test support for the standards engine: in-memory evidence sources and standards made in one line."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from .evidence import EvidenceRow, EvidenceSource, evidence_source, register_evidence, unregister_evidence
from .models import Cadence, Policy, PolicyVersion, Standard, Subject

Record = tuple[int, int | None, dt.date]  # (family id, child id or None, day)


def _fetch_from(code: str, rows: list[Record]):
    def fetch(organisation_id: int, start: dt.date, end: dt.date, conditions: dict) -> list[EvidenceRow]:
        return [EvidenceRow(f, c, day, f"{code}{i}") for i, (f, c, day) in enumerate(rows) if start <= day <= end]

    return fetch


def register_fake(code: str, store: list[Record] | None = None) -> list[Record]:
    """Register an in-memory evidence source and return its store: append (family, child, day) to it."""
    rows: list[Record] = store if store is not None else []
    register_evidence(EvidenceSource(code, code, _fetch_from(code, rows)))
    return rows


def unregister_fake(code: str) -> None:
    unregister_evidence(code)


@contextmanager
def replaced_evidence(*sources: EvidenceSource) -> Iterator[None]:
    """Register sources for the length of a test, putting back whatever was registered under their codes before
    (a real app's source, e.g. contact logs, must survive a test that stands in for it)."""
    previous = {s.code: evidence_source(s.code) for s in sources}
    for s in sources:
        register_evidence(s)
    try:
        yield
    finally:
        for code, prev in previous.items():
            if prev is None:
                unregister_evidence(code)
            else:
                register_evidence(prev)


@contextmanager
def fake_evidence(*codes: str) -> Iterator[dict[str, list[Record]]]:
    """In-memory evidence sources for the length of a test."""
    stores: dict[str, list[Record]] = {code: [] for code in codes}
    previous = {code: evidence_source(code) for code in codes}
    for code in codes:
        register_fake(code, stores[code])
    try:
        yield stores
    finally:
        for code, prev in previous.items():
            if prev is None:
                unregister_evidence(code)
            else:
                register_evidence(prev)


def make_standard(org, evidence: str, **fields) -> Standard:
    """A standard in a policy of its own (weekly family contact unless told otherwise)."""
    policy = Policy.objects.create(organisation=org, title="Key worker policy")
    version = PolicyVersion.objects.create(
        organisation=org, policy=policy, number=1, effective_from=dt.date(2025, 9, 1), review_on=dt.date(2027, 9, 1)
    )
    defaults = {"clause": "SCH-4", "title": "Weekly contact", "cadence": Cadence.WEEKLY_TERM_TIME, "evidence": evidence,
                "subject": Subject.FAMILY, "due_soon_days": 2, "escalate_after_days": 5}
    defaults.update(fields)
    return Standard.objects.create(organisation=org, policy_version=version, **defaults)


def in_memory_evidence(code: str, **defaults):
    """For a test module: `RECORDS, fake_evidence, make_standard = in_memory_evidence("code")`.

    RECORDS is the store tests append (family, child, day) to; fake_evidence is an autouse fixture that registers the
    source around each test; make_standard makes a standard met by this evidence unless told otherwise (`defaults`:
    fields every standard of the module has, e.g. a long grace so that no period closes).
    """
    import pytest

    records: list[Record] = []

    @pytest.fixture(autouse=True)
    def fake_evidence() -> Iterator[None]:
        records.clear()
        with replaced_evidence(EvidenceSource(code, code, _fetch_from(code, records))):
            yield

    def make(org, **fields) -> Standard:
        return make_standard(org, fields.pop("evidence", code), **{**defaults, **fields})

    return records, fake_evidence, make
