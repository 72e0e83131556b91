"""A few e-mails of the demo school that did not go out, so the admin office sees Setup → "E-mails that did not go
out" with a reason and "try again": one refused for good, one given up after three days, one waiting to retry."""

import datetime as dt

from keyworker.accounts.models import StaffMember
from keyworker.core import clock
from keyworker.notifications.models import Delivery, DeliveryStatus, Notification
from keyworker.notifications.services import GIVE_UP_AFTER, retry_delay
from keyworker.organisations.models import Organisation


def demo_history(*, organisation: Organisation) -> None:
    now = clock.now()
    staff = list(StaffMember.objects.filter(organisation=organisation, is_active=True).select_related("user").order_by("id")[:40])
    if len(staff) < 3:
        return
    examples = [
        (staff[-1], "Contact due this week: the families of your caseload", DeliveryStatus.UNDELIVERABLE, 1,
         "SMTPRecipientsRefused: 550 5.1.1 The e-mail account that you tried to reach does not exist", dt.timedelta(hours=5)),
        (staff[-2], "Escalated: half-termly data check overdue", DeliveryStatus.UNDELIVERABLE, 13,
         "TimeoutError: timed out", GIVE_UP_AFTER + dt.timedelta(hours=4)),
        (staff[-3], "Key aspects changed: please read and acknowledge", DeliveryStatus.PENDING, 4,
         "SMTPDataError: 451 4.3.0 Mail server temporarily rejected message", dt.timedelta(minutes=40)),
    ]
    for i, (member, subject, status, attempts, error, age) in enumerate(examples):
        first = now - age
        notification = Notification.objects.create(
            organisation_id=organisation.pk, recipient=member.user, kind="demo", subject=subject, body=subject,
            link="/", dedupe_key=f"demo:email:{i}", created_at=first, read_at=first,
        )
        at = first
        for attempt in range(1, attempts):
            Delivery.objects.create(notification=notification, attempts=attempt, status=DeliveryStatus.FAILED,
                                    last_error=error, next_attempt_at=at, first_attempt_at=first, created_at=at,
                                    claimed_by="demo-worker", claimed_at=at)
            at = min(at + retry_delay(attempt), now)
        Delivery.objects.create(
            notification=notification, attempts=attempts, status=status,
            last_error=error if status == DeliveryStatus.UNDELIVERABLE else "",
            next_attempt_at=now + dt.timedelta(minutes=20) if status == DeliveryStatus.PENDING else at,
            first_attempt_at=first, created_at=at,
        )
