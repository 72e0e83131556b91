"""Policy review reminders (CC-D1): 30 and 7 days before the review date, on the day, then weekly while overdue."""

import datetime as dt

from django.db import transaction

from keyworker.accounts.capabilities import MANAGE_SETUP
from keyworker.accounts.models import StaffMember
from keyworker.accounts.selectors import role_holders, staff_holding
from keyworker.core import clock
from keyworker.notifications.services import notification_send

from .evidence_pack import long_date
from .models import PolicyVersion

REVIEW_KIND = "policy_review_due"
FIRST_NOTICE_DAYS = 30


def review_step(review_on: dt.date, today: dt.date) -> str | None:
    """The latest reminder step reached by today, or None while the review is more than 30 days away.

    A step missed (the worker was stopped that day) is sent on the next run, and only the latest one.
    """
    days = (review_on - today).days
    if days > FIRST_NOTICE_DAYS:
        return None
    if days > 7:
        return "30-days"
    if days > 0:
        return "7-days"
    if days > -7:
        return "due"
    return f"overdue-week-{(-days) // 7}"


def review_key(version_id: int, step: str) -> str:
    return f"policy-version:{version_id}:review:{step}"


def _when(review_on: dt.date, today: dt.date) -> str:
    days = (review_on - today).days
    if days == 0:
        return "today"
    if days > 0:
        return f"in {days} day{'s' if days != 1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} ago"


def _managers(organisation_id: int) -> list[StaffMember]:
    """Active holders of a role with the set-up capability: told when a policy names nobody responsible."""
    return staff_holding(role_holders(organisation_id, capability=MANAGE_SETUP, active_users=True))


@transaction.atomic
def policy_review_reminders(*, organisation_id: int, today: dt.date, now: dt.datetime | None = None) -> int:
    """Remind those responsible for each policy whose current version is due for review; returns notifications written.

    Each step is sent once per version: the notification's dedupe key holds the version and the step, so a
    repeated or concurrent run tells nobody twice, and a new version starts afresh.
    """
    now = now or clock.now()
    latest: dict[int, PolicyVersion] = {}
    for v in (PolicyVersion.objects.filter(organisation_id=organisation_id).select_related("policy")
              .prefetch_related("policy__responsible_staff__user").order_by("policy_id", "-number")):
        latest.setdefault(v.policy_id, v)
    due = [(v, step) for v in latest.values() if (step := review_step(v.review_on, today)) is not None]
    if not due:
        return 0
    managers: list[StaffMember] | None = None
    written = 0
    for version, step in due:
        policy = version.policy
        recipients = [s for s in policy.responsible_staff.all() if s.is_active and s.user.is_active]
        if not recipients:
            if managers is None:
                managers = _managers(organisation_id)
            recipients = managers
        when = _when(version.review_on, today)
        overdue = version.review_on < today
        body = (
            f"Version {version.number} of “{policy.title}” {'was' if overdue else 'is'} due for review on "
            f"{long_date(version.review_on)} ({when}). Review it and issue a new version with the next review date."
            f"\nResponsible officer: {policy.responsible_officer or 'not recorded'}."
        )
        for staff in sorted(recipients, key=lambda s: s.pk):
            _, created = notification_send(
                recipient=staff.user, organisation_id=organisation_id, kind=REVIEW_KIND,
                subject=f"Policy review due: {policy.title} on {long_date(version.review_on)}", body=body,
                link=f"/policies/{policy.pk}/", dedupe_key=review_key(version.pk, step), now=now,
            )
            written += created
    return written
