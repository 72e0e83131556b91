"""Policy services: adopt a template, change a standard (checked, revised, obligations follow), versions, acknowledgement."""

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from keyworker.core.errors import RuleViolation
from keyworker.core.models import AuditEvent
from keyworker.standards import catalogue, engine, services
from keyworker.standards import testing as standards_testing
from keyworker.standards.evidence import EvidenceRow, EvidenceSource
from keyworker.standards.models import (
    Obligation,
    ObligationState,
    Policy,
    PolicyAcknowledgement,
    PolicyVersion,
    Standard,
    StandardRevision,
)
from keyworker.standards.validation import WAITING, StandardInvalid
from keyworker.testing import allocate, make_child, make_family

pytestmark = pytest.mark.django_db
D = dt.date
CONTACTS: list[tuple[int, dt.date]] = []


def contacts(organisation_id, start, end, conditions):
    return [EvidenceRow(f, None, day, f"contact{i}") for i, (f, day) in enumerate(CONTACTS) if start <= day <= end]


@pytest.fixture
def contact_log():
    """A stand-in for the contact log, replacing the real source for the test and putting it back after."""
    CONTACTS.clear()
    with standards_testing.replaced_evidence(EvidenceSource("contact_log", "A contact log", contacts, frozenset({"min_words"}))):
        yield


def adopt(world, code="school_key_worker", actor=None):
    return services.policy_adopt(actor=actor, organisation=world.org, template_code=code,
                                 effective_from=D(2026, 9, 1), review_on=D(2027, 9, 1))


def standard(policy, clause) -> Standard:
    return Standard.objects.get(policy_version__policy=policy, clause=clause)


def test_adoption_creates_version_1_and_every_clause(world):
    policy = adopt(world, actor=world.actor(world.headteacher))
    version = PolicyVersion.objects.get(policy=policy)
    assert version.number == 1 and (version.effective_from, version.review_on) == (D(2026, 9, 1), D(2027, 9, 1))
    clauses = list(version.standards.order_by("id").values_list("clause", flat=True))
    assert clauses == [s.clause for s in catalogue.SCHOOL.standards]
    sch4 = standard(policy, "SCH-4")
    assert (sch4.cadence, sch4.cadence_n, sch4.evidence_conditions, sch4.escalate_to_roles) == ("weekly", 1, {"min_words": 5}, ["deputy_headteacher"])
    assert policy.responsible_officer == "Headteacher"
    assert AuditEvent.objects.filter(event_type="policy.adopted", object_id=policy.pk).exists()


def test_the_childcare_template_keeps_its_officer_and_author(world):
    policy = adopt(world, "childcare_key_contact")
    assert (policy.responsible_officer, policy.author) == ("All Managers", "Steph Grant")
    assert Standard.objects.filter(policy_version__policy=policy).count() == len(catalogue.CHILDCARE.standards)


def test_a_template_is_adopted_once_and_only_by_leaders(world):
    adopt(world)
    with pytest.raises(RuleViolation, match="already adopted"):
        adopt(world)
    with pytest.raises(PermissionDenied):
        adopt(world, "childcare_key_contact", actor=world.actor(world.teacher_a))
    with pytest.raises(RuleViolation, match="built-in templates"):
        adopt(world, "nonsense")


def test_adoption_refuses_a_review_date_before_it_takes_effect(world):
    with pytest.raises(RuleViolation) as exc:
        services.policy_adopt(actor=None, organisation=world.org, template_code="school_key_worker",
                              effective_from=D(2026, 9, 1), review_on=D(2026, 8, 1))
    assert exc.value.field == "review_on"


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"cadence_n": 0}, "cadence_n", "1 or more"),
    ({"escalate_to_roles": ["manager"]}, "escalate_to_roles", "Nobody here holds the role “Manager”"),
    ({"escalate_to_roles": ["janitor"]}, "escalate_to_roles", "no role “janitor”"),
    ({"conditions": {"eye_colour": "blue"}}, "conditions", "not one the engine knows"),
    ({"conditions": {"has_ehcp": "maybe"}}, "conditions", "with an EHCP, without one"),
    ({"evidence_conditions": {"min_letters": 3}}, "evidence_conditions", "does not understand the condition “min_letters”"),
    ({"title": "  "}, "title", "Give the standard a title"),
    ({"cadence": "fortnightly"}, "cadence", "how often"),
    ({"due_soon_days": -1}, "due_soon_days", "0 to 60"),
    ({"escalate_after_days": 5, "escalate_to_roles": []}, "escalate_to_roles", "Choose who is told"),
    ({"setting_kinds": ["zoo"]}, "setting_kinds", "kinds of setting"),
    ({"evidence": "Not a code!"}, "evidence", "kind of record"),
])
def test_each_invalid_field_is_refused_with_its_own_message_before_saving(world, contact_log, changes, field, words):
    policy = adopt(world)
    s = standard(policy, "SCH-4")
    before = services.standard_definition(s)
    with pytest.raises(StandardInvalid) as exc:
        services.standard_update(actor=world.actor(world.headteacher), standard=s, **changes)
    assert field in exc.value.errors
    assert any(words in m for m in exc.value.errors[field]), exc.value.errors
    s.refresh_from_db()
    assert services.standard_definition(s) == before
    assert not StandardRevision.objects.exists()


