"""The demo's first worker cycle sends what a real first day would: no backlog of escalations, one digest each."""

import datetime as dt

import pytest
from django.core import mail

from keyworker.accounts.models import User
from keyworker.demo import builder
from keyworker.notifications.models import Delivery, Notification
from keyworker.standards.escalation import ESCALATION_KIND, SUMMARY_KIND
from keyworker.standards.management.commands.worker import run_cycle

pytestmark = pytest.mark.django_db

# Measured on the demo (Wed 18 November): the first cycle used to write 939 notifications (906 escalations: 259
# unread for the deputy head), queue 923 e-mails and send 997 (with past weeks' attendance concerns) for 431
# escalated obligations; now 33 notifications (16 overdue items and 17 daily digests to key workers), 17 e-mails
# queued and 22 sent.
FIRST_CYCLE_NOTIFICATIONS = 60
FIRST_CYCLE_EMAILS = 30


def test_the_first_cycle_tells_nobody_of_the_backlog_and_the_next_day_brings_one_summary(clock):
    demo = builder.build()
    notifications, deliveries = Notification.objects.count(), Delivery.objects.count()
    result = run_cycle(worker_id="first", batch=5000)
    assert result.escalations == 0
    assert not Notification.objects.filter(kind__in=[ESCALATION_KIND, SUMMARY_KIND]).exists()
    assert Notification.objects.count() - notifications <= FIRST_CYCLE_NOTIFICATIONS
    assert Delivery.objects.count() - deliveries <= FIRST_CYCLE_EMAILS
    deputy = User.objects.get(email=next(s.email for s in demo.sign_ins if s.role == "Deputy headteacher"))
    # Only today's news is unread: the attendance concerns raised today (past weeks' were read in their week).
    unread = deputy.notifications.filter(read_at__isnull=True)
    assert unread.count() <= 5 and set(unread.values_list("kind", flat=True)) <= {"attendance.concern"}

    # The next morning, what escalated overnight is news: the deputy head hears of it in one summary, one e-mail.
    clock.shift(dt.timedelta(days=1))
    mail.outbox.clear()
    run_cycle(worker_id="next", batch=5000)  # measured: 22 escalations (SCH-4), one summary for the deputy head
    summaries = deputy.notifications.filter(kind=SUMMARY_KIND)
    assert summaries.count() <= 1
    assert not deputy.notifications.filter(kind=ESCALATION_KIND).exists()
    to_deputy = [m.subject for m in mail.outbox if m.to == [deputy.email]]
    assert not [s for s in to_deputy if s.startswith("Escalated")]
    assert len([s for s in to_deputy if s.startswith("Your daily summary")]) <= 1
