"""Daily digests: after the digest hour, one e-mail per person per day listing their unread digest notifications."""

import datetime as dt

import pytest
from django.core import mail

from keyworker.notifications.models import Notification
from keyworker.notifications.services import deliveries_run, digests_run, notification_send

pytestmark = pytest.mark.django_db
LONDON_0630 = dt.datetime(2026, 11, 19, 6, 30, tzinfo=dt.UTC)  # GMT in November: 06:30 in London


def put(world, staff, key, **kw):
    return notification_send(
        recipient=staff.user, organisation_id=world.org.pk, kind="test", subject=f"Overdue {key}", body="Was due Friday",
        link="/families/1/", dedupe_key=key, digest=True, now=LONDON_0630 - dt.timedelta(hours=12), **kw,
    )[0]


def run(now):
    made = digests_run(now=now)
    deliveries_run(now=now, worker_id="w1")
    return made


def test_one_email_per_person_per_day(world):
    for i in range(3):
        put(world, world.ta_a, f"a{i}")
    put(world, world.teacher_b, "b0")
    read = put(world, world.ta_a, "read")
    Notification.objects.filter(pk=read.pk).update(read_at=LONDON_0630)

    assert run(LONDON_0630) == 0 and not mail.outbox  # before 07:00 in London
    assert run(LONDON_0630 + dt.timedelta(minutes=31)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.ta_a.user.email, world.teacher_b.user.email])
    kim = next(m for m in mail.outbox if m.to == [world.ta_a.user.email])
    assert kim.subject == "Your daily summary: 3 unread notifications"
    assert "Overdue a0" in kim.body and "Overdue a2" in kim.body and "Overdue read" not in kim.body

    # Later the same day, something new waits for tomorrow; nothing is sent twice.
    put(world, world.ta_a, "a3")
    assert run(LONDON_0630 + dt.timedelta(hours=5)) == 0 and len(mail.outbox) == 2
    assert run(LONDON_0630 + dt.timedelta(days=1, hours=1)) == 1
    assert len(mail.outbox) == 3 and "Overdue a3" in mail.outbox[-1].body and "Overdue a0" not in mail.outbox[-1].body


def test_the_hour_and_zone_are_configurable(world, settings):
    settings.KEYWORKER_DIGEST_HOUR = 6
    put(world, world.ta_a, "a0")
    assert run(LONDON_0630) == 1


def test_the_digest_is_not_listed_in_the_inbox(world):
    put(world, world.ta_a, "a0")
    run(LONDON_0630 + dt.timedelta(hours=1))
    from keyworker.notifications.selectors import inbox_for

    assert [n.dedupe_key for n in inbox_for(world.ta_a.user, world.org.pk)] == ["a0"]


def test_nobody_gets_a_digest_before_they_can_sign_in(world):
    """Staff imported with their sign-in e-mail held have no password yet: their notifications wait in the inbox."""
    user = world.ta_a.user
    user.set_unusable_password()
    user.last_login = None
    user.save(update_fields=["password", "last_login"])
    put(world, world.ta_a, "a0")
    put(world, world.teacher_b, "b0")

    assert run(LONDON_0630 + dt.timedelta(minutes=31)) == 1
    assert [m.to for m in mail.outbox] == [[world.teacher_b.user.email]]

    user.set_password("a long passphrase of their own")  # they choose a password from the e-mailed link
    user.save(update_fields=["password"])
    assert run(LONDON_0630 + dt.timedelta(minutes=40)) == 1
    assert mail.outbox[-1].to == [user.email] and "Overdue a0" in mail.outbox[-1].body


def test_a_carers_digest_leads_to_the_carers_pages_not_the_staff_inbox(world):
    from keyworker.testing import carer_account

    user = carer_account(world.family_a.carers.first(), "adams@example.org")
    notification_send(recipient=user, organisation_id=world.org.pk, kind="test", subject="A new message",
                      body="", link="/family/messages/", dedupe_key="c0", digest=True, now=LONDON_0630 - dt.timedelta(hours=12))
    assert run(LONDON_0630 + dt.timedelta(hours=1)) == 1
    [digest] = mail.outbox
    assert "/family/" in digest.body and "/inbox/" not in digest.body
    assert Notification.objects.get(recipient=user, kind="digest").link == "/family/"
