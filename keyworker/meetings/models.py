"""Appointments with families and who is invited to them.

Times are stored in UTC and shown in the setting's time zone. `sequence` rises by one on every change a
calendar should see (time, place, cancellation), and `uid` never changes: together they keep the .ics files
and calendar feeds (RFC 5545) in step.
"""

import uuid

from django.conf import settings
from django.db import models

from keyworker.organisations.models import OrganisationOwned, Setting
from keyworker.people.models import Carer, Child, Family


class AppointmentKind(models.TextChoices):
    ANNUAL_REVIEW = "annual_review", "EHCP annual review"
    REVIEW_MEETING = "review_meeting", "Review meeting"
    PARENTS_EVENING = "parents_evening", "Parents' evening"
    INDUCTION = "induction", "Induction or information session"
    MANAGER_INTRODUCTION = "manager_introduction", "Manager introduction"
    TRANSITION = "transition", "Transition meeting"
    OTHER = "other", "Other"


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Appointment(OrganisationOwned):
    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField(max_length=30, choices=AppointmentKind.choices)
    title = models.CharField(max_length=150)
    # The family the meeting is about (a review, an introduction); empty for a session open to many families.
    family = models.ForeignKey(Family, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments")
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    status = models.CharField(max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED)
    notes = models.TextField(blank=True, help_text="What was discussed and agreed (staff only)")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["organisation", "starts_at"]), models.Index(fields=["family", "starts_at"])]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after_start")]

    def __str__(self) -> str:
        return self.title


class InviteeKind(models.TextChoices):
    CARER = "carer", "Carer"
    STAFF = "staff", "Member of staff"
    PROFESSIONAL = "professional", "Outside professional"


class InviteeRole(models.TextChoices):
    FAMILY = "family", "Family"
    KEY_WORKER = "key_worker", "Key worker"
    CLASS_TEACHER = "class_teacher", "Class teacher"
    MANAGER = "manager", "Manager"
    SENCO = "senco", "SENCo"
    PROFESSIONAL = "professional", "Outside professional"
    OTHER = "other", "Other"


class Rsvp(models.TextChoices):
    AWAITING = "awaiting", "Not answered yet"
    YES = "yes", "Coming"
    NO = "no", "Not coming"
    MAYBE = "maybe", "Maybe"


class Invitee(OrganisationOwned):
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="invitees")
    kind = models.CharField(max_length=12, choices=InviteeKind.choices)
    role = models.CharField(max_length=20, choices=InviteeRole.choices, default=InviteeRole.OTHER)
    carer = models.ForeignKey(Carer, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations_to_meetings")
    staff = models.ForeignKey("accounts.StaffMember", null=True, blank=True, on_delete=models.CASCADE, related_name="meeting_invitations")
    # An outside professional (named, with an address) or a copy of the person's name when invited.
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    organisation_name = models.CharField("their organisation", max_length=150, blank=True)
    rsvp = models.CharField(max_length=10, choices=Rsvp.choices, default=Rsvp.AWAITING)
    rsvp_at = models.DateTimeField(null=True, blank=True)
    rsvp_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attended = models.BooleanField(null=True, blank=True, help_text="Recorded after the meeting; empty until then")

    class Meta:
        ordering = ["appointment_id", "kind", "id"]
        indexes = [models.Index(fields=["carer", "appointment"]), models.Index(fields=["staff", "appointment"])]
        constraints = [
            models.UniqueConstraint(fields=["appointment", "carer"], condition=models.Q(carer__isnull=False), name="invitee_carer_once"),
            models.UniqueConstraint(fields=["appointment", "staff"], condition=models.Q(staff__isnull=False), name="invitee_staff_once"),
        ]

    def __str__(self) -> str:
        return self.name or str(self.carer or self.staff)


# Reminders and calendar feeds live in their own module; imported here so that Django finds them.
# Parents' evenings and their slots (their own module; imported here so Django finds the models).
from .evenings_models import EveningSlot, EveningStatus, ParentsEvening  # noqa: E402, F401
from .models_reminders import AppointmentReminder, CalendarFeed, ReminderState  # noqa: E402, F401
