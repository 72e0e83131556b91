"""Services of the manager's monitoring: starting a sample, scoring, signing off (findings and CC-M3), acknowledging."""

import pytest
from django.http import Http404

from keyworker.accounts.access import actor_for
from keyworker.care import monitoring_services as services
from keyworker.care.models_monitoring import MonitoringFinding, MonitoringSample
from keyworker.care.monitoring_selectors import monitoring_view, random_sample
from keyworker.core.errors import RuleViolation
from keyworker.notifications.models import Notification

from .monitoring_helpers import AS_OF, make_nursery, no_sources_fixture, sources_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

ALL_GOOD = {"up_to_date": "good", "child_voice": "good", "next_steps": "good", "high_standard": "good"}


def _scored_sample(nursery):
    actor = actor_for(nursery.manager.user)
    keys = [f"journal:{c.pk}" for c in nursery.children[:2]]
    sample = services.sample_start(actor=actor, setting=nursery.setting, records=keys, as_of=AS_OF)
    for item in sample.items.all():
        services.item_score(actor=actor, sample=sample, item_id=item.pk, scores=ALL_GOOD, comment="")
    return actor, sample


def test_view_rows_counts_and_filters(world, sources):
    nursery = make_nursery(world)
    view = monitoring_view(nursery.setting, AS_OF)
    assert len(view.rows) == 8  # 4 children, journal and care plan
    journals = next(c for c in view.counts if c.source.kind == "journal")
    assert (journals.total, journals.out_of_date) == (4, sum(c.pk % 2 for c in nursery.children))
    late = monitoring_view(nursery.setting, AS_OF, out_of_date_only=True)
    assert all(not r.record.up_to_date for r in late.shown)
    mine = monitoring_view(nursery.setting, AS_OF, key_person_id=nursery.key_person.pk)
    assert {r.key_person.pk for r in mine.shown} == {nursery.key_person.pk}
    assert len(mine.shown) == 4


def test_view_without_sources(world, no_sources):
    nursery = make_nursery(world)
    view = monitoring_view(nursery.setting, AS_OF)
    assert view.rows == [] and view.counts == []


def test_random_sample_is_stable_for_the_month(world, sources):
    nursery = make_nursery(world, 8)
    keys = [r.key for r in monitoring_view(nursery.setting, AS_OF).rows]
    first = random_sample(keys, nursery.setting, AS_OF, 5)
    assert first == random_sample(list(reversed(keys)), nursery.setting, AS_OF.replace(day=28), 5)
    assert len(first) == 5
    actor = actor_for(nursery.manager.user)
    sample = services.sample_start(actor=actor, setting=nursery.setting, random_size=5, as_of=AS_OF)
    assert sorted(f"{i.kind}:{i.child_id}" for i in sample.items.all()) == first
    assert sample.random


def test_start_refuses_bad_picks(world, sources):
    nursery = make_nursery(world)
    actor = actor_for(nursery.manager.user)
    with pytest.raises(RuleViolation) as exc:
        services.sample_start(actor=actor, setting=nursery.setting, records=[], as_of=AS_OF)
    assert exc.value.field == "records"
    with pytest.raises(RuleViolation, match="not a record of a child on roll"):
        services.sample_start(actor=actor, setting=nursery.setting, records=[f"journal:{world.child_a.pk}"], as_of=AS_OF)
    services.sample_start(actor=actor, setting=nursery.setting, records=[f"journal:{nursery.children[0].pk}"], as_of=AS_OF)
    with pytest.raises(RuleViolation, match="already in progress"):
        services.sample_start(actor=actor, setting=nursery.setting, records=[f"journal:{nursery.children[1].pk}"],
                              as_of=AS_OF)


def test_outsiders_cannot_start(world, sources):
    nursery = make_nursery(world)
    for staff in (nursery.key_person, world.outsider):
        with pytest.raises(Http404):
            services.sample_start(actor=actor_for(staff.user), setting=nursery.setting,
                                  records=[f"journal:{nursery.children[0].pk}"], as_of=AS_OF)


