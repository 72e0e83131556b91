"""Reads: a person's own notifications, in the organisation they are working in."""

from django.db.models import QuerySet

from .models import Notification
from .services import DIGEST_KIND


def inbox_for(user, organisation_id: int | None) -> QuerySet[Notification]:
    """The signed-in person's notifications only; the daily digest e-mails are not listed (they repeat the rest)."""
    qs = Notification.objects.filter(recipient=user).exclude(kind=DIGEST_KIND)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return qs


def unread_count(user, organisation_id: int | None) -> int:
    return inbox_for(user, organisation_id).filter(read_at__isnull=True).count()
