"""Writing notifications, sending their e-mails with retries, daily digests, and leases for background work."""

import datetime as dt
import logging
import os
import re
import smtplib
import time
import uuid
import zoneinfo
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from keyworker.core.audit import audit_record

from .models import (
    Delivery,
    DeliveryStatus,
    EscalationChoice,
    Lease,
    Notification,
    NotificationPreference,
    Told,
)

log = logging.getLogger(__name__)

DIGEST_KIND = "digest"
EMAIL_KIND = "email"
# Waits after a failed attempt (1st, 2nd, …); after the last, every RETRY_EVERY until GIVE_UP_AFTER has passed
# since the first attempt: a mail server away for a weekend still gets every e-mail on Monday.
RETRY_DELAYS = (
    dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=15), dt.timedelta(hours=1),
    dt.timedelta(hours=2), dt.timedelta(hours=4), dt.timedelta(hours=8),
)
RETRY_EVERY = dt.timedelta(hours=12)
GIVE_UP_AFTER = dt.timedelta(hours=72)
# Steps of one message that may each take up to the SMTP timeout (MAIL, RCPT, DATA, end of data, RSET and the
# reconnects Django's backend may do), with room to spare: a claim lasts longer than any send can.
SEND_STEPS = 10
CLAIM_MARGIN = dt.timedelta(seconds=60)
# Characters that must never reach a header: C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def email_timeout() -> float:
    """Seconds any one step with the mail server may take (KEYWORKER_EMAIL_TIMEOUT)."""
    return float(getattr(settings, "EMAIL_TIMEOUT", None) or 20)


def claim_lease() -> dt.timedelta:
    """How long a worker's claim on a delivery lasts; only an older claim is taken back (its worker stopped)."""
    return dt.timedelta(seconds=email_timeout() * SEND_STEPS) + CLAIM_MARGIN


def retry_delay(attempt: int) -> dt.timedelta:
    """The wait after attempt number `attempt` (1 = the first) failed for a reason that may pass."""
    return RETRY_DELAYS[attempt - 1] if attempt <= len(RETRY_DELAYS) else RETRY_EVERY


def header_safe(text: str) -> str:
    """One line for a header: runs of control characters become one space (a newline can start a new header)."""
    return _CONTROL.sub(" ", text or "").strip()


