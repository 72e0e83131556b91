"""What recording a contact from the page costs: its statements, pinned, and none read twice (the member with their
roles in one read, the family's scope once, the form's carer and children from the rows the page has read, no
savepoint of the engine's own inside the record's transaction)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.contacts.models import ContactLog
from keyworker.standards.services import policy_adopt_builtin
from keyworker.testing import make_child, make_family

TODAY = dt.date(2026, 11, 18)
GOOD = "Phoned mum about the school trip and she was pleased."
# The statements of one recording request with nothing else due (SQLite, inside the test's transaction: the record's
# own transaction shows as one SAVEPOINT and its RELEASE). It was 36 before the member, the scope, the form's
# carer and children and the engine's savepoint were read or sent once, 33 before the setting was taken from the
# page's children and the message from the engine's update. On PostgreSQL the engine sends its sources' reads in one
# statement (and the lock with its own reads): 16.
RECORDING_STATEMENTS = 16 if connection.vendor == "postgresql" else 31


@pytest.fixture
def adopted(world):
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=TODAY)
    return world


def _post(client, family, **kw):
    data = {"family": family.pk, "channel": "phone", "tone": "positive", "write_up": GOOD, "direction": "from_school",
            "happened_on": TODAY.isoformat(), "carer": ""}
    data.update(kw)
    return client.post(f"/contacts/new/?family={family.pk}", data)


def _statements(client, family, **kw) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = _post(client, family, **kw)
    assert response.status_code == 302, response.content[:500]
    return [q["sql"] for q in ctx.captured_queries]


def test_recording_request_statements_pinned_and_none_twice(adopted, client_for):
    world = adopted
    client = client_for(world.ta_a)
    carer, child = world.family_a.carers.first(), world.child_a
    _post(client, world.family_a)  # warm caches (content types, the first-run check)
    sql = _statements(client, world.family_a, carer=str(carer.pk), children=[str(child.pk)])
    assert len(sql) <= RECORDING_STATEMENTS, "\n".join(sql)
    assert not [s for s in sql if s.startswith('SELECT "accounts_staffmember"')], "the member is read with the roles"
    assert len([s for s in sql if s.startswith("SAVEPOINT")]) == 1, "only the record's own transaction"
    families = [s for s in sql if 'FROM "people_family"' in s.split(" WHERE ")[0]]
    assert len(families) == 1, families  # the scope: once, by the page
    carers = [s for s in sql if s.startswith('SELECT "people_carer"."id"')]
    assert len(carers) == 1, carers  # the family's carers for the form; the chosen one is taken from them
    children = [s for s in sql if s.startswith('SELECT "people_child"."id", "people_child"."organisation_id"')]
    assert len(children) == 1, children  # the family's children for the form; the chosen ones taken from them
    contact = ContactLog.objects.latest("id")
    assert contact.carer == carer and list(contact.children.all()) == [child]


def test_the_same_statements_for_a_larger_family(adopted, client_for):
    """A family of six children and five carers costs the recording no more statements than one of one."""
    world = adopted
    big = make_family(world.org, "The Many family", carers=5)
    kids = [make_child(big, world.school, world.class_a) for _ in range(6)]
    client = client_for(world.ta_a)
    _post(client, world.family_a)
    _post(client, big)  # its obligations written (it was added after the adoption)
    small = _statements(client, world.family_a, children=[str(world.child_a.pk)], carer=str(world.family_a.carers.first().pk))
    large = _statements(client, big, children=[str(k.pk) for k in kids], carer=str(big.carers.last().pk))
    assert len(large) == len(small), (len(small), len(large))
    assert set(ContactLog.objects.latest("id").children.all()) == set(kids)


@pytest.mark.parametrize("which", ["other_family", "garbage", "unknown"])
def test_a_child_not_of_this_family_is_refused_with_its_message(adopted, client_for, which):
    world = adopted
    value = {"other_family": str(world.child_b.pk), "garbage": "abc", "unknown": "99999999"}[which]
    before = ContactLog.objects.count()
    response = _post(client_for(world.ta_a), world.family_a, children=[value])
    assert response.status_code == 400
    assert "Choose children of this family only." in response.content.decode()
    assert ContactLog.objects.count() == before


def test_another_familys_carer_is_still_refused(adopted, client_for):
    world = adopted
    before = ContactLog.objects.count()
    response = _post(client_for(world.ta_a), world.family_a, carer=str(world.family_b.carers.first().pk))
    assert response.status_code == 400
    assert "Choose one of this family&#x27;s carers" in response.content.decode()
    assert ContactLog.objects.count() == before


def test_the_service_reads_the_scope_when_no_page_has(adopted):
    """Called on its own (the API, a command), the service checks the family's scope itself."""
    from keyworker.contacts.services import contact_record
    from keyworker.core.errors import RuleViolation

    world = adopted
    actor = world.actor(world.ta_a)
    with pytest.raises(RuleViolation):
        contact_record(actor=actor, family=world.family_b, happened_on=TODAY, channel="phone", tone="positive", write_up=GOOD)
    actor.seen_family_ids.add(world.family_a.pk)  # only what the page found in scope is taken as read
    assert contact_record(actor=actor, family=world.family_a, happened_on=TODAY, channel="phone", tone="positive",
                          write_up=GOOD).pk


def test_the_update_says_whether_the_weeks_contact_is_met(adopted):
    """The page's message ("weekly contact met for this week") comes from what the engine's update returned, with no
    read of its own; for a period the update left alone (settled before it ran) it does not know, and the page reads."""
    from keyworker.contacts.evidence import CONTACT_LOG
    from keyworker.contacts.services import contact_record

    world = adopted
    contact = contact_record(actor=world.actor(world.ta_a), family=world.family_a, happened_on=TODAY, channel="phone",
                             tone="positive", write_up=GOOD)
    assert contact.refreshed.met(CONTACT_LOG, world.family_a.pk, TODAY) is True
    assert contact.refreshed.met(CONTACT_LOG, world.family_b.pk, TODAY) is None
    assert contact.refreshed.met(CONTACT_LOG, world.family_a.pk, TODAY - dt.timedelta(days=400)) is None
