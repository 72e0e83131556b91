"""Escalations are news: told once per obligation, to leaders in one summary a day by clause (or each at once if they
ask), to the key worker in their digest; never the backlog of obligations escalated before anyone could act."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyworker.notifications.models import Delivery, Notification
from keyworker.notifications.services import deliveries_run, digests_run, escalation_preference_save
from keyworker.standards import engine
from keyworker.standards.escalation import ESCALATION_KIND, SUMMARY_KIND, escalations_notify
from keyworker.standards.evidence import EvidenceRow, EvidenceSource, register_evidence, unregister_evidence
from keyworker.standards.models import (
    Cadence,
    Obligation,
    ObligationState,
    Policy,
    PolicyVersion,
    Standard,
    Subject,
)
from keyworker.testing import allocate, make_child, make_family, make_setting, make_staff

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
                "subject": Subject.FAMILY, "due_soon_days": 2, "escalate_after_days": 5,
                "grace_school_days": 20}  # Autumn 1 stays open (in its grace) until 20 November
    defaults.update(fields)
    # Adopted at the start of the school year: escalations on the adoption day itself are the first run's backlog.
    PolicyVersion.objects.filter(pk=version.pk).update(created_at=dt.datetime(2026, 9, 1, 8, tzinfo=dt.UTC))
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


def escalate(world):
    """The obligations are computed while still open (overdue on Mon 26 October), then escalate (Wed 18 November)."""
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 10, 26))
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))


def told(world, family, clause="SCH-2"):
    """Who heard of the family's escalated obligation one by one (at once, or as an item in their digest)."""
    o = Obligation.objects.get(family=family, state="escalated", standard__clause=clause)
    return {n.recipient.memberships.get().pk for n in Notification.objects.filter(dedupe_key=f"obligation:{o.pk}:escalated")}


def summaries(staff):
    return list(Notification.objects.filter(recipient=staff.user, kind=SUMMARY_KIND))


def test_leaders_get_one_summary_by_clause_and_the_key_worker_an_item_in_their_digest(world, half_termly):
    elsewhere = make_setting(world.org, name="Other site")
    other_dsl = make_staff(world.org, elsewhere, ["safeguarding_lead"], name="Dee Elsewhere")
    review = make_standard(world.org, clause="SCH-6", title="Half-termly review", cadence=Cadence.HALF_TERMLY,
                           evidence="test_contact", escalate_after_days=10, escalate_to_roles=["deputy_headteacher"])
    escalate(world)
    result = escalations_notify(organisation_id=world.org.pk, now=NOW)
    assert (result.escalations, result.summaries) == (6, 3)

    # The key worker hears of their own obligations, one item each in their digest; leaders of nothing one by one.
    assert told(world, world.family_a) == {world.ta_a.pk} and told(world, world.family_b) == {world.teacher_b.pk}
    n = Notification.objects.get(recipient=world.ta_a.user, kind=ESCALATION_KIND, subject__contains="SCH-2")
    assert n.subject == "Escalated: Half-termly data check (SCH-2) – The Adams family" and n.digest
    assert "due on Fri 23 October 2026" in n.body and "26 days overdue" in n.body and "Kim Keyworker" in n.body
    assert n.link == f"/families/{world.family_a.pk}/" and n.organisation_id == world.org.pk
    assert not Notification.objects.filter(recipient__in=[world.headteacher.user, world.deputy.user], kind=ESCALATION_KIND).exists()
    assert not Notification.objects.filter(recipient__in=[other_dsl.user, world.teacher_a.user, world.admin_office.user]).exists()

    # One summary per leader, by clause in clause order, each line with its list; nothing is e-mailed at once.
    [deputy] = summaries(world.deputy)
    assert deputy.digest and deputy.subject == "Escalated on Wed 18 November 2026: 6 obligations (SCH-2, SCH-6)"
    assert deputy.link == "/obligations/escalated/?on=2026-11-18"
    assert ("- Half-termly data check (SCH-2): 3 families overdue by more than 10 days, across 2 key workers and 1 with no key worker."
            in deputy.body)
    assert f"/obligations/escalated/?on=2026-11-18&standard={half_termly.pk}" in deputy.body
    assert f"/obligations/escalated/?on=2026-11-18&standard={review.pk}" in deputy.body
    assert deputy.body.index("SCH-2") < deputy.body.index("SCH-6")
    [head] = summaries(world.headteacher)
    assert "SCH-6" not in head.body and "3 obligations" in head.subject
    assert len(summaries(world.safeguarding_lead)) == 1
    assert not Delivery.objects.exists()

    # The day's digest: one e-mail per person, the leader's with the summary and its links.
    assert digests_run(now=NOW) == 5  # three leaders, two key workers
    deliveries_run(now=NOW, worker_id="t")
    to_deputy = [m for m in mail.outbox if m.to == [world.deputy.user.email]]
    assert len(to_deputy) == 1 and "3 families overdue by more than 10 days" in to_deputy[0].body
    assert f"/obligations/escalated/?on=2026-11-18&standard={review.pk}" in to_deputy[0].body

    # Running again, the next day too, tells nobody anything new.
    count = Notification.objects.count()
    assert escalations_notify(organisation_id=world.org.pk, now=NOW).notifications == 0
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 19))
    assert escalations_notify(organisation_id=world.org.pk, now=NOW + dt.timedelta(days=1)).notifications == 0
    assert Notification.objects.count() == count
    assert not Notification.objects.filter(organisation_id=world.other_org.pk).exists()


