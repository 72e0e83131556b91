"""Escalation notices: at once to the standard's roles and the key worker, once per obligation; overdue ones in the digest."""

import datetime as dt

import pytest

from keyworker.notifications.models import Delivery, Notification
from keyworker.standards import engine
from keyworker.standards.escalation import escalations_notify
from keyworker.standards.evidence import EvidenceRow, EvidenceSource, register_evidence, unregister_evidence
from keyworker.standards.models import Cadence, Obligation, Policy, PolicyVersion, Standard, Subject
from keyworker.testing import make_setting, make_staff

pytestmark = pytest.mark.django_db
D = dt.date
# The fake evidence stores, shared with the worker and compliance command tests: (family, child, day) per source.
RECORDS: dict[str, list[tuple[int, int | None, dt.date]]] = {"test_contact": [], "test_check": []}


def _fetch(code):
    def fetch(organisation_id, start, end, conditions):
        return [EvidenceRow(f, c, day, f"{code}{i}") for i, (f, c, day) in enumerate(RECORDS[code]) if start <= day <= end]

    return fetch


def register_fakes():
    for code, rows in RECORDS.items():
        rows.clear()
        register_evidence(EvidenceSource(code, code, _fetch(code)))


def unregister_fakes():
    for code in RECORDS:
        unregister_evidence(code)


def make_standard(org, **fields) -> Standard:
    policy = Policy.objects.create(organisation=org, title="Key worker policy")
    version = PolicyVersion.objects.create(organisation=org, policy=policy, number=1, effective_from=D(2026, 9, 1),
                                           review_on=D(2027, 9, 1))
    defaults = {"clause": "SCH-4", "title": "Weekly contact", "cadence": Cadence.WEEKLY_TERM_TIME, "evidence": "test_contact",
                "subject": Subject.FAMILY, "due_soon_days": 2, "escalate_after_days": 5}
    defaults.update(fields)
    return Standard.objects.create(organisation=org, policy_version=version, **defaults)


NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def fakes():
    register_fakes()
    yield
    unregister_fakes()


@pytest.fixture
def half_termly(world):
    # Autumn 1 ended on Fri 23 October: as of 18 November every family's check is 26 days late (a grace of 20 school
    # days keeps it open until 20 November).
    return make_standard(world.org, clause="SCH-2", title="Half-termly data check", cadence=Cadence.HALF_TERMLY,
                         evidence="test_check", escalate_after_days=10, grace_school_days=20,
                         escalate_to_roles=["headteacher", "deputy_headteacher", "safeguarding_lead"])


def told(world, family):
    o = Obligation.objects.get(family=family, state="escalated")
    return {n.recipient.memberships.get().pk for n in Notification.objects.filter(dedupe_key=f"obligation:{o.pk}:escalated")}


def test_the_standards_roles_and_the_key_worker_are_told_once(world, half_termly):
    elsewhere = make_setting(world.org, name="Other site")
    other_dsl = make_staff(world.org, elsewhere, ["safeguarding_lead"], name="Dee Elsewhere")
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    result = escalations_notify(organisation_id=world.org.pk, now=NOW)
    assert result.escalations == 3

    leaders = {world.headteacher.pk, world.deputy.pk, world.safeguarding_lead.pk}
    assert told(world, world.family_a) == leaders | {world.ta_a.pk}
    assert told(world, world.family_b) == leaders | {world.teacher_b.pk}
    assert told(world, world.family_unallocated) == leaders  # no key worker yet
    assert not Notification.objects.filter(recipient=other_dsl.user).exists()  # a setting-wide role elsewhere
    assert not Notification.objects.filter(recipient__in=[world.teacher_a.user, world.admin_office.user]).exists()

    n = Notification.objects.get(recipient=world.ta_a.user)
    assert n.subject == "Escalated: SCH-2 Half-termly data check – The Adams family"
    assert "due on Fri 23 October 2026" in n.body and "26 days overdue" in n.body and "Kim Keyworker" in n.body
    assert n.link == f"/families/{world.family_a.pk}/" and not n.digest and n.organisation_id == world.org.pk
    assert Delivery.objects.filter(notification=n, status="pending").count() == 1

    # Running again, the next day too, tells nobody anything new.
    count = Notification.objects.count()
    assert escalations_notify(organisation_id=world.org.pk, now=NOW).notifications == 0
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 19))
    escalations_notify(organisation_id=world.org.pk, now=NOW + dt.timedelta(days=1))
    assert Notification.objects.count() == count == 3 * 3 + 2
    assert not Notification.objects.filter(organisation_id=world.other_org.pk).exists()


def test_inactive_staff_are_not_told(world, half_termly):
    world.deputy.is_active = False
    world.deputy.save()
    world.ta_a.user.is_active = False
    world.ta_a.user.save()
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    escalations_notify(organisation_id=world.org.pk, now=NOW)
    assert told(world, world.family_a) == {world.headteacher.pk, world.safeguarding_lead.pk}


def test_an_obligation_met_before_the_notice_is_not_escalated_to_anyone(world, half_termly):
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    RECORDS["test_check"].append((world.family_a.pk, None, D(2026, 10, 20)))  # back-dated: it was done in time
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    escalations_notify(organisation_id=world.org.pk, now=NOW)
    assert not Notification.objects.filter(link=f"/families/{world.family_a.pk}/").exists()


def test_overdue_obligations_go_in_the_key_workers_digest_once_each(world):
    make_standard(world.org, clause="SCH-2", title="Half-termly data check", cadence=Cadence.HALF_TERMLY,
                  evidence="test_check", escalate_after_days=None, escalate_to_roles=["headteacher"], grace_school_days=20)
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    result = escalations_notify(organisation_id=world.org.pk, now=NOW)
    assert (result.escalations, result.overdue) == (0, 2)  # the unallocated family has no key worker to tell
    n = Notification.objects.get(recipient=world.ta_a.user)
    assert n.digest and n.kind == "obligation_overdue" and n.subject == "Overdue: SCH-2 Half-termly data check – The Adams family"
    assert "(26 days ago)" in n.body
    assert not Delivery.objects.exists()  # waits for the daily digest
    escalations_notify(organisation_id=world.org.pk, now=NOW + dt.timedelta(hours=1))
    assert Notification.objects.count() == 2
