"""Celebration services: the rules of recording, sharing (one celebration contact, never two) and voiding; SCH-1 met at once."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from keyworker.celebrations.models import Celebration, PositivityRule
from keyworker.celebrations.services import (
    celebration_record,
    celebration_share,
    celebration_void,
    positivity_rule_save,
)
from keyworker.contacts.models import ContactLog, Tone
from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.standards.models import Obligation, ObligationState
from keyworker.standards.services import policy_adopt_builtin

TODAY = dt.date(2026, 11, 18)


@pytest.fixture
def adopted(world):
    policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=TODAY)
    return world


def record(world, staff=None, child=None, **kw):
    values = {"kind": "well_done_postcard", "title": "Read a whole page aloud", "celebrated_on": TODAY}
    values.update(kw)
    return celebration_record(actor=world.actor(staff or world.ta_a), child=child or world.child_a, **values)


def sch1(world, family):
    return Obligation.objects.get(family=family, standard__clause="SCH-1", period_start__lte=TODAY, period_end__gte=TODAY)


def test_record_a_celebration(world):
    c = record(world, note="  Proud moment.  ")
    assert (c.family_id, c.setting_id, c.recorded_by_id, c.note) == (world.family_a.pk, world.school.pk, world.ta_a.pk, "Proud moment.")
    assert not c.is_shared and c.contact_id is None
    assert AuditEvent.objects.filter(event_type="celebration.recorded", object_id=c.pk).exists()


def test_future_date_refused(world):
    with pytest.raises(RuleViolation) as exc:
        record(world, celebrated_on=TODAY + dt.timedelta(days=1))
    assert (exc.value.rule, exc.value.field) == ("future_date", "celebrated_on")


def test_back_dated_up_to_a_year(world):
    assert record(world, celebrated_on=TODAY - dt.timedelta(days=300)).celebrated_on == TODAY - dt.timedelta(days=300)
    with pytest.raises(RuleViolation) as exc:
        record(world, celebrated_on=TODAY - dt.timedelta(days=400))
    assert exc.value.rule == "old_date"


@pytest.mark.parametrize("title", ["", "   ", "\n\t"])
def test_empty_title_refused(world, title):
    with pytest.raises(RuleViolation) as exc:
        record(world, title=title)
    assert (exc.value.rule, exc.value.field) == ("title_required", "title")


def test_title_too_long_refused(world):
    with pytest.raises(RuleViolation) as exc:
        record(world, title="x" * 151)
    assert exc.value.field == "title"


def test_unknown_kind_refused(world):
    with pytest.raises(RuleViolation) as exc:
        record(world, kind="medal")
    assert exc.value.field == "kind"


def test_dojo_points_need_a_number(world):
    with pytest.raises(RuleViolation) as exc:
        record(world, kind="dojo_points")
    assert exc.value.rule == "points_required"
    assert record(world, kind="dojo_points", points=5).kind_label == "5 Dojo Points"
    with pytest.raises(RuleViolation) as exc:
        record(world, kind="star_of_the_week", points=3)
    assert exc.value.rule == "points_kind"


def test_wrong_family_for_child_refused(world):
    with pytest.raises(RuleViolation) as exc:
        record(world, family=world.family_b)
    assert (exc.value.rule, exc.value.field) == ("child_family", "child")


def test_child_outside_scope_refused(world):
    with pytest.raises(RuleViolation) as exc:
        record(world, child=world.child_b)  # teacher_b's family, another class
    assert exc.value.rule == "scope"
    with pytest.raises(RuleViolation) as exc:
        record(world, staff=world.outsider)
    assert exc.value.rule == "scope"
    assert not Celebration.objects.exists()


def test_record_turns_sch1_met_at_once(adopted):
    world = adopted
    assert sch1(world, world.family_a).state != ObligationState.MET
    c = record(world)
    obligation = sch1(world, world.family_a)
    assert obligation.state == ObligationState.MET and obligation.evidence_ref == f"celebration:{c.pk}"
    assert sch1(world, world.family_b).state != ObligationState.MET


def test_recorded_and_shared_logs_one_celebration_contact(adopted):
    world = adopted
    c = record(world, shared_how="postcard_home")
    assert c.shared_on == TODAY and c.shared_by_id == world.ta_a.pk
    contact = ContactLog.objects.get()
    assert c.contact_id == contact.pk
    assert (contact.tone, contact.channel, contact.family_id, contact.author_id) == (Tone.CELEBRATION, "letter", world.family_a.pk, world.ta_a.pk)
    assert list(contact.children.all()) == [world.child_a]
    assert "Well Done postcard for Alfie Adams, Read a whole page aloud." in contact.write_up
    weekly = Obligation.objects.get(family=world.family_a, standard__clause="SCH-4", period_start__lte=TODAY, period_end__gte=TODAY)
    assert weekly.state == ObligationState.MET  # the shared celebration is this week's contact too


def test_share_later_records_the_contact_once(world):
    c = record(world, celebrated_on=TODAY - dt.timedelta(days=2))
    assert not ContactLog.objects.exists()
    shared = celebration_share(actor=world.actor(world.ta_a), celebration=c, how="messaging_app", shared_on=TODAY - dt.timedelta(days=1))
    assert shared.shared_on == TODAY - dt.timedelta(days=1) and shared.contact.channel == "messaging_app"
    with pytest.raises(RuleViolation) as exc:
        celebration_share(actor=world.actor(world.teacher_a), celebration=c, how="phone")
    assert exc.value.rule == "already_shared"
    assert ContactLog.objects.count() == 1


def test_share_with_a_linked_contact_does_not_record_another(world):
    c = record(world)
    contact = ContactLog.objects.create(
        organisation=world.org, family=world.family_a, setting=world.school, author=world.ta_a, happened_on=TODAY,
        channel="phone", tone="celebration", write_up="Told mum about the postcard today.",
    )
    Celebration.objects.filter(pk=c.pk).update(contact=contact)
    c.refresh_from_db()
    celebration_share(actor=world.actor(world.ta_a), celebration=c, how="phone")
    assert ContactLog.objects.count() == 1
    c.refresh_from_db()
    assert c.contact_id == contact.pk and c.is_shared


def test_share_rules(world):
    c = record(world, celebrated_on=TODAY - dt.timedelta(days=3))
    actor = world.actor(world.ta_a)
    with pytest.raises(RuleViolation) as exc:
        celebration_share(actor=actor, celebration=c, how="carrier pigeon")
    assert exc.value.field == "shared_how"
    with pytest.raises(RuleViolation) as exc:
        celebration_share(actor=actor, celebration=c, how="phone", shared_on=TODAY - dt.timedelta(days=4))
    assert exc.value.rule == "shared_before"
    with pytest.raises(RuleViolation) as exc:
        celebration_share(actor=actor, celebration=c, how="phone", shared_on=TODAY + dt.timedelta(days=1))
    assert exc.value.rule == "future_date"
    with pytest.raises(RuleViolation):
        celebration_share(actor=world.actor(world.outsider), celebration=c, how="phone")
    with pytest.raises(RuleViolation):
        celebration_share(actor=world.actor(world.teacher_b), celebration=c, how="phone")
    assert not ContactLog.objects.exists()


def test_only_a_leader_voids_with_a_reason_and_sch1_follows(adopted):
    world = adopted
    c = record(world, shared_how="phone")
    with pytest.raises(PermissionDenied):
        celebration_void(actor=world.actor(world.ta_a), celebration=c, reason="Wrong child")  # the author cannot
    with pytest.raises(RuleViolation) as exc:
        celebration_void(actor=world.actor(world.headteacher), celebration=c, reason=" ")
    assert exc.value.field == "reason"
    celebration_void(actor=world.actor(world.headteacher), celebration=c, reason="Recorded for the wrong child")
    c.refresh_from_db()
    assert c.is_voided and c.void_reason == "Recorded for the wrong child"
    assert sch1(world, world.family_a).state != ObligationState.MET
    assert c.contact.voided_at is None  # the family was told: the contact stays unless asked
    with pytest.raises(RuleViolation) as exc:
        celebration_void(actor=world.actor(world.headteacher), celebration=c, reason="Again")
    assert exc.value.rule == "already_voided"
    with pytest.raises(RuleViolation):
        celebration_share(actor=world.actor(world.ta_a), celebration=c, how="phone")


def test_void_can_void_its_contact_too(world):
    c = record(world, shared_how="phone")
    celebration_void(actor=world.actor(world.deputy), celebration=c, reason="Duplicate of another", void_contact=True)
    c.contact.refresh_from_db()
    assert c.contact.voided_at is not None and "Its celebration was voided" in c.contact.void_reason


def test_outsider_cannot_void(world):
    c = record(world)
    with pytest.raises(RuleViolation):
        celebration_void(actor=world.actor(world.outsider), celebration=c, reason="Not mine")


def test_evidence_condition_shared_only(adopted):
    from keyworker.celebrations.evidence import celebrations_recorded

    world = adopted
    record(world)
    shared = record(world, shared_how="email")
    rows = list(celebrations_recorded(world.org.pk, TODAY, TODAY, {}))
    assert len(rows) == 2 and all(r.family_id == world.family_a.pk and r.child_id == world.child_a.pk for r in rows)
    assert [r.ref for r in celebrations_recorded(world.org.pk, TODAY, TODAY, {"shared": True})] == [f"celebration:{shared.pk}"]
    assert list(celebrations_recorded(world.org.pk, TODAY, TODAY, {}, families={world.family_b.pk})) == []


# The positivity rule ---------------------------------------------------------------------------------

def test_rule_saved_by_setup_capability_and_audited(world):
    rule = positivity_rule_save(actor=world.actor(world.headteacher), threshold_percent=60, min_contacts=4, window="days",
                                window_days=28)
    assert (rule.threshold_percent, rule.min_contacts, rule.window, rule.window_days) == (60, 4, "days", 28)
    positivity_rule_save(actor=world.actor(world.admin_office), threshold_percent=55, min_contacts=3, window="half_term",
                         window_days=42)
    assert PositivityRule.objects.get().threshold_percent == 55
    event = AuditEvent.objects.filter(event_type="positivity_rule.saved").order_by("-id").first()
    assert event.data["before"]["threshold_percent"] == 60 and event.data["after"]["threshold_percent"] == 55


def test_rule_needs_the_capability(world):
    with pytest.raises(PermissionDenied):
        positivity_rule_save(actor=world.actor(world.ta_a), threshold_percent=50, min_contacts=3, window="half_term", window_days=42)


@pytest.mark.parametrize(("field", "value"), [
    ("threshold_percent", -1), ("threshold_percent", 101), ("min_contacts", 0), ("window_days", 6), ("window_days", 366),
    ("window", "fortnight"),
])
def test_rule_validated(world, field, value):
    values = {"threshold_percent": 50, "min_contacts": 3, "window": "half_term", "window_days": 42, field: value}
    with pytest.raises(RuleViolation) as exc:
        positivity_rule_save(actor=world.actor(world.headteacher), **values)
    assert exc.value.field == field
    assert not PositivityRule.objects.exists()
