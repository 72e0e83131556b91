"""Sources that answer with their read (`SourceRead`) rather than rows: the engine sends the reads of an update
together (one round trip on PostgreSQL) and hands each source the rows it would have read itself."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from keyworker.people.models import Child
from keyworker.standards import engine, services
from keyworker.standards.evidence import SourceRead, read_together
from keyworker.testing import make_child, make_family

pytestmark = pytest.mark.django_db
POSTGRESQL = connection.vendor == "postgresql"


def _answers(world):
    kids = Child.objects.filter(organisation_id=world.org.pk).order_by("id")
    return [
        SourceRead(kids.values_list("id", "family_id", "date_of_birth")),
        # An annotation named before a field: the ORM's own order of columns is kept.
        SourceRead(kids.annotate(twice=F("id") * 2, born=F("date_of_birth")).values_list("born", "id", "twice")),
        SourceRead(kids.values_list("id", flat=True), lambda ids: [i * 10 for i in ids]),
        SourceRead(kids.filter(id__in=[]).values_list("id")),  # reads nothing
        [("a plain row",)],  # a source that answers with its rows
        SourceRead(kids.values_list("id"), lambda a, b: [(len(a), len(b))],
                   more=(kids.filter(family_id=world.family_a.pk).values_list("id"),)),
    ]


def test_read_together_gives_each_source_what_it_would_read_alone(world):
    make_child(make_family(world.org), world.school, world.class_a)
    alone = [list(a) for a in _answers(world)]
    assert alone[0] and alone[3] == [] and alone[4] == [("a plain row",)]
    answers = _answers(world)
    with CaptureQueriesContext(connection) as ctx:
        together = read_together(answers)
    assert together == alone
    # PostgreSQL: the five queries sent in one statement (one round trip); elsewhere one each (none for an empty IN).
    assert len(ctx.captured_queries) == (1 if POSTGRESQL else 5), [q["sql"] for q in ctx.captured_queries]


def test_joined_answers_are_one_read(world):
    kids = Child.objects.filter(organisation_id=world.org.pk).order_by("id")
    one = SourceRead(kids.values_list("id", flat=True), lambda ids: [("a", i) for i in ids])
    two = SourceRead(kids.values_list("family_id", flat=True), lambda ids: [("b", i) for i in ids])
    joined = SourceRead.joined(one, two)
    assert isinstance(joined, SourceRead)
    assert list(joined) == [*one, *two]
    assert SourceRead.joined(one, [("c", 0)]) == [*one, ("c", 0)]


def test_one_familys_update_sends_its_sources_reads_together(world):
    """The school template's update for one family: on PostgreSQL its event and evidence sources are one statement,
    so the update is a handful of round trips whatever the number of sources registered."""
    services.policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=dt.date(2026, 11, 18))
    with CaptureQueriesContext(connection) as ctx:
        engine.recompute(organisation_id=world.org.pk, as_of=dt.date(2026, 11, 18), families={world.family_a.pk})
    statements = [q["sql"] for q in ctx.captured_queries]
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    if POSTGRESQL:
        # The standards; the lock, children, key workers, calendars and stored obligations; every source.
        assert len(reads) <= 3, reads
    else:
        assert len(reads) <= 20, reads
