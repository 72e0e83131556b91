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

    @property
    def family_title(self) -> str:
        """What the family sees it called (the title staff wrote is staff-only): "EHCP annual review for Sam"."""
        child = self.child if self.child_id else None
        return family_title(self.kind, (child.preferred_name or child.legal_first_name) if child else "")


def family_title(kind: str, child_name: str = "") -> str:
    """An appointment's name on the carers' pages, calendar feeds and .ics files: its kind, and the child's first name."""
    label = str(AppointmentKind(kind).label) if kind in AppointmentKind.values else str(AppointmentKind.OTHER.label)
    if kind == AppointmentKind.OTHER:
        label = "Appointment"
    return f"{label} for {child_name}" if child_name else label


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



# EHCP annual reviews -------------------------------------------------------------------------------------------------
# One row per child per review cycle: the date of the last review (or of the plan's issue, for the first), the date the
# next is due (at most 12 months later), the meeting, and the day each step was done and by whom.


class AnnualReview(OrganisationOwned):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="annual_reviews")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="annual_reviews")  # the child's, for scoping
    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="annual_reviews")
    last_review_on = models.DateField(help_text="The last annual review, or the day the plan was issued for a first review")
    due_by = models.DateField(help_text="12 months after the last review at the latest")
    appointment = models.OneToOneField(Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="annual_review")
    invitations_sent_on = models.DateField(null=True, blank=True)
    invitations_sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    papers_circulated_on = models.DateField(null=True, blank=True)
    papers_circulated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    key_worker_invited_on = models.DateField(null=True, blank=True)
    key_worker_invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    held_on = models.DateField(null=True, blank=True)
    held_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    report_sent_on = models.DateField(null=True, blank=True)
    report_sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The pupil booklet shared with the family (SCH-7): who shared it, when, with whom.
    booklet_shared_at = models.DateTimeField(null=True, blank=True)
    booklet_shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    booklet_shared_with = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_by", "id"]
        indexes = [models.Index(fields=["organisation", "due_by"], name="annualreview_org_due_idx")]
        constraints = [
            models.UniqueConstraint(fields=["child", "last_review_on"], name="annualreview_one_per_cycle"),
            models.CheckConstraint(condition=models.Q(due_by__gt=models.F("last_review_on")), name="annualreview_due_after_last"),
        ]

    def __str__(self) -> str:
        return f"Annual review: {self.child}"


class FamilyViewsState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class FamilyViews(OrganisationOwned):
    """“All about my family”: the carers' section of the EHCP review form, filled in by a carer in the portal or by the
    key worker with them."""

    review = models.OneToOneField(AnnualReview, on_delete=models.CASCADE, related_name="family_views")
    going_well = models.TextField("What is going well", blank=True)
    hard = models.TextField("What is hard", blank=True)
    hopes = models.TextField("What we hope for", blank=True)
    questions = models.TextField("Questions for the meeting", blank=True)
    state = models.CharField(max_length=12, choices=FamilyViewsState.choices, default=FamilyViewsState.NOT_STARTED)
    done_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Who wrote it: "carer" in the portal, "staff" for a key worker writing it down with the family.
    written_by = models.CharField(max_length=10, blank=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"All about my family: {self.review.child}"


# Reminders and calendar feeds, parents' evenings and their slots live in modules of their own; imported here so
# that Django finds them.
from .evenings_models import EveningSlot, EveningStatus, ParentsEvening  # noqa: E402, F401
from .models_reminders import AppointmentReminder, CalendarFeed, ReminderState  # noqa: E402, F401