def test_a_leader_who_asks_hears_of_each_escalation_at_once(world, half_termly):
    escalation_preference_save(user=world.deputy.user, escalations="at_once")
    escalation_preference_save(user=world.ta_a.user, escalations="at_once")
    escalate(world)
    escalations_notify(organisation_id=world.org.pk, now=NOW)
    assert told(world, world.family_a) == {world.deputy.pk, world.ta_a.pk}
    assert told(world, world.family_unallocated) == {world.deputy.pk}
    each = Notification.objects.filter(recipient=world.deputy.user, kind=ESCALATION_KIND)
    assert each.count() == 3 and not summaries(world.deputy)
    assert Delivery.objects.filter(notification__in=each, status="pending").count() == 3
    assert Delivery.objects.filter(notification__recipient=world.ta_a.user).count() == 1
    assert len(summaries(world.headteacher)) == 1  # the others keep the daily summary


def test_inactive_staff_are_not_told(world, half_termly):
    world.deputy.is_active = False
    world.deputy.save()
    world.ta_a.user.is_active = False
    world.ta_a.user.save()
    escalate(world)
    escalations_notify(organisation_id=world.org.pk, now=NOW)
    assert not summaries(world.deputy) and summaries(world.headteacher) and summaries(world.safeguarding_lead)
    assert not Notification.objects.filter(recipient=world.ta_a.user).exists()


def test_the_backlog_of_a_first_run_is_not_news(world, half_termly):
    # Adopted today: Autumn 1's checks are computed for the first time already escalated; nobody could have acted.
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    assert Obligation.objects.filter(state="escalated").count() == 3
    assert escalations_notify(organisation_id=world.org.pk, now=NOW).escalations == 0
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 19))
    escalations_notify(organisation_id=world.org.pk, now=NOW + dt.timedelta(days=1))
    assert not Notification.objects.exists()


def test_what_escalates_on_the_adoption_day_is_not_news(world, half_termly, clock):
    later = make_standard(world.org, clause="SCH-6", title="Half-termly review", cadence=Cadence.HALF_TERMLY,
                          evidence="test_contact", escalate_after_days=26, escalate_to_roles=["deputy_headteacher"])
    # Adopted this morning: what the day's records and runs move from open to escalated is the backlog.
    PolicyVersion.objects.filter(organisation=world.org).update(created_at=NOW - dt.timedelta(hours=2))
    escalate(world)
    assert Obligation.objects.filter(standard=half_termly, state="escalated").count() == 3
    assert escalations_notify(organisation_id=world.org.pk, now=NOW).escalations == 0
    # The next day, the review (26 days late today) escalates: that is news.
    clock.shift(dt.timedelta(days=1))
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 19))
    result = escalations_notify(organisation_id=world.org.pk, now=NOW + dt.timedelta(days=1))
    assert result.escalations == 3 and "SCH-6" in summaries(world.deputy)[0].body
    assert "SCH-2" not in summaries(world.deputy)[0].body
    assert later.obligations.filter(state="escalated").count() == 3


def test_missed_obligations_are_never_escalated_nor_overdue(world, half_termly):
    make_standard(world.org, clause="SCH-9", title="Half-termly note", cadence=Cadence.HALF_TERMLY, evidence="test_contact",
                  escalate_after_days=None)
    escalate(world)
    # Their periods closed: final, whatever they were before.
    Obligation.objects.filter(family=world.family_a, standard=half_termly, state="escalated").update(state=ObligationState.MISSED)
    Obligation.objects.filter(family=world.family_b, standard__clause="SCH-9", state="overdue").update(
        state=ObligationState.MISSED)
    result = escalations_notify(organisation_id=world.org.pk, now=NOW)
    assert result.escalations == 2 and result.overdue == 1  # family B's check and the unallocated; family A's note
    assert not Notification.objects.filter(link=f"/families/{world.family_a.pk}/", kind=ESCALATION_KIND).exists()
    assert "2 families" in summaries(world.deputy)[0].body
    assert not Notification.objects.filter(recipient=world.teacher_b.user, kind="obligation_overdue").exists()


def test_an_obligation_met_before_the_notice_is_not_escalated_to_anyone(world, half_termly):
    escalate(world)
    RECORDS["test_check"].append((world.family_a.pk, None, D(2026, 10, 20)))  # back-dated: it was done in time
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    escalations_notify(organisation_id=world.org.pk, now=NOW)
    assert not Notification.objects.filter(link=f"/families/{world.family_a.pk}/").exists()
    assert "2 families" in summaries(world.deputy)[0].body