def test_an_evidence_code_not_recorded_yet_is_allowed_but_flagged(world):
    policy = adopt(world)
    notes = services.standard_update(actor=world.actor(world.headteacher), standard=standard(policy, "SCH-8"), evidence="homework_feedback")
    assert notes == [WAITING]
    assert standard(policy, "SCH-8").evidence == "homework_feedback"


def test_each_change_writes_a_revision_with_before_after_and_who(world, contact_log):
    policy = adopt(world)
    s = standard(policy, "SCH-4")
    head = world.actor(world.headteacher)
    services.standard_update(actor=head, standard=s, due_soon_days=3)
    services.standard_update(actor=head, standard=s, escalate_to_roles=["headteacher", "deputy_headteacher"])
    services.standard_update(actor=head, standard=s, due_soon_days=3)  # no change: no revision
    revisions = list(StandardRevision.objects.filter(standard=s).order_by("id"))
    assert len(revisions) == 2
    assert (revisions[0].before["due_soon_days"], revisions[0].after["due_soon_days"]) == (2, 3)
    assert revisions[1].after["escalate_to_roles"] == ["headteacher", "deputy_headteacher"]
    assert revisions[0].changed_by == world.headteacher.user and revisions[0].changed_at is not None
    assert AuditEvent.objects.filter(event_type="standard.updated").count() == 2


def test_weekly_contact_every_two_weeks_takes_effect_from_next_monday_and_changes_nothing_before(world, contact_log):
    policy = adopt(world)
    s = standard(policy, "SCH-4")
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    weekly = sorted(Obligation.objects.filter(standard=s, family=world.family_a).values_list("period_start", flat=True))
    assert len(weekly) == 11
    services.standard_update(actor=world.actor(world.deputy), standard=s, cadence_n=2)
    # The change governs the periods from next Monday; the weeks so far keep the weekly rule.
    assert StandardRevision.objects.get(standard=s).effective_from == D(2026, 11, 23)
    assert sorted(Obligation.objects.filter(standard=s, family=world.family_a).values_list("period_start", flat=True)) == weekly


def test_switching_off_and_on_is_dated_and_keeps_the_periods_before(world, contact_log):
    policy = adopt(world)
    s = standard(policy, "SCH-4")
    head = world.actor(world.headteacher)
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    before = Obligation.objects.filter(standard=s).count()
    services.standard_set_enabled(actor=head, standard=s, enabled=False)
    assert StandardRevision.objects.get(standard=s).effective_from == D(2026, 11, 23)
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    assert Obligation.objects.filter(standard=s).count() == before
    services.standard_set_enabled(actor=head, standard=s, enabled=True)
    assert Obligation.objects.filter(standard=s, state=ObligationState.DUE_SOON).exists()
    assert StandardRevision.objects.filter(standard=s).count() == 2


def test_teachers_cannot_change_standards_and_outsiders_cannot_reach_them(world):
    policy = adopt(world)
    s = standard(policy, "SCH-4")
    with pytest.raises(PermissionDenied):
        services.standard_update(actor=world.actor(world.teacher_a), standard=s, cadence_n=2)
    with pytest.raises(RuleViolation, match="Not found"):
        services.standard_update(actor=world.actor(world.outsider), standard=s, cadence_n=2)
    with pytest.raises(StandardInvalid):
        services.standard_update(actor=world.actor(world.headteacher), standard=s, organisation_id=5)


def test_a_new_version_replaces_the_last_and_carries_standards_and_obligations(world, contact_log):
    policy = adopt(world)
    old = standard(policy, "SCH-4")
    CONTACTS.append((world.family_a.pk, D(2026, 11, 3)))
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    before = engine.snapshot(world.org.pk)
    v2 = services.policy_version_create(actor=world.actor(world.headteacher), policy=policy, effective_from=D(2026, 11, 18),
                                        review_on=D(2027, 11, 18), comment="Annual review")
    assert (v2.number, v2.replaces.number) == (2, 1)
    new = Standard.objects.get(policy_version=v2, clause="SCH-4")
    assert services.standard_definition(new) == {**services.standard_definition(old), "enabled": True}
    assert v2.standards.count() == len(catalogue.SCHOOL.standards)
    assert not Standard.objects.filter(policy_version__number=1, enabled=True).exists()
    # The same obligations, now under the new version's standard: nothing counted twice, the met week kept.
    after = engine.snapshot(world.org.pk)
    assert Counter(after.values()) == Counter(before.values())
    assert Obligation.objects.filter(standard=new, state=ObligationState.MET).count() == 1
    old.refresh_from_db()
    with pytest.raises(RuleViolation, match="earlier version"):
        services.standard_update(actor=world.actor(world.headteacher), standard=old, cadence_n=2)


