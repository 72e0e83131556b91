"""Reads: a person's own notifications, in the organisation they are working in; the organisation's e-mails
that did not go out."""

from django.db.models import QuerySet

from .models import Delivery, DeliveryStatus, EscalationChoice, Notification, NotificationPreference
from .services import DIGEST_KIND


def inbox_for(user, organisation_id: int | None) -> QuerySet[Notification]:
    """The signed-in person's notifications only; the daily digest e-mails are not listed (they repeat the rest)."""
    qs = Notification.objects.filter(recipient=user).exclude(kind=DIGEST_KIND)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return qs


def unread_count(user, organisation_id: int | None) -> int:
    return inbox_for(user, organisation_id).filter(read_at__isnull=True).count()


def deliveries_not_delivered(organisation_id: int) -> QuerySet[Delivery]:
    """The organisation's e-mails given up on (refused for good, or three days of failures), newest first."""
    return (
        Delivery.objects.filter(notification__organisation_id=organisation_id, status=DeliveryStatus.UNDELIVERABLE)
        .select_related("notification__recipient").order_by("-created_at", "-id")
    )


def deliveries_retrying(organisation_id: int) -> QuerySet[Delivery]:
    """The organisation's e-mails that failed at least once and wait for their next try, soonest first."""
    return (
        Delivery.objects.filter(notification__organisation_id=organisation_id, attempts__gt=1,
                                status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING])
        .select_related("notification__recipient").order_by("next_attempt_at", "id")
    )


def last_failed_attempt(deliveries: list[Delivery]) -> dict[int, str]:
    """For retrying deliveries (whose own row has no error yet): the error of the attempt before, by delivery id."""
    previous = Delivery.objects.filter(
        notification_id__in=[d.notification_id for d in deliveries], status=DeliveryStatus.FAILED,
    ).order_by("notification_id", "-attempts").values_list("notification_id", "last_error")
    by_notification: dict[int, str] = {}
    for notification_id, error in previous:
        by_notification.setdefault(notification_id, error)
    return {d.pk: by_notification.get(d.notification_id, "") for d in deliveries}


def escalation_preference(user) -> str:
    """The person's choice for escalations (a daily summary unless they asked for each one at once)."""
    return NotificationPreference.objects.filter(user=user).values_list("escalations", flat=True).first() or EscalationChoice.DAILY


def escalations_at_once(user_ids) -> set[int]:
    """Of these people, those who asked to hear of each escalation as it happens (one query)."""
    return set(NotificationPreference.objects.filter(user_id__in=list(user_ids), escalations=EscalationChoice.AT_ONCE)
               .values_list("user_id", flat=True))


def worker_heartbeat(now) -> dict:
    """When a worker last let go of a piece of work (a lease), and how many pieces are held now: one query.

    A released lease keeps the moment it was released as its expiry; a held one names the worker holding it.
    """
    from django.db.models import Count, Max, Q

    from .models import Lease

    found = Lease.objects.aggregate(
        last=Max("expires_at", filter=Q(holder="")),
        held=Count("name", filter=~Q(holder="") & Q(expires_at__gt=now)),
    )
    last = found["last"]
    return {
        "last_finished_at": last.isoformat() if last else None,
        "seconds_ago": round((now - last).total_seconds()) if last else None,
        "held_now": found["held"],
    }
