"""Policy review reminders (CC-D1): each step once per version, to the responsible staff or else the set-up managers."""

import datetime as dt

import pytest

from keyworker.notifications.models import Delivery, Notification
from keyworker.standards.management.commands.worker import run_cycle
from keyworker.standards.models import Policy, PolicyVersion
from keyworker.standards.reminders import policy_review_reminders, review_step

pytestmark = pytest.mark.django_db
D = dt.date


def make_policy(org, review_on: dt.date, title: str = "Key worker policy") -> Policy:
    policy = Policy.objects.create(organisation=org, title=title, responsible_officer="The headteacher")
    PolicyVersion.objects.create(organisation=org, policy=policy, number=1, effective_from=D(2025, 9, 1), review_on=review_on)
    return policy


def run_days(org, first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """Run the reminders once a day (twice, to show a repeat tells nobody again); which days wrote something."""
    out = {}
    day = first
    while day <= last:
        now = dt.datetime.combine(day, dt.time(7), tzinfo=dt.UTC)
        written = policy_review_reminders(organisation_id=org.pk, today=day, now=now)
        assert policy_review_reminders(organisation_id=org.pk, today=day, now=now) == 0
        if written:
            out[day] = written
        day += dt.timedelta(days=1)
    return out


def test_the_steps_are_thirty_days_seven_days_the_day_then_weekly():
    review = D(2026, 12, 18)
    assert review_step(review, D(2026, 11, 17)) is None
    assert review_step(review, D(2026, 11, 18)) == "30-days"
    assert review_step(review, D(2026, 12, 10)) == "30-days"
    assert review_step(review, D(2026, 12, 11)) == "7-days"
    assert review_step(review, D(2026, 12, 18)) == "due"
    assert review_step(review, D(2026, 12, 24)) == "due"
    assert review_step(review, D(2026, 12, 25)) == "overdue-week-1"
    assert review_step(review, D(2027, 1, 1)) == "overdue-week-2"


def test_each_step_is_sent_once_to_the_responsible_staff(world):
    policy = make_policy(world.org, D(2026, 12, 18))
    policy.responsible_staff.add(world.deputy)
    sent = run_days(world.org, D(2026, 11, 1), D(2027, 1, 20))
    assert sent == {D(2026, 11, 18): 1, D(2026, 12, 11): 1, D(2026, 12, 18): 1, D(2026, 12, 25): 1, D(2027, 1, 1): 1,
                    D(2027, 1, 8): 1, D(2027, 1, 15): 1}
    notes = list(Notification.objects.filter(kind="policy_review_due").order_by("created_at"))
    assert {n.recipient_id for n in notes} == {world.deputy.user_id}
    first = notes[0]
    assert first.subject == "Policy review due: Key worker policy on Fri 18 December 2026"
    assert first.link == f"/policies/{policy.pk}/" and not first.digest and first.organisation_id == world.org.pk
    assert "(in 30 days)" in first.body and "Responsible officer: The headteacher." in first.body
    assert "(today)" in notes[2].body and "(7 days ago)" in notes[3].body and "was due" in notes[3].body
    assert Delivery.objects.filter(notification__in=notes).count() == len(notes)  # sent by e-mail at once


def test_without_responsible_staff_the_set_up_managers_are_told(world, clock):
    make_policy(world.org, D(2026, 11, 25))  # 7 days away on 18 November
    world.deputy.is_active = False
    world.deputy.save()
    assert policy_review_reminders(organisation_id=world.org.pk, today=D(2026, 11, 18)) == 2
    told = set(Notification.objects.filter(kind="policy_review_due").values_list("recipient_id", flat=True))
    # Headteacher and admin office hold the set-up capability; the deputy has left; teachers do not.
    assert told == {world.headteacher.user_id, world.admin_office.user_id}
    assert Notification.objects.get(recipient=world.headteacher.user).dedupe_key.endswith(":review:7-days")
    assert not Notification.objects.filter(organisation_id=world.other_org.pk).exists()


def test_an_inactive_responsible_person_is_replaced_by_the_managers(world, clock):
    policy = make_policy(world.org, D(2026, 11, 18))
    policy.responsible_staff.add(world.teacher_a)
    world.teacher_a.user.is_active = False
    world.teacher_a.user.save()
    policy_review_reminders(organisation_id=world.org.pk, today=D(2026, 11, 18))
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert world.teacher_a.user_id not in told and world.headteacher.user_id in told


def test_nothing_for_a_far_review_date(world, clock):
    make_policy(world.org, D(2027, 9, 1))
    assert policy_review_reminders(organisation_id=world.org.pk, today=D(2026, 11, 18)) == 0
    assert not Notification.objects.exists()


def test_only_the_current_version_counts_and_a_new_version_starts_afresh(world, clock):
    policy = make_policy(world.org, D(2026, 11, 18))  # version 1 is due today...
    policy.responsible_staff.add(world.deputy)
    v2 = PolicyVersion.objects.create(organisation=world.org, policy=policy, number=2, effective_from=D(2026, 11, 1),
                                      review_on=D(2027, 11, 1))
    assert policy_review_reminders(organisation_id=world.org.pk, today=D(2026, 11, 18)) == 0  # ...but version 2 replaced it
    v2.review_on = D(2026, 12, 1)
    v2.save()
    assert policy_review_reminders(organisation_id=world.org.pk, today=D(2026, 11, 18)) == 1
    assert Notification.objects.get().dedupe_key == f"policy-version:{v2.pk}:review:30-days"


def test_the_worker_cycle_sends_them(world, clock):
    make_policy(world.org, D(2026, 11, 20)).responsible_staff.add(world.deputy)
    result = run_cycle(worker_id="test-worker", as_of=D(2026, 11, 18))
    assert result.errors == 0 and result.notifications >= 1
    n = Notification.objects.get(kind="policy_review_due")
    assert n.recipient == world.deputy.user and n.subject == "Policy review due: Key worker policy on Fri 20 November 2026"
    run_cycle(worker_id="test-worker", as_of=D(2026, 11, 18))
    assert Notification.objects.filter(kind="policy_review_due").count() == 1
