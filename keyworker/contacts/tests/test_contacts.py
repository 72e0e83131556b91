"""Contact logs: the rules of recording, editing and voiding, the weekly contact obligation, pages and visibility."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.contacts.models import ContactLog, ContactLogRevision
from keyworker.contacts.services import contact_edit, contact_record, contact_void
from keyworker.core.errors import RuleViolation
from keyworker.people.models import Carer, ContactMethod, ContactRestriction
from keyworker.standards.models import Obligation, ObligationState
from keyworker.standards.services import policy_adopt_builtin

TODAY = dt.date(2026, 11, 18)
GOOD = "Phoned mum about the school trip and she was pleased."


@pytest.fixture
def adopted(world):
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=TODAY)
    return world


def _record(world, staff=None, family=None, **kw):
    values = {"happened_on": TODAY, "channel": "phone", "tone": "positive", "write_up": GOOD}
    values.update(kw)
    return contact_record(actor=world.actor(staff or world.ta_a), family=family or world.family_a, **values)


def _weekly(world, family):
    return Obligation.objects.get(family=family, standard__clause="SCH-4", period_start__lte=TODAY, period_end__gte=TODAY)


def _post(world, client, family=None, **kw):
    data = {"family": (family or world.family_a).pk, "channel": "phone", "tone": "positive", "write_up": GOOD,
            "direction": "from_school", "happened_on": "2026-11-18", "carer": ""}
    data.update(kw)
    return client.post(f"/contacts/new/?family={data['family']}", data)


# Rules of the service ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "Fine", "Called. Fine. Ok."])
def test_short_write_up_refused(world, text):
    with pytest.raises(RuleViolation) as exc:
        _record(world, write_up=text)
    assert exc.value.field == "write_up" and "at least a sentence" in exc.value.message


def test_future_date_refused(world):
    with pytest.raises(RuleViolation) as exc:
        _record(world, happened_on=TODAY + dt.timedelta(days=1))
    assert exc.value.rule == "future_date"


def test_back_dated_contact_allowed(world):
    contact = _record(world, happened_on=TODAY - dt.timedelta(days=20))
    assert contact.happened_on == TODAY - dt.timedelta(days=20)


def test_restricted_carer_refused_with_reason(world):
    carer = world.family_a.carers.first()
    carer.contact_restriction = ContactRestriction.NO_CONTACT
    carer.save()
    with pytest.raises(RuleViolation) as exc:
        _record(world, carer=carer)
    assert exc.value.rule == "no_contact"
    assert f"{carer.full_name} has a no-contact restriction: choose another carer or record without one" in exc.value.message


def test_carer_of_another_family_refused(world):
    with pytest.raises(RuleViolation) as exc:
        _record(world, carer=world.family_b.carers.first())
    assert exc.value.rule == "carer_family"


def test_family_outside_scope_refused(world):
    with pytest.raises(RuleViolation) as exc:
        _record(world, family=world.family_b)
    assert exc.value.rule == "scope"
    with pytest.raises(RuleViolation):
        _record(world, staff=world.outsider)
    assert not ContactLog.objects.exists()


def test_preferred_method_marked(world):
    carer = world.family_a.carers.first()
    assert carer.preferred_contact_method == ContactMethod.PHONE
    assert _record(world, channel="phone").used_preferred_method
    assert not _record(world, channel="email").used_preferred_method
    assert not _record(world, channel="email", carer=carer).used_preferred_method


# The weekly contact obligation ----------------------------------------------------------------------

def test_weekly_contact_turns_met_at_once(adopted):
    world = adopted
    assert _weekly(world, world.family_a).state != ObligationState.MET
    contact = _record(world)
    weekly = _weekly(world, world.family_a)
    assert weekly.state == ObligationState.MET and weekly.evidence_ref == f"contact:{contact.pk}"


def test_weekly_contact_met_from_the_page_with_message(adopted, client_for):
    world = adopted
    client = client_for(world.ta_a)
    response = _post(world, client)
    assert response.status_code == 302 and response.url == "/my-week/"
    assert _weekly(world, world.family_a).state == ObligationState.MET
    page = client.get(response.url)
    assert "Contact with The Adams family recorded: weekly contact met for this week" in page.content.decode()


def test_leader_void_unmeets_the_obligation(adopted):
    world = adopted
    contact = _record(world)
    assert _weekly(world, world.family_a).state == ObligationState.MET
    contact_void(actor=world.actor(world.headteacher), contact=contact, reason="Recorded against the wrong family")
    contact.refresh_from_db()
    assert contact.voided_at is not None and contact.voided_by == world.headteacher.user
    assert _weekly(world, world.family_a).state != ObligationState.MET


def test_author_cannot_void(world):
    contact = _record(world)
    with pytest.raises(PermissionDenied):
        contact_void(actor=world.actor(world.ta_a), contact=contact, reason="I made a mistake here")


def test_void_needs_reason(world):
    contact = _record(world)
    with pytest.raises(RuleViolation):
        contact_void(actor=world.actor(world.headteacher), contact=contact, reason=" ")


@pytest.mark.parametrize("flag", ["", "neglect"])
def test_recording_uses_bounded_queries(adopted, flag):
    """The same queries with one earlier contact or thirty: nothing in recording grows with the family's history."""
    world = adopted
    actor, carer = world.actor(world.ta_a), world.family_a.carers.first()
    values = {"happened_on": TODAY, "channel": "phone", "tone": "positive", "write_up": GOOD, "children": [world.child_a],
              "carer": carer, "safeguarding_category": flag}
    contact_record(actor=actor, family=world.family_a, **values)  # warm caches (content types, evidence sources)
    with CaptureQueriesContext(connection) as one:
        contact_record(actor=actor, family=world.family_a, **values)
    for i in range(30):
        _record(world, happened_on=TODAY - dt.timedelta(days=i + 1))
    with CaptureQueriesContext(connection) as thirty:
        contact_record(actor=actor, family=world.family_a, **values)
    # A flag adds its audit row and one notification per member of the safeguarding team (three here), each a few
    # queries: 23 in all. The engine writes an obligation only when its state or evidence changes: at most one UPDATE
    # either way. (24 before the engine's update stopped opening a savepoint of its own; the bound was 35, and 53.) On
    # PostgreSQL the engine's reads are two statements and its sources' one: 10.
    bound = 10 if connection.vendor == "postgresql" else 25
    assert len(thirty.captured_queries) <= len(one.captured_queries) <= (bound if not flag else bound + 23), (
        len(one.captured_queries), len(thirty.captured_queries))


