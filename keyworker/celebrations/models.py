"""Celebrations of a child (Well Done postcards, Star of the week, Dojo Points, milestones) and the positivity rule (SCH-1)."""

from django.conf import settings
from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.contacts.models import Channel, ContactLog
from keyworker.core import clock
from keyworker.organisations.models import Organisation, OrganisationOwned, Setting
from keyworker.people.models import Child, Family


class CelebrationKind(models.TextChoices):
    WELL_DONE_POSTCARD = "well_done_postcard", "Well Done postcard"
    STAR_OF_THE_WEEK = "star_of_the_week", "Star of the week"
    DOJO_POINTS = "dojo_points", "Dojo Points"
    ATTENDANCE_MILESTONE = "attendance_milestone", "Attendance milestone"
    ACHIEVEMENT = "achievement", "Achievement"
    OTHER = "other", "Other"


class SharedHow(models.TextChoices):
    POSTCARD_HOME = "postcard_home", "Postcard home"
    MESSAGING_APP = "messaging_app", "ClassDojo or messaging app"
    FACE_TO_FACE = "face_to_face", "Face to face"
    PHONE = "phone", "Phone call"
    EMAIL = "email", "E-mail"


# The channel of the contact log that sharing a celebration with the family records.
SHARED_CHANNEL: dict[str, str] = {
    SharedHow.POSTCARD_HOME: Channel.LETTER,
    SharedHow.MESSAGING_APP: Channel.MESSAGING_APP,
    SharedHow.FACE_TO_FACE: Channel.FACE_TO_FACE,
    SharedHow.PHONE: Channel.PHONE,
    SharedHow.EMAIL: Channel.EMAIL,
}


class Celebration(OrganisationOwned):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="celebrations")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="celebrations")  # the child's, kept for scoping
    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="celebrations")
    kind = models.CharField(max_length=30, choices=CelebrationKind.choices)
    title = models.CharField(max_length=150, help_text="What it is for, in a few words")
    note = models.TextField(blank=True)
    points = models.PositiveIntegerField(null=True, blank=True, help_text="Dojo Points only")
    celebrated_on = models.DateField()
    recorded_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="celebrations_recorded")
    created_at = models.DateTimeField(default=clock.now)
    # Shared with the family: when and how (the carers' portal shows shared celebrations).
    shared_on = models.DateField(null=True, blank=True)
    shared_how = models.CharField(max_length=20, choices=SharedHow.choices, blank=True)
    shared_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The contact log that sharing recorded (tone celebration): at most one, so it is never counted twice.
    contact = models.OneToOneField(ContactLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="celebration")
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    void_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-celebrated_on", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="dojo_points", points__gte=1) | (~models.Q(kind="dojo_points") & models.Q(points__isnull=True))),
                name="celebration_points_only_for_dojo",
            ),
            models.CheckConstraint(
                condition=(models.Q(shared_on__isnull=True, shared_how="") | (models.Q(shared_on__isnull=False) & ~models.Q(shared_how=""))),
                name="celebration_shared_date_and_how",
            ),
        ]
        indexes = [
            # A family's or child's celebrations, newest first (family page, timeline, suggestions).
            models.Index(fields=["family", "-celebrated_on"], name="celebration_family_idx"),
            models.Index(fields=["child", "-celebrated_on"], name="celebration_child_idx"),
            # The evidence source and the setting's list: an organisation's celebrations over a date range.
            models.Index(fields=["organisation", "celebrated_on"], name="celebration_org_day_idx"),
            models.Index(fields=["recorded_by", "-celebrated_on"], name="celebration_recorder_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.child_id} on {self.celebrated_on}"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def is_shared(self) -> bool:
        return self.shared_on is not None

    @property
    def kind_label(self) -> str:
        if self.kind == CelebrationKind.DOJO_POINTS and self.points:
            return f"{self.points} Dojo Point{'s' if self.points != 1 else ''}"
        return self.get_kind_display()


class PositivityWindow(models.TextChoices):
    HALF_TERM = "half_term", "This half term (the last 42 days in the holidays)"
    DAYS = "days", "The last N days"


class PositivityRule(OrganisationOwned):
    """The organisation's reading of "predominantly positive": its threshold, the minimum contacts and the window."""

    threshold_percent = models.PositiveSmallIntegerField(default=50)
    min_contacts = models.PositiveSmallIntegerField(default=3)
    window = models.CharField(max_length=20, choices=PositivityWindow.choices, default=PositivityWindow.HALF_TERM)
    window_days = models.PositiveSmallIntegerField(default=42)
    updated_at = models.DateTimeField(default=clock.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation"], name="positivity_rule_one_per_organisation"),
            models.CheckConstraint(condition=models.Q(threshold_percent__lte=100), name="positivity_threshold_percent"),
            models.CheckConstraint(condition=models.Q(window_days__gte=7, window_days__lte=365), name="positivity_window_days"),
            models.CheckConstraint(condition=models.Q(min_contacts__gte=1), name="positivity_min_contacts"),
        ]

    def __str__(self) -> str:
        return f"Positivity rule of {self.organisation_id}: more than {self.threshold_percent}%"

    @classmethod
    def default_for(cls, organisation: Organisation | int) -> "PositivityRule":
        org_id = organisation if isinstance(organisation, int) else organisation.pk
        return cls(organisation_id=org_id)
