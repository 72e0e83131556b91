"""Policy changes take effect from a date: the rules in force per period, the date a change asks for, the worker that
applies it, and the key workers asked to acknowledge a change to their duties."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.core.clock import now as clock_now
from keyworker.core.errors import RuleViolation
from keyworker.notifications.models import Notification
from keyworker.organisations.models import HalfTerm, Term
from keyworker.standards import engine, rules, services
from keyworker.standards import testing as standards_testing
from keyworker.standards.evidence import EvidenceRow, EvidenceSource
from keyworker.standards.management.commands.worker import run_cycle
from keyworker.standards.models import (
    Obligation,
    PolicyVersion,
    RevisionAcknowledgement,
    Standard,
    StandardRevision,
)
from keyworker.standards.rules import Rule, rules_for
from keyworker.standards.validation import StandardInvalid

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 18)  # a Wednesday in Autumn 2 (the fixed clock)
SINCE = TODAY - dt.timedelta(days=400)
CONTACTS: list[tuple[int, dt.date]] = []



def contacts(organisation_id, start, end, conditions):
    return [EvidenceRow(f, None, day, f"contact{i}") for i, (f, day) in enumerate(CONTACTS) if start <= day <= end]


@pytest.fixture
def contact_log():
    CONTACTS.clear()
    with standards_testing.replaced_evidence(EvidenceSource("contact_log", "A contact log", contacts, frozenset({"min_words"}))):
        yield


@pytest.fixture
def policy(world, contact_log):
    return services.policy_adopt(actor=None, organisation=world.org, template_code="school_key_worker",
                                 effective_from=D(2026, 9, 1), review_on=D(2027, 9, 1))


def sch4(policy) -> Standard:
    return Standard.objects.get(policy_version__policy=policy, clause="SCH-4", policy_version__in_force=True,
                                enabled=True)


def rules_of(world, standard_id: int, as_of: dt.date = TODAY) -> list[Rule]:
    return [r for r in rules_for(world.org.pk, as_of - dt.timedelta(days=400), as_of) if r.standard.pk == standard_id]


def spans(rule_list: list[Rule]) -> list[tuple]:
    return [(r.starts_on, r.ends_before, r.standard.cadence_n) for r in rule_list]


# rules_for ----------------------------------------------------------------------------------------------------


def test_a_standard_never_changed_is_one_rule_for_every_period(world, policy):
    s = sch4(policy)
    (rule,) = rules_of(world, s.pk)
    assert (rule.starts_on, rule.ends_before) == (None, None)
    assert rule.standard.pk == s.pk and rule.governs(D(2026, 9, 7)) and rule.governs(D(2027, 3, 1))


def test_weekly_then_fortnightly_then_weekly_leaves_one_rule_per_span(world, policy):
    s = sch4(policy)
    head = world.actor(world.headteacher)
    services.standard_update(actor=head, standard=s, cadence_n=2, effective_from=D(2026, 11, 23))
    services.standard_update(actor=head, standard=s, cadence_n=1, effective_from=D(2026, 12, 7))
    found = rules_of(world, s.pk)
    assert spans(found) == [(None, D(2026, 11, 23), 1), (D(2026, 11, 23), D(2026, 12, 7), 2), (D(2026, 12, 7), None, 1)]
    assert all(r.standard.pk == s.pk for r in found)
    # Each period start belongs to exactly one rule.
    for day in (D(2026, 9, 7), D(2026, 11, 16), D(2026, 11, 23), D(2026, 11, 30), D(2026, 12, 7), D(2027, 1, 4)):
        assert sum(r.governs(day) for r in found) == 1
    # Copies are never saved: the stored row holds the newest definition.
    s.refresh_from_db()
    assert s.cadence_n == 1 and Standard.objects.filter(pk=s.pk).count() == 1


def test_a_change_without_a_date_applies_from_the_start(world, policy):
    s = sch4(policy)
    StandardRevision.objects.create(organisation=world.org, standard=s, changed_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
                                    before=services.standard_definition(s),
                                    after={**services.standard_definition(s), "cadence_n": 2})
    Standard.objects.filter(pk=s.pk).update(cadence_n=2)
    assert spans(rules_of(world, s.pk)) == [(None, None, 2)]


def test_changes_that_compute_alike_keep_one_rule(world, policy):
    s = sch4(policy)
    head = world.actor(world.headteacher)
    services.standard_update(actor=head, standard=s, title="Contact with each family", description="Every week.")
    (rule,) = rules_of(world, s.pk)
    assert (rule.starts_on, rule.ends_before) == (None, None)


def test_switched_off_from_a_date_governs_nothing_after_it(world, policy):
    s = sch4(policy)
    services.standard_set_enabled(actor=world.actor(world.headteacher), standard=s, enabled=False,
                                  effective_from=D(2026, 11, 30))
    assert spans(rules_of(world, s.pk)) == [(None, D(2026, 11, 30), 1)]
    services.standard_set_enabled(actor=world.actor(world.headteacher), standard=s, enabled=True,
                                  effective_from=D(2027, 1, 4))
    assert spans(rules_of(world, s.pk)) == [(None, D(2026, 11, 30), 1), (D(2027, 1, 4), None, 1)]


def test_changes_made_out_of_date_order_chain(world, policy):
    s = sch4(policy)
    head = world.actor(world.headteacher)
    services.standard_update(actor=head, standard=s, cadence_n=2, effective_from=D(2026, 12, 7))
    services.standard_update(actor=head, standard=s, due_soon_days=4, effective_from=D(2026, 11, 23))
    found = rules_of(world, s.pk)
    assert [(r.starts_on, r.standard.cadence_n, r.standard.due_soon_days) for r in found] == [
        (None, 1, 2), (D(2026, 11, 23), 1, 4), (D(2026, 12, 7), 2, 4)]


def test_rules_that_ended_before_the_look_back_are_left_out(world, policy):
    s = sch4(policy)
    services.standard_update(actor=world.actor(world.headteacher), standard=s, cadence_n=2, effective_from=D(2026, 11, 23))
    later = [r for r in rules_for(world.org.pk, D(2026, 11, 30), D(2027, 1, 6)) if r.standard.pk == s.pk]
    assert spans(later) == [(D(2026, 11, 23), None, 2)]


def test_a_version_in_force_replaces_the_previous_from_its_date(world, policy, clock):
    head = world.actor(world.headteacher)
    v1_sch4 = sch4(policy)
    v2 = services.policy_version_create(actor=head, policy=policy, effective_from=D(2026, 11, 23),
                                        review_on=D(2027, 11, 23), comment="Fortnightly contact from Monday")
    new = v2.standards.get(clause="SCH-4")
    services.standard_update(actor=head, standard=new, cadence_n=2, effective_from=D(2026, 11, 23))
    # Waiting for its date: version 1 governs every period.
    assert spans(rules_of(world, v1_sch4.pk)) == [(None, None, 1)]
    assert rules_of(world, new.pk) == []
    clock.move_to(dt.datetime(2026, 11, 23, 7, tzinfo=dt.UTC))
    services.policy_versions_switch(organisation_id=world.org.pk, as_of=D(2026, 11, 23))
    # In force: the new standard's id for every period (its obligations moved to it), version 1's rule before its date.
    assert rules_of(world, v1_sch4.pk, D(2026, 11, 23)) == []
    assert spans(rules_of(world, new.pk, D(2026, 11, 23))) == [(None, D(2026, 11, 23), 1), (D(2026, 11, 23), None, 2)]


def test_a_version_that_changes_nothing_keeps_one_rule(world, policy):
    v2 = services.policy_version_create(actor=world.actor(world.headteacher), policy=policy, effective_from=TODAY,
                                        review_on=D(2027, 11, 18), comment="Annual review, no change")
    new = v2.standards.get(clause="SCH-4")
    assert spans(rules_of(world, new.pk)) == [(None, None, 1)]
    assert not PolicyVersion.objects.get(pk=v2.pk).applied_at


def test_rules_for_reads_two_queries_whatever_the_number_of_changes(world, policy):
    s = sch4(policy)
    head = world.actor(world.headteacher)
    with CaptureQueriesContext(connection) as one:
        rules_for(world.org.pk, SINCE, TODAY)
    for n, day in enumerate((D(2026, 11, 23), D(2026, 11, 30), D(2026, 12, 7), D(2026, 12, 14))):
        services.standard_update(actor=head, standard=s, due_soon_days=n + 3, effective_from=day)
    for other in Standard.objects.filter(policy_version__policy=policy).exclude(pk=s.pk)[:4]:
        services.standard_update(actor=head, standard=other, due_soon_days=5)
    with CaptureQueriesContext(connection) as many:
        found = rules_for(world.org.pk, SINCE, TODAY)
    assert (len(one), len(many)) == (1, 2)  # the changes are read only once a standard has one
    assert len([r for r in found if r.standard.pk == s.pk]) == 5


# When a change takes effect ---------------------------------------------------------------------------------


def _spring(world):
    term = Term.objects.create(organisation=world.org, setting=world.school, name="Spring 2027", school_year="2026/27",
                               starts_on=D(2027, 1, 5), ends_on=D(2027, 3, 26))
    HalfTerm.objects.create(organisation=world.org, setting=world.school, term=term, name="Spring 1",
                            starts_on=D(2027, 1, 5), ends_on=D(2027, 2, 12))


@pytest.mark.parametrize(("cadence", "n", "earliest", "default"), [
    ("weekly", 1, D(2026, 11, 16), D(2026, 11, 23)),  # this Monday; next Monday
    ("weekly", 2, D(2026, 11, 9), D(2026, 11, 23)),  # fortnights from the Monday of the school year's first week
    ("half_termly", 1, D(2026, 11, 2), D(2027, 1, 5)),
    ("termly", 1, D(2026, 9, 2), D(2027, 1, 5)),
    ("months", 1, D(2026, 11, 1), D(2026, 12, 1)),
    ("after_enrolment", 5, TODAY, D(2026, 11, 19)),  # one-off: today at the earliest, tomorrow by default
    ("after_event", 1, TODAY, D(2026, 11, 19)),
])
def test_the_dates_a_change_may_take_effect_follow_the_cadence(world, cadence, n, earliest, default):
    _spring(world)
    standard = Standard(organisation=world.org, cadence=cadence, cadence_n=n)
    dates = rules.change_dates(standard, TODAY, rules.calendar_for(standard))
    assert (dates.earliest, dates.default) == (earliest, default)


def test_a_change_defaults_to_the_next_period_and_waits_for_the_worker(world, policy):
    s = sch4(policy)
    before = engine.snapshot(world.org.pk)
    services.standard_update(actor=world.actor(world.deputy), standard=s, cadence_n=2)
    revision = StandardRevision.objects.get(standard=s)
    assert (revision.effective_from, revision.applied_at) == (D(2026, 11, 23), None)
    assert revision.changed_by == world.deputy.user
    # The request recomputed nothing: the obligations are as they were until the worker applies the change.
    assert engine.snapshot(world.org.pk) == before


@pytest.mark.parametrize(("given", "words"), [
    (D(2026, 11, 13), "cannot take effect before Mon 16 November 2026"),
    (D(2026, 9, 7), "periods that have ended keep the rule"),
    ("next week", "as a date"),
    ("2026-02-31", "as a date"),
    (D(2028, 1, 3), "within a year"),
])
def test_a_date_too_early_or_not_a_date_is_refused_on_its_field(world, policy, given, words):
    s = sch4(policy)
    with pytest.raises(StandardInvalid) as refused:
        services.standard_update(actor=world.actor(world.headteacher), standard=s, cadence_n=2, effective_from=given)
    assert words in refused.value.errors["effective_from"][0]
    assert not StandardRevision.objects.exists()


def test_the_start_of_the_period_under_way_is_allowed(world, policy):
    s = sch4(policy)
    services.standard_update(actor=world.actor(world.headteacher), standard=s, cadence_n=2, effective_from=D(2026, 11, 16))
    assert StandardRevision.objects.get().effective_from == D(2026, 11, 16)


def test_definition_and_date_problems_are_reported_together(world, policy):
    with pytest.raises(StandardInvalid) as refused:
        services.standard_update(actor=world.actor(world.headteacher), standard=sch4(policy), cadence_n=0,
                                 effective_from=D(2026, 1, 1))
    assert set(refused.value.errors) == {"cadence_n", "effective_from"}


def test_a_new_version_cannot_take_effect_in_the_past(world, policy):
    with pytest.raises(RuleViolation) as refused:
        services.policy_version_create(actor=world.actor(world.headteacher), policy=policy, effective_from=D(2026, 11, 2),
                                       review_on=D(2027, 11, 2), comment="Back-dated")
    assert refused.value.field == "effective_from" and "today" in refused.value.message


def test_a_new_version_copies_the_policy_numbers(world, policy):
    s = sch4(policy)
    Standard.objects.filter(pk=s.pk).update(grace_school_days=3, one_off_open_school_days=7, day_count="school")
    v2 = services.policy_version_create(actor=world.actor(world.headteacher), policy=policy, effective_from=TODAY,
                                        review_on=D(2027, 11, 18), comment="Annual review")
    new = v2.standards.get(clause="SCH-4")
    assert (new.grace_school_days, new.one_off_open_school_days, new.day_count) == (3, 7, "school")


# The worker applies changes; key workers acknowledge them ---------------------------------------------------------


def test_the_worker_applies_a_change_and_asks_the_key_workers_to_acknowledge_it(world, policy):
    s = sch4(policy)
    engine.recompute(organisation_id=world.org.pk, as_of=TODAY)
    services.standard_update(actor=world.actor(world.deputy), standard=s,
                             description="Contact each family every week, by phone or in person.")
    revision = StandardRevision.objects.get(standard=s)
    assert revision.applied_at is None
    run_cycle(worker_id="test", as_of=TODAY)
    revision.refresh_from_db()
    assert revision.applied_at is not None
    # The key workers responsible for SCH-4's obligations: the Adams family's (ta_a) and the Brown family's (teacher_b).
    asked = set(RevisionAcknowledgement.objects.filter(revision=revision).values_list("staff_id", flat=True))
    assert asked == {world.ta_a.pk, world.teacher_b.pk}
    told = Notification.objects.filter(kind="standards.change")
    assert {n.recipient_id for n in told} == {world.ta_a.user_id, world.teacher_b.user_id}
    n = told.first()
    assert "SCH-4" in n.subject and "Mon 23 November 2026" in n.subject and n.link.startswith(f"/policies/{policy.pk}/")
    assert "Wording:" in n.body
    # The next cycle tells nobody again.
    run_cycle(worker_id="test", as_of=TODAY)
    assert Notification.objects.filter(kind="standards.change").count() == 2


def test_a_change_of_title_or_of_who_is_told_asks_nobody(world, policy):
    s = sch4(policy)
    engine.recompute(organisation_id=world.org.pk, as_of=TODAY)
    services.standard_update(actor=world.actor(world.deputy), standard=s, title="Contact each family")
    run_cycle(worker_id="test", as_of=TODAY)
    assert StandardRevision.objects.get().applied_at is not None
    assert not RevisionAcknowledgement.objects.exists() and not Notification.objects.filter(kind="standards.change").exists()


def test_acknowledging_a_change(world, policy):
    s = sch4(policy)
    engine.recompute(organisation_id=world.org.pk, as_of=TODAY)
    services.standard_update(actor=world.actor(world.deputy), standard=s, description="Every week, by phone.")
    run_cycle(worker_id="test", as_of=TODAY)
    revision = StandardRevision.objects.get()
    first = services.revision_acknowledge(actor=world.actor(world.ta_a), revision=revision)
    again = services.revision_acknowledge(actor=world.actor(world.ta_a), revision=revision)
    assert first.pk == again.pk and first.acknowledged_at == again.acknowledged_at is not None
    with pytest.raises(RuleViolation, match="does not touch your duties"):
        services.revision_acknowledge(actor=world.actor(world.teacher_a), revision=revision)
    with pytest.raises(RuleViolation, match="Not found"):
        services.revision_acknowledge(actor=world.actor(world.outsider), revision=revision)


def test_organisations_with_a_change_waiting_go_first(world, policy, monkeypatch):
    order: list[int] = []
    real = engine.recompute

    def recording(**kwargs):
        order.append(kwargs["organisation_id"])
        return real(**kwargs)

    theirs = services.policy_adopt(actor=None, organisation=world.other_org, template_code="school_key_worker",
                                   effective_from=D(2026, 9, 1), review_on=D(2027, 9, 1))
    assert world.other_org.pk > world.org.pk
    PolicyVersion.objects.filter(organisation=world.org).update(applied_at=clock_now())  # nothing waits here
    monkeypatch.setattr(engine, "recompute", recording)
    theirs_sch4 = sch4(theirs)
    definition = services.standard_definition(theirs_sch4)
    StandardRevision.objects.create(organisation=world.other_org, standard=theirs_sch4, changed_at=clock_now(),
                                    before=definition, after={**definition, "description": "By phone."},
                                    effective_from=D(2026, 11, 23))
    run_cycle(worker_id="test", as_of=TODAY)
    assert order[:2] == [world.other_org.pk, world.org.pk]


def test_a_version_switch_waits_for_the_worker_too(world, policy):
    v2 = services.policy_version_create(actor=world.actor(world.headteacher), policy=policy, effective_from=TODAY,
                                        review_on=D(2027, 11, 18), comment="Annual review")
    assert v2.in_force and v2.applied_at is None
    run_cycle(worker_id="test", as_of=TODAY)
    v2.refresh_from_db()
    assert v2.applied_at is not None


# With the engine's periods ----------------------------------------------------------------------------------


def test_weekly_fortnightly_weekly_leaves_the_obligations_of_the_rule_in_force_in_each_period(world, policy, clock):
    s = sch4(policy)
    head = world.actor(world.headteacher)
    engine.recompute(organisation_id=world.org.pk, as_of=TODAY)
    history = {k: v for k, v in engine.snapshot(world.org.pk).items() if k[0] == s.pk and k[2] < D(2026, 11, 16)}
    services.standard_update(actor=head, standard=s, cadence_n=2, effective_from=D(2026, 11, 23))
    run_cycle(worker_id="test", as_of=TODAY)
    clock.move_to(dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC))
    services.standard_update(actor=head, standard=s, cadence_n=1, effective_from=D(2026, 12, 7), as_of=D(2026, 12, 2))
    run_cycle(worker_id="test", as_of=D(2026, 12, 16))
    spans = dict(Obligation.objects.filter(standard=s, family=world.family_a).values_list("period_start", "period_end"))
    starts = sorted(spans)
    # Weeks before the change (none in the half-term holiday), each of one week.
    assert all((spans[d] - d).days == 6 for d in starts if d < D(2026, 11, 23))
    assert [d for d in starts if D(2026, 11, 23) <= d < D(2026, 12, 7)] in ([D(2026, 11, 23)], [D(2026, 11, 30)])
    assert [d for d in starts if d >= D(2026, 12, 7)] == [D(2026, 12, 7), D(2026, 12, 14)]
    # The periods that had ended keep what they were.
    now = engine.snapshot(world.org.pk)
    assert history.keys() <= now.keys()
    now = engine.snapshot(world.org.pk)
    assert history.keys() <= now.keys()


def test_a_policy_adopted_today_asks_nothing_of_last_week(world, contact_log):
    """Adopted on a Wednesday: this week's contact is due on Friday; last week's, before the policy, never existed."""
    services.policy_adopt(actor=None, organisation=world.org, template_code="school_key_worker",
                          effective_from=D(2026, 11, 18), review_on=D(2027, 11, 18))
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    starts = set(Obligation.objects.filter(organisation_id=world.org.pk, standard__clause="SCH-4")
                 .values_list("period_start", flat=True))
    assert D(2026, 11, 16) in starts and min(starts) == D(2026, 11, 16)