def test_scoring_refuses_bad_input(world, sources):
    nursery = make_nursery(world)
    actor = actor_for(nursery.manager.user)
    sample = services.sample_start(actor=actor, setting=nursery.setting,
                                   records=[f"journal:{nursery.children[0].pk}"], as_of=AS_OF)
    item = sample.items.get()
    with pytest.raises(RuleViolation, match="not in the sample") as exc:
        services.item_score(actor=actor, sample=sample, item_id=item.pk + 999, scores=ALL_GOOD)
    assert exc.value.field == "item"
    with pytest.raises(services.FieldErrors) as errors:
        services.item_score(actor=actor, sample=sample, item_id=item.pk, scores={"up_to_date": "great"})
    assert set(errors.value.errors) == {"up_to_date", "child_voice", "next_steps", "high_standard"}
    with pytest.raises(services.FieldErrors) as errors:
        services.item_score(actor=actor, sample=sample, item_id=item.pk, scores={**ALL_GOOD, "next_steps": "missing"})
    assert "comment" in errors.value.errors
    scored = services.item_score(actor=actor, sample=sample, item_id=item.pk,
                                 scores={**ALL_GOOD, "next_steps": "missing"}, comment="Plan next steps after each observation.")
    assert scored.is_scored and scored.scores["next_steps"] == "missing"


def test_sign_off_needs_every_record_scored(world, sources):
    nursery = make_nursery(world)
    actor = actor_for(nursery.manager.user)
    sample = services.sample_start(actor=actor, setting=nursery.setting,
                                   records=[f"journal:{c.pk}" for c in nursery.children[:2]], as_of=AS_OF)
    with pytest.raises(RuleViolation, match="Score every record before signing off: 2 not scored") as exc:
        services.sample_sign_off(actor=actor, sample=sample, as_of=AS_OF)
    assert exc.value.field == "items"


def test_sign_off_sends_findings_and_meets_cc_m3(world, sources):
    from keyworker.standards import engine
    from keyworker.standards.models import Obligation, ObligationState
    from keyworker.standards.services import policy_adopt_builtin

    nursery = make_nursery(world)
    policy_adopt_builtin(organisation=world.org, template_code="childcare_key_contact", as_of=AS_OF,
                         effective_from=AS_OF.replace(day=1))
    engine.recompute(organisation_id=world.org.pk, as_of=AS_OF)
    duty = Obligation.objects.get(setting=nursery.setting, standard__clause="CC-M3", period_start=AS_OF.replace(day=1))
    assert duty.state != ObligationState.MET
    actor, sample = _scored_sample(nursery)
    services.sample_sign_off(actor=actor, sample=sample, as_of=AS_OF)
    sample.refresh_from_db()
    assert sample.is_signed_off and sample.signed_off_on == AS_OF
    findings = list(MonitoringFinding.objects.filter(item__sample=sample).order_by("item__child_id"))
    assert [f.staff_id for f in findings] == [nursery.key_person.pk, nursery.other_key_person.pk]
    assert Notification.objects.filter(recipient=nursery.key_person.user, kind="monitoring_finding").count() == 1
    duty.refresh_from_db()
    assert duty.state == ObligationState.MET and duty.evidence_ref == f"monitoring:{sample.pk}"
    with pytest.raises(RuleViolation, match="signed off"):
        services.item_score(actor=actor, sample=sample, item_id=findings[0].item_id, scores=ALL_GOOD)
    # A new sample may start once this one is signed off.
    assert services.sample_start(actor=actor, setting=nursery.setting, random_size=2, as_of=AS_OF)
    assert MonitoringSample.objects.filter(setting=nursery.setting).count() == 2


def test_only_the_key_person_acknowledges(world, sources):
    nursery = make_nursery(world)
    actor, sample = _scored_sample(nursery)
    services.sample_sign_off(actor=actor, sample=sample, as_of=AS_OF)
    finding = MonitoringFinding.objects.get(item__sample=sample, staff=nursery.key_person)
    with pytest.raises(RuleViolation, match="only they can acknowledge") as exc:
        services.finding_acknowledge(actor=actor_for(nursery.other_key_person.user), finding=finding)
    assert exc.value.field == "finding"
    with pytest.raises(RuleViolation, match="Kai Keyperson"):
        services.finding_acknowledge(actor=actor, finding=finding)
    done = services.finding_acknowledge(actor=actor_for(nursery.key_person.user), finding=finding)
    assert done.acknowledged_at is not None
