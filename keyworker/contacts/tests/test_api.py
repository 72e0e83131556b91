"""API v1 contacts: list with filters, read, record (the page's rules and messages, per field), edit, void."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from keyworker.contacts.models import ContactLog, ContactLogRevision
from keyworker.contacts.services import contact_record
from keyworker.people.models import ContactRestriction
from keyworker.standards.models import Obligation, ObligationState
from keyworker.standards.services import policy_adopt_builtin

TODAY = dt.date(2026, 11, 18)
GOOD = "Phoned mum about the school trip and she was pleased."


def _api(staff):
    client = APIClient()
    client.force_authenticate(user=staff.user)
    return client


def _body(world, **kw):
    data = {"family": world.family_a.pk, "happened_on": "2026-11-18", "channel": "phone", "tone": "positive", "write_up": GOOD}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def _record(world, staff=None, family=None, **kw):
    values = {"happened_on": TODAY, "channel": "phone", "tone": "positive", "write_up": GOOD}
    values.update(kw)
    return contact_record(actor=world.actor(staff or world.ta_a), family=family or world.family_a, **values)


def test_record_through_the_api(world):
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=TODAY)
    carer = world.family_a.carers.first()
    r = _api(world.ta_a).post("/api/v1/contacts/", _body(world, carer=carer.pk, children=[world.child_a.pk],
                                                          follow_up="Ring again on Friday.", follow_up_on="2026-11-20"),
                              format="json")
    assert r.status_code == 201, r.json()
    data = r.json()
    assert data["family"] == world.family_a.pk and data["children"] == [world.child_a.pk] and data["carer"] == carer.pk
    assert data["write_up"] == GOOD and data["restricted"] is False and data["author_name"] == "Kim Keyworker"
    assert data["used_preferred_method"] is True and data["direction"] == "from_school"
    weekly = Obligation.objects.get(family=world.family_a, standard__clause="SCH-4", period_start__lte=TODAY, period_end__gte=TODAY)
    assert weekly.state == ObligationState.MET


@pytest.mark.parametrize("changes,field,text", [
    ({"write_up": ""}, "write_up", "Write at least a sentence about the contact (5 words or more)"),
    ({"write_up": "Fine"}, "write_up", "Write at least a sentence about the contact (5 words or more)"),
    ({"write_up": None}, "write_up", "Write at least a sentence about the contact (5 words or more)"),
    ({"write_up": "x " * 3000}, "write_up", "Keep the write-up to 5000 characters or fewer."),
    ({"happened_on": "2026-11-19"}, "happened_on", "The date of the contact cannot be in the future"),
    ({"happened_on": "2024-01-01"}, "happened_on", "A contact can be back-dated by up to a year."),
    ({"happened_on": "31/02/2026"}, "happened_on", "Enter a real date"),
    ({"happened_on": None}, "happened_on", "Enter the date of the contact"),
    ({"channel": "pigeon"}, "channel", "Choose how the contact was made."),
    ({"channel": None}, "channel", "Choose how the contact was made."),
    ({"tone": "furious"}, "tone", "Choose the tone of the contact"),
    ({"direction": "sideways"}, "direction", "Choose who made the contact."),
    ({"carer": 99999999}, "carer", "Not found."),
    ({"carer": "abc"}, "carer", "Give the id as a whole number."),
    ({"children": [99999999]}, "children", "Not found."),
    ({"family": 99999999}, "family", "Not found."),
    ({"family": None}, "family", "This field is required."),
    ({"follow_up_on": "2026-11-20"}, "follow_up", "Say what the follow-up is, or remove its date."),
    ({"follow_up": "Call back", "follow_up_on": "2026-11-01"}, "follow_up_on", "The follow-up date cannot be before the contact."),
    ({"safeguarding_category": "bullying"}, "safeguarding_category", "Choose the kind of safeguarding concern"),
])
def test_api_refuses_bad_input_per_field(world, changes, field, text):
    r = _api(world.ta_a).post("/api/v1/contacts/", _body(world, **changes), format="json")
    assert r.status_code == 400, r.json()
    errors = r.json()["errors"]
    assert list(errors) == [field], errors
    assert text in errors[field][0]
    assert not ContactLog.objects.exists()


def test_api_no_contact_carer_and_other_familys_carer(world):
    carer = world.family_a.carers.first()
    carer.contact_restriction = ContactRestriction.NO_CONTACT
    carer.save()
    r = _api(world.ta_a).post("/api/v1/contacts/", _body(world, carer=carer.pk), format="json")
    assert r.status_code == 400 and r.json()["rule"] == "no_contact"
    assert "has a no-contact restriction: choose another carer or record without one" in r.json()["errors"]["carer"][0]
    # Another family's carer the caller may see (the headteacher sees every family).
    r = _api(world.headteacher).post("/api/v1/contacts/", _body(world, carer=world.family_b.carers.first().pk), format="json")
    assert r.status_code == 400 and r.json()["rule"] == "carer_family" and "carer" in r.json()["errors"]
    r = _api(world.headteacher).post("/api/v1/contacts/", _body(world, children=[world.child_b.pk]), format="json")
    assert r.status_code == 400 and "children" in r.json()["errors"]
    assert not ContactLog.objects.exists()


def test_api_family_outside_scope(world):
    r = _api(world.ta_a).post("/api/v1/contacts/", _body(world, family=world.family_b.pk), format="json")
    assert r.status_code == 400 and r.json()["errors"] == {"family": ["Not found."]}
    r = _api(world.outsider).post("/api/v1/contacts/", _body(world), format="json")
    assert r.status_code == 400 and r.json()["errors"] == {"family": ["Not found."]}
    contact = _record(world, staff=world.teacher_b, family=world.family_b)
    assert _api(world.ta_a).get(f"/api/v1/contacts/{contact.pk}/").status_code == 404
    assert _api(world.outsider).get(f"/api/v1/contacts/{contact.pk}/").status_code == 404
    assert _api(world.ta_a).patch(f"/api/v1/contacts/{contact.pk}/", {"tone": "neutral"}, format="json").status_code == 404
    assert APIClient().get("/api/v1/contacts/").status_code == 401


def test_api_edit_keeps_a_revision_each_time(world, clock):
    contact = _record(world)
    client = _api(world.ta_a)
    clock.shift(dt.timedelta(hours=2))
    r = client.patch(f"/api/v1/contacts/{contact.pk}/", {"tone": "neutral", "version": 1}, format="json")
    assert r.status_code == 200 and r.json()["tone"] == "neutral" and r.json()["write_up"] == GOOD
    assert ContactLogRevision.objects.get().previous["tone"] == "positive"  # kept two hours after recording, too
    clock.shift(dt.timedelta(hours=30))
    r = client.put(f"/api/v1/contacts/{contact.pk}/", {
        "happened_on": "2026-11-18", "channel": "email", "tone": "concern", "write_up": "E-mailed mum about the lunch money.",
        "version": 2,
    }, format="json")
    assert r.status_code == 200 and r.json()["channel"] == "email" and r.json()["edited_at"]
    revision = ContactLogRevision.objects.first()
    assert revision.previous["tone"] == "neutral" and revision.previous["write_up"] == GOOD
    r = client.patch(f"/api/v1/contacts/{contact.pk}/", {"write_up": "Ok", "version": 3}, format="json")
    assert r.status_code == 400 and "write_up" in r.json()["errors"]
    r = client.patch(f"/api/v1/contacts/{contact.pk}/", {"happened_on": "2026-12-25", "version": 3}, format="json")
    assert r.status_code == 400 and r.json()["rule"] == "future_date"
    assert _api(world.headteacher).patch(f"/api/v1/contacts/{contact.pk}/", {"tone": "neutral", "version": 3},
                                         format="json").status_code == 403
    assert client.delete(f"/api/v1/contacts/{contact.pk}/").status_code == 405


def test_api_void_by_a_leader_with_a_reason(world):
    contact = _record(world)
    assert _api(world.ta_a).post(f"/api/v1/contacts/{contact.pk}/void/", {"reason": "Mine to void"}, format="json").status_code == 403
    r = _api(world.headteacher).post(f"/api/v1/contacts/{contact.pk}/void/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["errors"]
    r = _api(world.headteacher).post(f"/api/v1/contacts/{contact.pk}/void/", {"reason": "Recorded against the wrong family"},
                                     format="json")
    assert r.status_code == 200 and r.json()["voided"] is True and r.json()["void_reason"] == "Recorded against the wrong family"
    r = _api(world.headteacher).post(f"/api/v1/contacts/{contact.pk}/void/", {"reason": "Again and again"}, format="json")
    assert r.status_code == 400 and r.json()["rule"] == "already_voided"
    r = _api(world.ta_a).patch(f"/api/v1/contacts/{contact.pk}/", {"tone": "neutral", "version": 1}, format="json")
    assert r.status_code == 400 and r.json()["rule"] == "voided"


def test_api_list_filters(world):
    a1 = _record(world, tone="concern", channel="email", happened_on=TODAY - dt.timedelta(days=3))
    a2 = _record(world, tone="positive")
    b1 = _record(world, staff=world.teacher_b, family=world.family_b, tone="concern")
    u1 = _record(world, staff=world.headteacher, family=world.family_unallocated)
    client = _api(world.headteacher)

    def ids(query: str) -> set[int]:
        r = client.get(f"/api/v1/contacts/?{query}")
        assert r.status_code == 200, r.json()
        return {row["id"] for row in r.json()["results"]}

    assert ids("") == {a1.pk, a2.pk, b1.pk, u1.pk}
    assert ids(f"family={world.family_a.pk}") == {a1.pk, a2.pk}
    assert ids("tone=concern") == {a1.pk, b1.pk}
    assert ids("channel=email") == {a1.pk}
    assert ids("date_from=2026-11-16&date_to=2026-11-18") == {a2.pk, b1.pk, u1.pk}
    assert ids(f"staff={world.ta_a.pk}") == {a1.pk, a2.pk}           # the key worker's families
    assert ids(f"staff={world.headteacher.pk}") == {u1.pk}           # what the headteacher recorded
    assert ids(f"class={world.class_a.pk}") == {a1.pk, a2.pk, u1.pk}  # families with a child in class A
    assert ids(f"class={world.class_b.pk}&tone=concern") == {b1.pk}
    assert ids("limit=1")  # paginated
    assert client.get("/api/v1/contacts/?limit=1").json()["count"] == 4


@pytest.mark.parametrize("query,field", [
    ("tone=x", "tone"), ("channel=x", "channel"), ("date_from=notadate", "date_from"), ("family=abc", "family"),
    ("staff=-1", "staff"), ("class=" + "9" * 30, "class"), ("date_from=2026-11-18&date_to=2026-11-01", "date_to"),
])
def test_api_list_garbage_is_400_per_field(world, query, field):
    r = _api(world.headteacher).get(f"/api/v1/contacts/?{query}")
    assert r.status_code == 400 and field in r.json()["errors"]


def test_api_list_fixed_queries(world):
    """One contact or thirty (with children, carers, a restricted one): the same number of queries."""
    carer = world.family_a.carers.first()
    _record(world, children=[world.child_a], carer=carer, safeguarding_category="neglect")
    counts = {}
    for persona in ("headteacher", "key_worker", "safeguarding_lead"):
        with CaptureQueriesContext(connection) as ctx:
            assert _api(world.personas[persona]).get("/api/v1/contacts/").status_code == 200
        counts[persona] = len(ctx.captured_queries)
    for i in range(29):
        _record(world, children=[world.child_a], carer=carer, happened_on=TODAY - dt.timedelta(days=i % 20),
                safeguarding_category="neglect" if i % 5 == 0 else "")
    for persona in ("headteacher", "key_worker", "safeguarding_lead"):
        with CaptureQueriesContext(connection) as ctx:
            r = _api(world.personas[persona]).get("/api/v1/contacts/")
        assert r.json()["count"] == 30
        assert len(ctx.captured_queries) == counts[persona] <= 12, (persona, len(ctx.captured_queries))


def test_api_recording_uses_bounded_queries(world):
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=TODAY)
    client = _api(world.ta_a)
    body = _body(world, carer=world.family_a.carers.first().pk, children=[world.child_a.pk])
    assert client.post("/api/v1/contacts/", body, format="json").status_code == 201
    with CaptureQueriesContext(connection) as one:
        assert client.post("/api/v1/contacts/", body, format="json").status_code == 201
    for i in range(30):
        _record(world, happened_on=TODAY - dt.timedelta(days=i + 1))
    with CaptureQueriesContext(connection) as thirty:
        assert client.post("/api/v1/contacts/", body, format="json").status_code == 201
    # The engine writes an obligation only when its state or evidence changes: at most one UPDATE either way.
    assert len(thirty.captured_queries) <= len(one.captured_queries) <= 45, (len(one.captured_queries), len(thirty.captured_queries))


def test_schema_has_the_contacts_api(world):
    r = _api(world.headteacher).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert {"/api/v1/contacts/", "/api/v1/contacts/{id}/", "/api/v1/contacts/{id}/void/", "/api/v1/contacts/{id}/flag/"} <= set(paths)
    params = {p["name"] for p in paths["/api/v1/contacts/"]["get"]["parameters"]}
    assert {"family", "staff", "class", "tone", "channel", "date_from", "date_to", "limit", "offset"} <= params
    assert "400" in paths["/api/v1/contacts/"]["post"]["responses"]


def test_api_long_list_of_children_refused_at_once(world):
    r = _api(world.ta_a).post("/api/v1/contacts/", _body(world, children=list(range(1, 500))), format="json")
    assert r.status_code == 400 and "children" in r.json()["errors"]


def test_api_same_child_twice_is_recorded_once(world):
    r = _api(world.ta_a).post("/api/v1/contacts/", _body(world, children=[world.child_a.pk, world.child_a.pk]), format="json")
    assert r.status_code == 201 and r.json()["children"] == [world.child_a.pk]
