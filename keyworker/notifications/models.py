"""What someone is told (Notification), each attempt to send it (Delivery), and leases for background work.

This app knows no domain: a notification carries an organisation id, a recipient, words and a link.
"""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    # Empty for an e-mail that belongs to no organisation (a password reset): it goes to `to_email` only.
    organisation_id = models.BigIntegerField(db_index=True, null=True, blank=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  null=True, blank=True)
    to_email = models.CharField(max_length=254, blank=True, help_text="The address, when there is no recipient account")
    forget_body = models.BooleanField(default=False, help_text="The body holds a secret (a reset link): erased once sent")
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True, help_text="A path inside the site, e.g. /families/12/")
    # The caller's name for "this event": sending twice with the same key tells the person once.
    dedupe_key = models.CharField(max_length=120)
    digest = models.BooleanField(default=False, help_text="Goes in the daily digest instead of at once")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True, help_text="When it went out in a daily digest")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_unique_dedupe_per_recipient"),
        ]
        indexes = [
            # Serves the inbox list and the unread count in the navigation.
            models.Index(fields=["recipient", "organisation_id", "read_at"], name="notification_inbox_idx"),
            models.Index(fields=["digest", "digested_at", "read_at"], name="notification_digest_idx"),
            # Serves "was this already told" lookups by dedupe key within an organisation.
            models.Index(fields=["organisation_id", "dedupe_key"], name="notification_org_dedupe_idx"),
        ]

    def __str__(self) -> str:
        return self.subject


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, tried again"
    # No more tries: the mail server refused it for good, or it kept failing for three days.
    UNDELIVERABLE = "undeliverable", "Not delivered"


class Delivery(models.Model):
    """One attempt to send a notification by e-mail. A failed attempt schedules the next as a new row."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=20, default="email")
    status = models.CharField(max_length=15, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=1, help_text="Which attempt this row is (1 = the first)")
    first_attempt_at = models.DateTimeField(null=True, blank=True, help_text="When the first attempt of this series was due")
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "deliveries"
        indexes = [
            # Serves the worker's "what is due now" and "which claims went stale".
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["status", "claimed_at"], name="delivery_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.notification} – attempt {self.attempts}: {self.status}"


class Lease(models.Model):
    """A named piece of background work one worker holds until it expires (claimed with compare-and-set)."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=100, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder or 'nobody'} until {self.expires_at}"


class EscalationChoice(models.TextChoices):
    DAILY = "daily", "A daily summary"
    AT_ONCE = "at_once", "Each one as it happens"


class NotificationPreference(models.Model):
    """How a person wants to hear of things; no row means the defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference")
    escalations = models.CharField(
        max_length=10, choices=EscalationChoice.choices, default=EscalationChoice.DAILY,
        help_text="Escalations: one summary a day in the digest, or a notification (and e-mail) for each one at once",
    )
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user}: escalations {self.get_escalations_display().lower()}"


class Told(models.Model):
    """Something an organisation's people have been told about, by the caller's key (e.g. "obligation:12:escalated"),
    whether each person heard of it at once or in a summary: it is told once, whoever the recipients were."""

    organisation_id = models.BigIntegerField()
    key = models.CharField(max_length=120)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation_id", "key"], name="told_unique_key_per_organisation")]

    def __str__(self) -> str:
        return f"{self.key} told at {self.at}"
