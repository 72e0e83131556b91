"""Reminders to carers before appointments (SCH-6) and the private calendar feeds of staff and carers."""

from django.conf import settings
from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import Organisation, OrganisationOwned
from keyworker.people.models import Carer, ContactMethod, Family


class ReminderState(models.TextChoices):
    SENT = "sent", "Sent"
    TO_DO = "to_do", "To do by the key worker"
    DONE = "done", "Done by the key worker"


class AppointmentReminder(OrganisationOwned):
    """One reminder of one appointment to one carer: sent by e-mail and the portal, or a task for the key worker
    when the carer prefers a channel the product cannot send through (phone, messaging app, face to face, letter)."""

    appointment = models.ForeignKey("meetings.Appointment", on_delete=models.CASCADE, related_name="reminders")
    carer = models.ForeignKey(Carer, on_delete=models.CASCADE, related_name="appointment_reminders")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20, choices=ContactMethod.choices)
    state = models.CharField(max_length=8, choices=ReminderState.choices)
    due_on = models.DateField(help_text="The day the reminder is due (the policy's number of days before)")
    # Whose task it is: the family's key worker in the appointment's setting; with none, the member of staff who made
    # the appointment; empty when neither (then the setting's leaders see it on My week).
    key_worker = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True, help_text="When it was sent, or ticked off")
    done_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The run that wrote the row: of two runs at once, each tells only the rows it wrote.
    run = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["appointment_id", "id"]
        constraints = [models.UniqueConstraint(fields=["appointment", "carer"], name="reminder_once_per_appointment_and_carer")]
        indexes = [
            # My week's panel: a key worker's reminders still to do.
            models.Index(fields=["key_worker", "state"], name="reminder_key_worker_state_idx"),
            # The evidence fetch: an organisation's reminders done in a date range.
            models.Index(fields=["organisation", "done_at"], name="reminder_org_done_idx"),
        ]

    def __str__(self) -> str:
        return f"Reminder of {self.appointment_id} to {self.carer_id}"


class CalendarFeed(models.Model):
    """A private calendar address: a member of staff's (one per membership) or a carer's (one per account).

    The token is the secret in the address; making a new address revokes the old one, which then answers 404."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    # A member of staff's feed belongs to their membership of one organisation; a carer's to their account alone.
    staff = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feeds")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["staff"], condition=models.Q(revoked_at__isnull=True, staff__isnull=False),
                                    name="calendar_feed_one_live_per_staff"),
            models.UniqueConstraint(fields=["user"], condition=models.Q(revoked_at__isnull=True, staff__isnull=True),
                                    name="calendar_feed_one_live_per_carer"),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"