def test_a_new_version_needs_a_comment_and_sensible_dates(world):
    policy = adopt(world)
    head = world.actor(world.headteacher)
    with pytest.raises(RuleViolation) as exc:
        services.policy_version_create(actor=head, policy=policy, effective_from=D(2026, 11, 18), review_on=D(2027, 11, 18), comment=" ")
    assert exc.value.field == "comment"
    with pytest.raises(RuleViolation) as exc:
        services.policy_version_create(actor=head, policy=policy, effective_from=D(2026, 1, 1), review_on=D(2027, 11, 18), comment="x")
    assert exc.value.field == "effective_from"


def test_every_staff_member_acknowledges_a_version_once(world):
    policy = adopt(world)
    version = policy.versions.get()
    teacher = world.actor(world.teacher_a)
    first = services.policy_acknowledge(actor=teacher, version=version)
    again = services.policy_acknowledge(actor=teacher, version=version)
    assert first.pk == again.pk and PolicyAcknowledgement.objects.count() == 1
    with pytest.raises(RuleViolation):
        services.policy_acknowledge(actor=world.actor(world.outsider), version=version)


def test_allocation_within_five_days_of_enrolment_meets_every_family_has_a_key_worker(world, clock):
    policy = adopt(world)
    s = standard(policy, "SCH-A1")
    newcomers = make_family(world.org, "The New family")
    make_child(newcomers, world.school, world.class_a, enrolled_on=D(2026, 11, 16))
    late = make_family(world.org, "The Late family")
    make_child(late, world.school, world.class_a, enrolled_on=D(2026, 11, 10))
    allocate(newcomers, world.school, world.ta_a)  # allocated on Wed 18 Nov, two days after enrolment
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    met = Obligation.objects.get(standard=s, family=newcomers)
    assert (met.state, met.met_on, met.evidence_ref[:11]) == ("met", D(2026, 11, 18), "allocation:")
    assert Obligation.objects.get(standard=s, family=late).state == ObligationState.OVERDUE  # due Sun 15 Nov


def test_the_demo_helper_adopts_and_computes(world):
    policy = services.policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=D(2026, 11, 18))
    assert Policy.objects.filter(organisation=world.org).count() == 1
    assert policy.versions.get().review_on == D(2027, 11, 18)


def test_a_version_for_a_later_date_waits_and_the_worker_switches_on_the_day(world, clock):
    from keyworker.standards.management.commands.worker import run_cycle
    from keyworker.standards.models import Obligation

    head = world.actor(world.headteacher)
    policy = services.policy_adopt_builtin(organisation=world.org, template_code="school_key_worker", as_of=D(2026, 11, 18))
    v1 = services.current_version(policy)
    before = Obligation.objects.filter(standard__policy_version=v1).count()
    assert before
    v2 = services.policy_version_create(actor=head, policy=policy, effective_from=D(2026, 11, 23), review_on=D(2027, 11, 23),
                                        comment="Fortnightly contact from Monday")
    assert not v2.in_force and v2.standards.count() == v1.standards.count()
    # Until the day, version 1's standards run and keep their obligations.
    assert Obligation.objects.filter(standard__policy_version=v1).count() == before
    assert Obligation.objects.filter(standard__policy_version=v2).count() == 0
    weekly = v2.standards.get(clause="SCH-4")
    services.standard_update(actor=head, standard=weekly, cadence_n=2)
    assert Obligation.objects.filter(standard__policy_version=v2).count() == 0
    page = Client()
    page.force_login(world.headteacher.user)
    html = page.get(f"/policies/{policy.pk}/").content.decode()
    assert "takes effect on Mon 23 November 2026" in html and "Issue a new version" not in html
    with pytest.raises(RuleViolation) as refused:
        services.policy_version_create(actor=head, policy=policy, effective_from=D(2026, 12, 1), review_on=D(2027, 12, 1),
                                       comment="Another")
    assert refused.value.rule == "pending_version"

    clock.move_to(dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC))
    run_cycle(worker_id="w1")
    run_cycle(worker_id="w2")
    v2.refresh_from_db()
    assert v2.in_force
    assert not v1.standards.filter(enabled=True).exists()
    moved = Obligation.objects.filter(standard__policy_version=v2, standard__clause="SCH-4")
    assert moved.exists() and not Obligation.objects.filter(standard__policy_version=v1).exists()