def test_recording_page_uses_bounded_queries(adopted, client_for):
    world = adopted
    client = client_for(world.ta_a)
    _post(world, client)
    with CaptureQueriesContext(connection) as ctx:
        response = _post(world, client, carer=str(world.family_a.carers.first().pk), children=[str(world.child_a.pk)])
    assert response.status_code == 302
    # The recording's statements (test_perf_recording.py says what each is) and the carer read above: 32 on SQLite
    # (34 before, the bound 45), 17 on PostgreSQL, where the engine sends its sources' reads in one statement.
    assert len(ctx.captured_queries) <= (17 if connection.vendor == "postgresql" else 32), len(ctx.captured_queries)


# Editing ---------------------------------------------------------------------------------------------

def test_edit_within_24_hours_keeps_a_revision_too(world, clock):
    contact = _record(world)
    clock.shift(dt.timedelta(hours=2))
    contact_edit(actor=world.actor(world.ta_a), contact=contact, happened_on=TODAY, channel="phone", tone="neutral",
                 write_up="Phoned mum about the trip and the lunch money.")
    assert ContactLogRevision.objects.get(contact=contact).previous["write_up"] == GOOD


def test_edit_after_24_hours_keeps_a_revision(world, clock):
    contact = _record(world)
    clock.shift(dt.timedelta(hours=25))
    edited = contact_edit(actor=world.actor(world.ta_a), contact=contact, happened_on=TODAY, channel="phone", tone="neutral",
                          write_up="Phoned mum about the trip and the lunch money.")
    revision = ContactLogRevision.objects.get(contact=contact)
    assert revision.previous["write_up"] == GOOD and revision.previous["tone"] == "positive"
    assert edited.tone == "neutral" and edited.edited_at is not None


def test_only_the_author_edits(world):
    contact = _record(world, staff=world.headteacher)
    with pytest.raises(PermissionDenied):
        contact_edit(actor=world.actor(world.ta_a), contact=contact, happened_on=TODAY, channel="phone", tone="neutral",
                     write_up="Changing somebody else's record of the contact.")


def test_edit_validates_like_recording(world):
    contact = _record(world)
    with pytest.raises(RuleViolation):
        contact_edit(actor=world.actor(world.ta_a), contact=contact, happened_on=TODAY, channel="phone", tone="neutral", write_up="Ok")


# Pages -----------------------------------------------------------------------------------------------

