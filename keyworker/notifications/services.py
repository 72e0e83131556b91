"""Writing notifications, sending their e-mails with retries, daily digests, and leases for background work."""

import datetime as dt
import logging
import os
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Delivery, DeliveryStatus, Lease, Notification

log = logging.getLogger(__name__)

DIGEST_KIND = "digest"
# Waits before the 2nd, 3rd, 4th and 5th attempts; after the 5th fails, the notification is marked failed.
RETRY_DELAYS = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=15), dt.timedelta(minutes=60))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A claim this old belongs to a worker that stopped mid-send; its delivery is taken back.
STALE_CLAIM = dt.timedelta(minutes=10)


def _base_url() -> str:
    return getattr(settings, "KEYWORKER_BASE_URL", os.environ.get("KEYWORKER_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


def digest_hour() -> int:
    return int(getattr(settings, "KEYWORKER_DIGEST_HOUR", os.environ.get("KEYWORKER_DIGEST_HOUR", "7")))


def digest_time_zone() -> str:
    return getattr(settings, "KEYWORKER_DIGEST_TIME_ZONE", os.environ.get("KEYWORKER_DIGEST_TIME_ZONE", "Europe/London"))


@transaction.atomic
def notification_send(
    *, recipient, organisation_id: int, kind: str, subject: str, body: str, link: str, dedupe_key: str,
    digest: bool = False, now: dt.datetime | None = None,
) -> tuple[Notification, bool]:
    """Write a notification (and its first delivery, unless it waits for the digest) in the caller's transaction.

    The worker sends it after the caller commits, so nothing is lost if the mail server is away. The same
    dedupe key for the same recipient returns the existing notification and tells them nothing new.
    """
    if link and not link.startswith("/"):
        raise ValueError("A notification links to a path inside the site, starting with /.")
    now = now or timezone.now()
    existing = Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing, False
    try:
        # A savepoint, so a concurrent writer of the same key does not break the caller's transaction.
        with transaction.atomic():
            notification = Notification.objects.create(
                organisation_id=organisation_id, recipient=recipient, kind=kind, subject=subject[:200], body=body,
                link=link, dedupe_key=dedupe_key, digest=digest, created_at=now,
            )
    except IntegrityError:
        return Notification.objects.get(recipient=recipient, dedupe_key=dedupe_key), False
    if not digest:
        Delivery.objects.create(notification=notification, next_attempt_at=now, created_at=now)
    return notification, True


@transaction.atomic
def notifications_mark_read(*, user, organisation_id: int | None, now: dt.datetime | None = None,
                            notification_id: int | None = None) -> int:
    """Mark one or all of a person's unread notifications as read; returns how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=now or timezone.now())


@dataclass
class DeliveryRun:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    taken_back: int = 0


def _message(notification: Notification) -> EmailMessage:
    body = notification.body
    if notification.link:
        body = f"{body}\n\n{_base_url()}{notification.link}"
    return EmailMessage(subject=notification.subject, body=body, to=[notification.recipient.email])


def _fail(delivery: Delivery, *, worker_id: str, now: dt.datetime, error: str, permanent: bool = False) -> bool:
    """Close this attempt as failed and, unless it was the last, schedule the next; True if one was scheduled."""
    with transaction.atomic():
        changed = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_by=worker_id).update(
            status=DeliveryStatus.FAILED, last_error=error[:500],
        )
        if changed != 1 or permanent or delivery.attempts >= MAX_ATTEMPTS:
            return False
        Delivery.objects.create(
            notification_id=delivery.notification_id, channel=delivery.channel, attempts=delivery.attempts + 1,
            next_attempt_at=now + RETRY_DELAYS[delivery.attempts - 1], created_at=now,
        )
        return True


def _take_back_stale(*, now: dt.datetime, worker_id: str, result: DeliveryRun) -> None:
    stale = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)
    for d in stale.only("pk", "notification_id", "channel", "attempts", "claimed_by", "claimed_at"):
        with transaction.atomic():
            # Compare-and-set on the old claim: of several workers noticing it, one takes it back.
            changed = Delivery.objects.filter(pk=d.pk, status=DeliveryStatus.SENDING, claimed_by=d.claimed_by,
                                              claimed_at=d.claimed_at).update(
                status=DeliveryStatus.FAILED, last_error=f"Abandoned: {d.claimed_by} stopped while sending; taken back by {worker_id}",
            )
            if changed == 1:
                # The crashed attempt may or may not have gone out; trying once more now beats losing it.
                Delivery.objects.create(notification_id=d.notification_id, channel=d.channel, attempts=d.attempts + 1,
                                        next_attempt_at=now, created_at=now)
                result.taken_back += 1


def deliveries_run(*, now: dt.datetime, worker_id: str, limit: int = 100) -> DeliveryRun:
    """Claim due deliveries one by one with compare-and-set and send them; failures retry with backoff.

    Not atomic as a whole: each claim commits before its e-mail is sent, so two workers never send the same
    delivery, and a crash leaves a claim that goes stale and is taken back.
    """
    result = DeliveryRun()
    _take_back_stale(now=now, worker_id=worker_id, result=result)
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        claimed = Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, claimed_by=worker_id, claimed_at=now,
        )
        if claimed != 1:
            continue  # another worker has it
        delivery = Delivery.objects.select_related("notification__recipient").get(pk=pk)
        recipient = delivery.notification.recipient
        if not recipient.email or not recipient.is_active:
            _fail(delivery, worker_id=worker_id, now=now, error="The recipient has no active e-mail address.", permanent=True)
            result.failed += 1
            continue
        try:
            _message(delivery.notification).send(fail_silently=False)
        except Exception as exc:  # any transport error: the attempt is recorded and retried
            log.warning("Delivery %s attempt %s failed: %s", pk, delivery.attempts, exc)
            if _fail(delivery, worker_id=worker_id, now=now, error=f"{type(exc).__name__}: {exc}"):
                result.retried += 1
            else:
                result.failed += 1
            continue
        Delivery.objects.filter(pk=pk, status=DeliveryStatus.SENDING, claimed_by=worker_id).update(
            status=DeliveryStatus.SENT, sent_at=now,
        )
        result.sent += 1
    return result


def _digest_body(items: list[Notification]) -> str:
    lines = [f"You have {len(items)} unread notification{'s' if len(items) != 1 else ''}:", ""]
    for n in items:
        lines.append(f"- {n.subject}")
        if n.body:
            lines.append(f"  {n.body}")
        if n.link:
            lines.append(f"  {_base_url()}{n.link}")
    lines += ["", f"Your inbox: {_base_url()}/inbox/"]
    return "\n".join(lines)


def digests_run(*, now: dt.datetime) -> int:
    """Once a day per person, after the digest hour, one e-mail listing their unread digest notifications.

    The digest is itself a notification with a delivery, so it is retried like any other; its dedupe key holds
    the day, so two workers (or two runs) never send a person two digests on one day.
    """
    local = now.astimezone(zoneinfo.ZoneInfo(digest_time_zone()))
    if local.hour < digest_hour():
        return 0
    key = f"{DIGEST_KIND}:{local.date().isoformat()}"
    waiting = Notification.objects.filter(digest=True, digested_at__isnull=True, read_at__isnull=True, created_at__lte=now)
    recipient_ids = set(waiting.values_list("recipient_id", flat=True).distinct())
    done_today = set(
        Notification.objects.filter(recipient_id__in=recipient_ids, dedupe_key=key).values_list("recipient_id", flat=True)
    )
    users = get_user_model().objects.in_bulk(recipient_ids - done_today)
    count = 0
    for user_id, user in users.items():
        with transaction.atomic():
            items = list(waiting.filter(recipient_id=user_id).select_for_update().order_by("created_at", "id"))
            if not items:
                continue
            digest, created = notification_send(
                recipient=user, organisation_id=items[0].organisation_id, kind=DIGEST_KIND,
                subject=f"Your daily summary: {len(items)} unread notification{'s' if len(items) != 1 else ''}",
                body=_digest_body(items), link="/inbox/", dedupe_key=key, now=now,
            )
            if not created:
                continue
            # The digest itself is not news in the inbox: it repeats what is there.
            Notification.objects.filter(pk=digest.pk).update(read_at=now)
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(digested_at=now)
            count += 1
    return count


def lease_claim(*, name: str, holder: str, now: dt.datetime, ttl: dt.timedelta) -> bool:
    """Take the named lease if it is free or expired (or already ours); True if this holder now has it."""
    Lease.objects.get_or_create(name=name, defaults={"holder": "", "expires_at": now - dt.timedelta(seconds=1)})
    changed = Lease.objects.filter(Q(expires_at__lte=now) | Q(holder="") | Q(holder=holder), name=name).update(
        holder=holder, expires_at=now + ttl,
    )
    return changed == 1


def lease_release(*, name: str, holder: str, now: dt.datetime) -> None:
    Lease.objects.filter(name=name, holder=holder).update(holder="", expires_at=now)
