"""Records past retention, for the data protection officer: the worker's monthly notice, and what the page reads."""

import datetime as dt

from django.urls import reverse

from keyworker.accounts import capabilities as caps
from keyworker.accounts.selectors import role_holders
from keyworker.core.retention import retention_status
from keyworker.notifications.models import Notification
from keyworker.notifications.services import notification_send

KIND = "retention.past"


def retention_notify(*, organisation_id: int, as_of: dt.date, now: dt.datetime) -> int:
    """Once a month, tell the data protection officers how many records are past retention and wait for approval.
    The counts run only when this month's notice has not gone yet (one query otherwise)."""
    month = f"retention:{as_of:%Y-%m}"
    if Notification.objects.filter(organisation_id=organisation_id, kind=KIND, dedupe_key=month).exists():
        return 0
    past = [(s.kind.label, s.past) for s in retention_status(organisation_id, as_of) if s.past]
    if not past:
        return 0
    body = "Past their retention period, waiting for your approval before they are destroyed: " + "; ".join(
        f"{label}: {n}" for label, n in past) + "."
    told = 0
    for user in {r.staff.user for r in role_holders(organisation_id, capability=caps.AUDIT_EXPORT, active_users=True)}:
        _n, created = notification_send(recipient=user, organisation_id=organisation_id, kind=KIND,
                                        subject="Records past their retention period", body=body,
                                        link=reverse("week:retention"), dedupe_key=month, now=now)
        told += created
    return told