def test_new_page_preselects_preferred_and_hides_restricted(world, client_for):
    Carer.objects.create(organisation=world.org, family=world.family_a, first_name="Rex", last_name="Adams",
                         contact_restriction=ContactRestriction.NO_CONTACT, restriction_notes="Court order", contact_order=2)
    page = client_for(world.ta_a).get(f"/contacts/new/?family={world.family_a.pk}").content.decode()
    assert "Preferred contact: <strong>Phone call</strong>" in page
    assert re.search(r'name="channel" value="phone"[^>]*checked', page)
    assert "Rex Adams has a no-contact restriction" in page
    assert 'name="carer" value="' in page and "Rex Adams (" not in page
    assert "<legend>Tone</legend>" in page


@pytest.mark.parametrize("data,field_text", [
    ({"write_up": ""}, "at least a sentence"),
    ({"write_up": "Fine"}, "at least a sentence"),
    ({"happened_on": "2026-11-19"}, "cannot be in the future"),
    ({"happened_on": "31/02/2026"}, "Enter a real date"),
    ({"tone": "furious"}, "Select a valid choice"),
    ({"carer": "abc"}, "Choose one of the carers listed"),
    ({"carer": "999999"}, "Choose one of the carers listed"),
])
def test_page_refuses_bad_input_with_reason(world, client_for, data, field_text):
    response = _post(world, client_for(world.ta_a), **data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and field_text in body
    assert not ContactLog.objects.exists()


def test_page_refuses_restricted_carer_and_other_familys_carer(world, client_for):
    client = client_for(world.ta_a)
    carer = world.family_a.carers.first()
    carer.contact_restriction = ContactRestriction.NO_CONTACT
    carer.save()
    body = _post(world, client, carer=str(carer.pk)).content.decode()
    assert "has a no-contact restriction: choose another carer or record without one" in body
    body = _post(world, client, carer=str(world.family_b.carers.first().pk)).content.decode()
    assert "Choose one of this family&#x27;s carers" in body or "Choose one of this family's carers" in body
    assert not ContactLog.objects.exists()


@pytest.mark.parametrize("query", ["family=abc", "family=99999999", "family=-1", "family=1" + "0" * 30])
def test_garbage_family_is_404_not_500(world, client_for, query):
    assert client_for(world.ta_a).get(f"/contacts/new/?{query}").status_code == 404


def test_family_outside_scope_is_404(world, client_for):
    client = client_for(world.ta_a)
    assert client.get(f"/contacts/new/?family={world.family_b.pk}").status_code == 404
    assert _post(world, client, family=world.family_b).status_code == 404
    assert client_for(world.outsider).get(f"/contacts/new/?family={world.family_a.pk}").status_code == 404
    assert not ContactLog.objects.exists()


def test_next_must_be_a_safe_relative_url(world, client_for):
    client = client_for(world.ta_a)
    data = {"family": world.family_a.pk, "channel": "phone", "tone": "positive", "write_up": GOOD, "direction": "from_school",
            "happened_on": "2026-11-18"}
    r = client.post(f"/contacts/new/?family={world.family_a.pk}&next=/families/{world.family_a.pk}/", data)
    assert r.url == f"/families/{world.family_a.pk}/"
    r = client.post(f"/contacts/new/?family={world.family_a.pk}&next=https://evil.example/", data)
    assert r.url == "/my-week/"
    r = client.post(f"/contacts/new/?family={world.family_a.pk}&next=//evil.example/", data)
    assert r.url == "/my-week/"


def test_list_visibility_per_persona(world, client_for):
    a = _record(world, write_up="Talked with the Adams family about reading at home.")
    b = _record(world, staff=world.teacher_b, family=world.family_b, write_up="Talked with the Brown family about the trip.")
    expected = {
        "headteacher": {a.pk, b.pk}, "deputy": {a.pk, b.pk}, "admin_office": {a.pk, b.pk},
        "teacher_a": {a.pk}, "key_worker": {a.pk}, "teacher_b": {b.pk}, "outsider": set(),
    }
    for persona, ids in expected.items():
        staff = world.personas[persona]
        client = client_for(staff)
        response = client.get("/contacts/")
        assert response.status_code == 200, persona
        shown = {c.pk for c in response.context["contacts"]}
        assert shown == ids, persona
        for contact in (a, b):
            status = client.get(f"/contacts/{contact.pk}/").status_code
            assert status == (200 if contact.pk in ids else 404), (persona, contact.pk)
        client.logout()


def test_list_filters_and_fixed_queries(world, client_for):
    for i in range(8):
        _record(world, tone="concern" if i % 2 else "positive", happened_on=TODAY - dt.timedelta(days=i),
                children=[world.child_a], carer=world.family_a.carers.first())
    client = client_for(world.headteacher)
    response = client.get("/contacts/?tone=concern")
    assert {c.tone for c in response.context["contacts"]} == {"concern"} and len(response.context["contacts"]) == 4
    response = client.get(f"/contacts/?date_from=2026-11-15&date_to=2026-11-18&family={world.family_a.pk}")
    assert len(response.context["contacts"]) == 4
    with CaptureQueriesContext(connection) as few:
        client.get("/contacts/")
    for i in range(10):
        _record(world, staff=world.teacher_b, family=world.family_b, happened_on=TODAY - dt.timedelta(days=i),
                children=[world.child_b], carer=world.family_b.carers.first())
    with CaptureQueriesContext(connection) as many:
        client.get("/contacts/")
    assert len(few.captured_queries) == len(many.captured_queries) <= 15, len(many.captured_queries)


@pytest.mark.parametrize("query", ["tone=x", "date_from=notadate", "page=zz", "family=abc", "channel=" + "x" * 500, "page=-4"])
def test_list_garbage_is_not_500(world, client_for, query):
    assert client_for(world.headteacher).get(f"/contacts/?{query}").status_code in (200, 404)


def test_list_family_out_of_scope_is_404(world, client_for):
    assert client_for(world.ta_a).get(f"/contacts/?family={world.family_b.pk}").status_code == 404


def test_detail_shows_revisions_and_void_form_for_leader_only(world, client_for, clock):
    contact = _record(world)
    clock.shift(dt.timedelta(hours=30))
    contact_edit(actor=world.actor(world.ta_a), contact=contact, happened_on=TODAY, channel="email", tone="neutral",
                 write_up="E-mailed mum about the trip and the lunch money.")
    body = client_for(world.ta_a).get(f"/contacts/{contact.pk}/").content.decode()
    assert "Earlier versions" in body and GOOD in body and "Not their preferred method" in body
    assert "Void this contact" not in body and "Edit" in body
    assert client_for(world.ta_a).post(f"/contacts/{contact.pk}/void/", {"reason": "Mine to void"}).status_code == 403
    leader = client_for(world.headteacher)
    assert "Void this contact" in leader.get(f"/contacts/{contact.pk}/").content.decode()
    assert leader.post(f"/contacts/{contact.pk}/void/", {"reason": ""}).status_code == 400
    r = leader.post(f"/contacts/{contact.pk}/void/", {"reason": "Duplicate of another record"})
    assert r.status_code == 302
    contact.refresh_from_db()
    assert contact.void_reason == "Duplicate of another record"
    assert "Void." in leader.get(f"/contacts/{contact.pk}/").content.decode()


def test_author_cannot_delete_or_others_edit(world, client_for):
    contact = _record(world)
    client = client_for(world.ta_a)
    client.delete(f"/contacts/{contact.pk}/")
    client.post(f"/contacts/{contact.pk}/", {"delete": "1"})
    assert ContactLog.objects.filter(pk=contact.pk).exists()
    assert client_for(world.headteacher).get(f"/contacts/{contact.pk}/edit/").status_code == 403


def test_edit_page_after_24_hours(world, client_for, clock):
    contact = _record(world)
    clock.shift(dt.timedelta(days=2))
    client = client_for(world.ta_a)
    assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 200
    r = client.post(f"/contacts/{contact.pk}/edit/", {
        "channel": "phone", "tone": "concern", "write_up": "Phoned mum: Alfie has been upset in the mornings.",
        "direction": "from_school", "happened_on": "2026-11-18", "carer": "", "version": 1,
    })
    assert r.status_code == 302
    assert ContactLogRevision.objects.filter(contact=contact).count() == 1


def test_family_page_shows_recent_contacts_and_button(world, client_for):
    _record(world, write_up="Told dad about the reading award this week.")
    client = client_for(world.ta_a)
    body = client.get(f"/families/{world.family_a.pk}/").content.decode()
    assert "Recent contacts" in body and "reading award" in body
    assert f"/contacts/new/?family={world.family_a.pk}" in body


def test_my_week_has_log_contact_links(adopted, client_for):
    world = adopted
    body = client_for(world.ta_a).get("/my-week/").content.decode()
    assert f"/contacts/new/?family={world.family_a.pk}" in body


def test_evidence_min_words_condition(world):
    from keyworker.contacts.evidence import contacts_made

    contact = _record(world)
    ContactLog.objects.filter(pk=contact.pk).update(word_count=3)
    assert list(contacts_made(world.org.pk, TODAY, TODAY, {"min_words": 5})) == []
    assert [r.ref for r in contacts_made(world.org.pk, TODAY, TODAY, {})] == [f"contact:{contact.pk}"]