def _base_url() -> str:
    return getattr(settings, "KEYWORKER_BASE_URL", os.environ.get("KEYWORKER_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


def absolute_url(path: str) -> str:
    """A path inside the site as a whole address, for links written into an e-mail's text."""
    return f"{_base_url()}{path}"


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
        Delivery.objects.create(notification=notification, next_attempt_at=now, first_attempt_at=now, created_at=now)
    return notification, True


@dataclass(frozen=True)
class Draft:
    """One notification to write with notifications_send (the arguments of notification_send, by recipient id)."""

    recipient_id: int
    kind: str
    subject: str
    body: str
    link: str
    dedupe_key: str
    digest: bool = False


@transaction.atomic
def notifications_send(*, organisation_id: int, drafts: list[Draft], now: dt.datetime) -> int:
    """Write many notifications (and the deliveries of those not waiting for the digest) in a fixed number of
    queries, whatever their number; a (recipient, dedupe key) already told is skipped. Returns how many were new."""
    for d in drafts:
        if d.link and not d.link.startswith("/"):
            raise ValueError("A notification links to a path inside the site, starting with /.")
    if not drafts:
        return 0
    existing = set(Notification.objects.filter(
        recipient_id__in={d.recipient_id for d in drafts}, dedupe_key__in={d.dedupe_key for d in drafts},
    ).values_list("recipient_id", "dedupe_key"))
    seen, new = set(existing), []
    for d in drafts:
        if (d.recipient_id, d.dedupe_key) in seen:
            continue
        seen.add((d.recipient_id, d.dedupe_key))
        new.append(d)
    rows = [Notification(organisation_id=organisation_id, recipient_id=d.recipient_id, kind=d.kind, subject=d.subject[:200],
                         body=d.body, link=d.link, dedupe_key=d.dedupe_key, digest=d.digest, created_at=now) for d in new]
    try:
        with transaction.atomic():
            Notification.objects.bulk_create(rows, batch_size=1000)
    except IntegrityError:
        # Another writer told some of them meanwhile: one by one, each skipping what is already there.
        recipients = get_user_model().objects.in_bulk({d.recipient_id for d in new})
        return sum(notification_send(recipient=recipients[d.recipient_id], organisation_id=organisation_id, kind=d.kind,
                                     subject=d.subject, body=d.body, link=d.link, dedupe_key=d.dedupe_key,
                                     digest=d.digest, now=now)[1] for d in new)
    if any(r.pk is None for r in rows):  # a database that does not return ids from a bulk insert
        ids = {(r, k): i for r, k, i in Notification.objects.filter(
            recipient_id__in={d.recipient_id for d in new}, dedupe_key__in={d.dedupe_key for d in new},
        ).values_list("recipient_id", "dedupe_key", "id")}
        for r in rows:
            r.pk = ids[(r.recipient_id, r.dedupe_key)]
    Delivery.objects.bulk_create([
        Delivery(notification_id=r.pk, next_attempt_at=now, first_attempt_at=now, created_at=now) for r in rows if not r.digest
    ], batch_size=1000)
    return len(rows)


@transaction.atomic
def email_queue(*, to: str, subject: str, body: str, kind: str = EMAIL_KIND, forget_body: bool = False,
                now: dt.datetime | None = None) -> Notification:
    """Put an e-mail that belongs to no organisation (a password reset) in the outbox; the worker sends it.

    It is retried like any other and never shown in an inbox. `forget_body` erases the body once it is sent
    or given up, for bodies that hold a secret such as a reset link.
    """
    now = now or timezone.now()
    notification = Notification.objects.create(
        organisation_id=None, recipient=None, to_email=to.strip(), kind=kind, subject=subject[:200], body=body,
        dedupe_key=f"{kind}:{uuid.uuid4().hex}", forget_body=forget_body, created_at=now,
    )
    Delivery.objects.create(notification=notification, next_attempt_at=now, first_attempt_at=now, created_at=now)
    return notification


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
    failed: int = 0  # no more tries: refused for good, or three days of failures
    taken_back: int = 0
    stopped: str = ""  # why this run stopped early: the mail server is away or hung


def _address(notification: Notification) -> str:
    return notification.recipient.email if notification.recipient_id else notification.to_email


def message_id(notification: Notification) -> str:
    """The same Message-ID on every attempt: a copy that went out twice (a worker that stopped after the server
    took it, or a server that took it and then did not answer in time) is recognisable as the same e-mail, by
    the recipient's mail program and by anyone counting."""
    host = urlsplit(_base_url()).hostname or "keyworker.invalid"
    return f"<notification.{notification.pk}.{notification.created_at:%Y%m%d%H%M%S}@{host}>"


def _message(notification: Notification, connection=None) -> EmailMessage:
    body = notification.body
    if notification.link:
        body = f"{body}\n\n{_base_url()}{notification.link}"
    # Subjects carry names typed by people; a newline in one must not end the header (BadHeaderError for ever).
    return EmailMessage(
        subject=header_safe(notification.subject), body=body, from_email=header_safe(settings.DEFAULT_FROM_EMAIL),
        to=[_address(notification)], headers={"Message-ID": message_id(notification)}, connection=connection,
    )


def _classify(exc: BaseException) -> tuple[bool, bool]:
    """(permanent, server_away) for an error while sending one message.

    Permanent: the server refused this message for good (5xx), or it cannot be written (bad header, invalid
    address): trying again would fail the same way. Server away: timeouts, refused or reset connections, a
    server closing (421), our own log-in refused: nothing more can go out in this run, and it is tried later.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes), False
    if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPConnectError | smtplib.SMTPHeloError):
        return False, True  # the server or our account, not this message: the administrator fixes it, mail waits
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600, exc.smtp_code == 421
    if isinstance(exc, ValueError | UnicodeError | ValidationError):  # BadHeaderError is a ValueError
        return True, False
    return False, True


def _forget_body(notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id, forget_body=True).update(body="")


def _close_attempt(delivery: Delivery, *, worker_id: str, now: dt.datetime, error: str, permanent: bool,
                   from_status: str = DeliveryStatus.SENDING) -> bool | None:
    """Close this attempt as failed and schedule the next, or give up (permanent, or three days of failures).

    True if another attempt was scheduled, False if given up, None if the claim was no longer this worker's.
    """
    first = delivery.first_attempt_at or delivery.created_at
    give_up = permanent or now - first >= GIVE_UP_AFTER
    with transaction.atomic():
        rows = Delivery.objects.filter(pk=delivery.pk, status=from_status)
        if from_status == DeliveryStatus.SENDING:
            rows = rows.filter(claimed_by=worker_id)
        changed = rows.update(
            status=DeliveryStatus.UNDELIVERABLE if give_up else DeliveryStatus.FAILED, last_error=error[:500],
            claimed_by=worker_id, claimed_at=delivery.claimed_at or now,
        )
        if changed != 1:
            return None
        if give_up:
            _forget_body(delivery.notification_id)
            return False
        Delivery.objects.create(
            notification_id=delivery.notification_id, channel=delivery.channel, attempts=delivery.attempts + 1,
            next_attempt_at=now + retry_delay(delivery.attempts), first_attempt_at=first, created_at=now,
        )
        return True


def _take_back_stale(*, now: dt.datetime, worker_id: str, result: DeliveryRun) -> None:
    # Only a claim older than the lease: its worker could no longer be sending (every step has the timeout).
    stale = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - claim_lease())
    for d in stale.only("pk", "notification_id", "channel", "attempts", "claimed_by", "claimed_at",
                        "first_attempt_at", "created_at"):
        with transaction.atomic():
            # Compare-and-set on the old claim: of several workers noticing it, one takes it back.
            changed = Delivery.objects.filter(pk=d.pk, status=DeliveryStatus.SENDING, claimed_by=d.claimed_by,
                                              claimed_at=d.claimed_at).update(
                status=DeliveryStatus.FAILED, last_error=f"Abandoned: {d.claimed_by} stopped while sending; taken back by {worker_id}",
            )
            if changed == 1:
                # The crashed attempt may or may not have gone out; trying once more now beats losing it (the
                # Message-ID is the same, so a second copy is recognisable).
                Delivery.objects.create(notification_id=d.notification_id, channel=d.channel, attempts=d.attempts + 1,
                                        next_attempt_at=now, first_attempt_at=d.first_attempt_at or d.created_at,
                                        created_at=now)
                result.taken_back += 1


def _drop(connection) -> None:
    """Close a connection to a server that failed, without the QUIT a hung server would not answer."""
    smtp = getattr(connection, "connection", None)
    if smtp is not None:
        try:
            smtp.close()
        except OSError:
            pass
        connection.connection = None
        return
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - closing a broken connection may fail in any way; it is gone either way
        log.debug("Closing the mail connection failed", exc_info=True)


def _count(result: DeliveryRun, outcome: bool | None) -> None:
    if outcome is True:
        result.retried += 1
    elif outcome is False:
        result.failed += 1


def deliveries_run(*, now: dt.datetime, worker_id: str, limit: int = 100) -> DeliveryRun:
    """Claim due deliveries one by one with compare-and-set and send them over one connection.

    Each claim commits just before its e-mail is sent and is stamped with the time it was really taken (`now`
    plus the time this run has spent), so two workers never send the same delivery and a claim is taken back
    only once its lease is over. Every step with the server has the SMTP timeout; the first sign that the
    server is away or hung ends the run, so a hung server costs a worker one timeout, not one per e-mail.
    """
    result = DeliveryRun()
    started = time.monotonic()

    def current() -> dt.datetime:
        return now + dt.timedelta(seconds=time.monotonic() - started)

    _take_back_stale(now=now, worker_id=worker_id, result=result)
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit]
    )
    if not due:
        return result
    connection = get_connection(fail_silently=False, timeout=email_timeout())
    try:
        connection.open()
    except Exception as exc:  # noqa: BLE001 - any reason the server cannot be reached: nothing was sent
        # Nothing was claimed or sent: each due e-mail records the attempt and waits its turn to try again.
        result.stopped = f"{type(exc).__name__}: {exc}"
        log.warning("Worker %s: the mail server could not be reached: %s", worker_id, result.stopped)
        for d in Delivery.objects.filter(pk__in=due, status=DeliveryStatus.PENDING):
            _count(result, _close_attempt(d, worker_id=worker_id, now=now, error=result.stopped,
                                          permanent=False, from_status=DeliveryStatus.PENDING))
        _drop(connection)
        return result
    try:
        for pk in due:
            claimed = Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.SENDING, claimed_by=worker_id, claimed_at=current(),
            )
            if claimed != 1:
                continue  # another worker has it
            delivery = Delivery.objects.select_related("notification__recipient").get(pk=pk)
            notification = delivery.notification
            address = _address(notification)
            if not address or (notification.recipient_id and not notification.recipient.is_active):
                _count(result, _close_attempt(delivery, worker_id=worker_id, now=now, permanent=True,
                                              error="The recipient has no active e-mail address."))
                continue
            try:
                validate_email(address)
                if connection.send_messages([_message(notification, connection)]) != 1:
                    raise smtplib.SMTPException("The mail server did not take the message.")
            except Exception as exc:  # noqa: BLE001 - every failure is recorded: permanent, retried or server away
                permanent, server_away = _classify(exc)
                error = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                log.warning("Delivery %s attempt %s failed (%s): %s", pk, delivery.attempts,
                            "permanent" if permanent else "will retry", error)
                _count(result, _close_attempt(delivery, worker_id=worker_id, now=now, permanent=permanent,
                                              error=f"{type(exc).__name__}: {error}"))
                if server_away:
                    result.stopped = f"{type(exc).__name__}: {error}"
                    _drop(connection)
                    return result
                continue
            marked = Delivery.objects.filter(pk=pk, status=DeliveryStatus.SENDING, claimed_by=worker_id).update(
                status=DeliveryStatus.SENT, sent_at=current(),
            )
            if marked != 1:
                log.error("Delivery %s was sent by %s after its claim was taken back", pk, worker_id)
            if notification.forget_body:
                _forget_body(notification.pk)
            result.sent += 1
    finally:
        if getattr(connection, "connection", True) is not None:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - the messages are sent; a failed goodbye changes nothing
                _drop(connection)
    return result


class NotDeliverable(Exception):
    """This e-mail cannot be sent again (its secret body was erased): the person asks for a new one."""


@transaction.atomic
def delivery_retry(*, by, organisation_id: int | None, delivery_id: int, now: dt.datetime | None = None) -> Delivery:
    """Send a not-delivered e-mail again (after fixing the address, or once the mail server is fixed).

    A new series of attempts starts now, with the whole retry schedule. Another organisation's delivery, or
    one that is not "not delivered", does not exist here (Delivery.DoesNotExist).
    """
    now = now or timezone.now()
    delivery = (
        Delivery.objects.select_related("notification")
        .filter(pk=delivery_id, notification__organisation_id=organisation_id, status=DeliveryStatus.UNDELIVERABLE)
        .first()
    )
    if delivery is None:
        raise Delivery.DoesNotExist
    if delivery.notification.forget_body and not delivery.notification.body:
        raise NotDeliverable("This e-mail held a one-time link that is no longer kept: ask for a new one.")
    # Compare-and-set: two people pressing "try again" at once start one new series.
    if Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.UNDELIVERABLE).update(status=DeliveryStatus.FAILED) != 1:
        raise Delivery.DoesNotExist
    retry = Delivery.objects.create(
        notification_id=delivery.notification_id, channel=delivery.channel, attempts=delivery.attempts + 1,
        next_attempt_at=now, first_attempt_at=now, created_at=now,
    )
    if organisation_id is not None:
        audit_record(
            organisation_id=organisation_id, actor=by, event_type="email.retried", obj=retry,
            summary=f"Asked to send an e-mail again: {header_safe(delivery.notification.subject)}",
            data={"notification_id": delivery.notification_id, "last_error": delivery.last_error},
        )
    return retry


# A carer's account reads its notifications on the carers' pages, not in the staff inbox.
CARER_HOME = "/family/"


def _home_of(user) -> str:
    return CARER_HOME if getattr(user, "is_carer", False) else "/inbox/"


def _digest_body(items: list[Notification], home: str = "/inbox/") -> str:
    lines = [f"You have {len(items)} unread notification{'s' if len(items) != 1 else ''}:", ""]
    for n in items:
        lines.append(f"- {n.subject}")
        if n.body:
            lines.append(f"  {n.body}")
        if n.link:
            lines.append(f"  {_base_url()}{n.link}")
    lines += ["", f"Your family's page: {_base_url()}{home}" if home == CARER_HOME else f"Your inbox: {_base_url()}{home}"]
    return "\n".join(lines)


def _can_sign_in(user) -> bool:
    """Someone who has chosen a password, or has signed in, or a carer (who signs in by an e-mailed link and never
    has a password): a digest's links would lead them somewhere."""
    return user.is_active and (
        user.has_usable_password() or user.last_login is not None or getattr(user, "is_carer", False)
    )


def digests_run(*, now: dt.datetime) -> int:
    """Once a day per person, after the digest hour, one e-mail listing their unread digest notifications.

    The digest is itself a notification with a delivery, so it is retried like any other; its dedupe key holds
    the day, so two workers (or two runs) never send a person two digests on one day. Nobody is sent one before
    they can sign in (staff imported with their sign-in e-mail held, or who have not chosen a password yet).
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
        if not _can_sign_in(user):
            continue  # not invited yet (no password chosen): their notifications wait for them in the inbox

        with transaction.atomic():
            items = list(waiting.filter(recipient_id=user_id).select_for_update().order_by("created_at", "id"))
            if not items:
                continue
            digest, created = notification_send(
                recipient=user, organisation_id=items[0].organisation_id, kind=DIGEST_KIND,
                subject=f"Your daily summary: {len(items)} unread notification{'s' if len(items) != 1 else ''}",
                body=_digest_body(items, _home_of(user)), link=_home_of(user), dedupe_key=key, now=now,
            )
            if not created:
                continue
            # The digest itself is not news in the inbox: it repeats what is there.
            Notification.objects.filter(pk=digest.pk).update(read_at=now)
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(digested_at=now)
            count += 1
    return count


def escalation_preference_save(*, user, escalations: str, now: dt.datetime | None = None) -> NotificationPreference:
    """How the person hears of escalations: a daily summary (the default) or each one as it happens."""
    if escalations not in EscalationChoice.values:
        raise ValidationError({"escalations": "Choose a daily summary or each one as it happens."})
    pref, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"escalations": escalations, "updated_at": now or timezone.now()},
    )
    return pref


def told_mark(*, organisation_id: int, keys: list[str], now: dt.datetime) -> None:
    """Record that these things were told (a repeated key is already recorded and stays as it was)."""
    Told.objects.bulk_create([Told(organisation_id=organisation_id, key=k, at=now) for k in keys],
                             batch_size=1000, ignore_conflicts=True)


def lease_claim(*, name: str, holder: str, now: dt.datetime, ttl: dt.timedelta) -> bool:
    """Take the named lease if it is free or expired (or already ours); True if this holder now has it."""
    Lease.objects.get_or_create(name=name, defaults={"holder": "", "expires_at": now - dt.timedelta(seconds=1)})
    changed = Lease.objects.filter(Q(expires_at__lte=now) | Q(holder="") | Q(holder=holder), name=name).update(
        holder=holder, expires_at=now + ttl,
    )
    return changed == 1


def lease_release(*, name: str, holder: str, now: dt.datetime) -> None:
    Lease.objects.filter(name=name, holder=holder).update(holder="", expires_at=now)