def test_escalated_then_met_late_then_open_again_is_told_once(world, half_termly):
    escalate(world)
    escalations_notify(organisation_id=world.org.pk, now=NOW)
    count = Notification.objects.count()
    RECORDS["test_check"].append((world.family_a.pk, None, D(2026, 10, 21)))
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    assert Obligation.objects.get(family=world.family_a, due_on=D(2026, 10, 23)).state == "met"
    RECORDS["test_check"].clear()  # the record was removed: escalated again
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 19))
    assert Obligation.objects.get(family=world.family_a, due_on=D(2026, 10, 23)).state == "escalated"
    assert escalations_notify(organisation_id=world.org.pk, now=NOW + dt.timedelta(days=1)).notifications == 0
    assert Notification.objects.count() == count


def test_overdue_obligations_go_in_the_key_workers_digest_once_each(world):
    make_standard(world.org, clause="SCH-2", title="Half-termly data check", cadence=Cadence.HALF_TERMLY,
                  evidence="test_check", escalate_after_days=None, escalate_to_roles=["headteacher"], grace_school_days=20)
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 18))
    result = escalations_notify(organisation_id=world.org.pk, now=NOW)
    assert (result.escalations, result.overdue) == (0, 2)  # the unallocated family has no key worker to tell
    n = Notification.objects.get(recipient=world.ta_a.user)
    assert n.digest and n.kind == "obligation_overdue" and n.subject == "Overdue: Half-termly data check (SCH-2) – The Adams family"
    assert "(26 days ago)" in n.body
    assert not Delivery.objects.exists()  # waits for the daily digest
    escalations_notify(organisation_id=world.org.pk, now=NOW + dt.timedelta(hours=1))
    assert Notification.objects.count() == 2


def _more_families(world, n):
    for i in range(n):
        family = make_family(world.org, f"The Extra{i} family")
        make_child(family, world.school, world.class_b, legal_first_name=f"Extra{i}", legal_last_name="Extra")
        allocate(family, world.school, world.teacher_a if i % 2 else world.teacher_b)


def _notify_queries(world):
    escalate(world)
    with CaptureQueriesContext(connection) as ctx:
        result = escalations_notify(organisation_id=world.org.pk, now=NOW)
    return len(ctx.captured_queries), result


def test_the_number_of_queries_does_not_grow_with_the_obligations(world, half_termly):
    _more_families(world, 2)
    escalation_preference_save(user=world.headteacher.user, escalations="at_once")
    few, result = _notify_queries(world)
    assert result.escalations == 5
    Notification.objects.all().delete()
    from keyworker.notifications.models import Told

    Told.objects.all().delete()
    _more_families(world, 12)
    many, result = _notify_queries(world)
    assert result.escalations == 17 and many == few


def test_a_leaders_summary_of_the_day_grows_until_it_goes_out_in_the_digest(world, half_termly, clock):
    for clause, days in (("SCH-6", 26), ("SCH-7", 27)):
        make_standard(world.org, clause=clause, title=f"Review {clause}", cadence=Cadence.HALF_TERMLY,
                      evidence="test_contact", escalate_after_days=days, escalate_to_roles=["deputy_headteacher"])
    escalate(world)
    escalations_notify(organisation_id=world.org.pk, now=NOW)
    assert "3 obligations (SCH-2)" in summaries(world.deputy)[0].subject
    # Later the same day more escalate: the same summary tells of all of them, still one in the inbox.
    clock.shift(dt.timedelta(hours=1))
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 19))
    result = escalations_notify(organisation_id=world.org.pk, now=NOW + dt.timedelta(hours=1))
    assert (result.escalations, result.notifications) == (3, 2)  # the two key workers, each in their digest
    [summary] = summaries(world.deputy)
    assert summary.subject == "Escalated on Wed 18 November 2026: 6 obligations (SCH-2, SCH-6)"
    assert "Half-termly data check (SCH-2): 3 families" in summary.body and "Review SCH-6 (SCH-6): 3 families" in summary.body
    assert len(summaries(world.headteacher)) == 1 and "SCH-6" not in summaries(world.headteacher)[0].body
    # Once it went out in the digest, what escalates after is a new summary with only the new ones.
    assert digests_run(now=NOW + dt.timedelta(hours=1)) >= 1
    clock.shift(dt.timedelta(hours=1))
    engine.recompute(organisation_id=world.org.pk, as_of=D(2026, 11, 20))
    escalations_notify(organisation_id=world.org.pk, now=NOW + dt.timedelta(hours=2))
    newest = Notification.objects.filter(recipient=world.deputy.user, kind=SUMMARY_KIND).order_by("-id").first()
    assert len(summaries(world.deputy)) == 2 and newest.subject == "Escalated on Wed 18 November 2026: 3 obligations (SCH-7)"
