"""Learning journals (CC-K4): observations of one or more children, their photos and versions, the next steps
planned from them, and what families add in the carers' portal (comments, "wow moments" that staff approve).

An observation keeps every version: an edit writes a new `ObservationVersion` and updates the observation's current
fields (which the pages and the evidence read). A leader may hide an observation with a reason; nothing is deleted.
"""

from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import OrganisationOwned, Setting
from keyworker.people.models import Carer, Child, Family

from .journals_frameworks import SCHEMA_LABELS, area_label

JOURNAL_TEXT_MAX = 5000
JOURNAL_NOTE_MAX = 1000


class Observation(OrganisationOwned):
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    framework = models.CharField(max_length=32, help_text="The areas of learning it was tagged with (journals_frameworks)")
    observed_on = models.DateField()
    text = models.TextField()
    interests = models.JSONField(default=list, blank=True)  # short phrases: "trains", "mark making"
    schemas = models.JSONField(default=list, blank=True)  # codes of journals_frameworks.SCHEMAS
    areas = models.JSONField(default=list, blank=True)  # codes of the framework's areas (and wellbeing indicators)
    shared_with_family = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(StaffMember, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hidden_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-observed_on", "-id"]
        indexes = [models.Index(fields=["organisation", "observed_on"], name="journal_obs_org_day_idx")]

    def __str__(self) -> str:
        return f"Observation {self.pk} on {self.observed_on}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def schema_labels(self) -> list[str]:
        return [SCHEMA_LABELS.get(s, s) for s in self.schemas or []]

    @property
    def area_labels(self) -> list[str]:
        return [area_label(a) for a in self.areas or []]


class ObservationChild(OrganisationOwned):
    """A child tagged in an observation (several in a group observation). `observed_on` and `hidden` are copied from
    the observation so a child's journal, the evidence and the monitoring read one indexed table."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="tags")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    observed_on = models.DateField()
    hidden = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["observation", "child"], name="journal_obs_child_unique")]
        indexes = [
            # A child's journal, newest first; the monitoring's "last observation" per child.
            models.Index(fields=["child", "observed_on"], name="journal_tag_child_day_idx"),
            # The evidence source: one organisation's observations in a date range.
            models.Index(fields=["organisation", "observed_on"], name="journal_tag_org_day_idx"),
        ]


class ObservationVersion(OrganisationOwned):
    """What an observation said at each save, kept for good."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    observed_on = models.DateField()
    text = models.TextField()
    interests = models.JSONField(default=list)
    schemas = models.JSONField(default=list)
    areas = models.JSONField(default=list)
    child_ids = models.JSONField(default=list)
    shared_with_family = models.BooleanField(default=True)
    saved_by = models.ForeignKey(StaffMember, null=True, on_delete=models.SET_NULL, related_name="+")
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["observation_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["observation", "number"], name="journal_version_unique")]


class ObservationPhoto(OrganisationOwned):
    """A photo stored resized and without its EXIF data (journals_photos); served only through a page that checks who
    may see the observation."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="photos")
    image = models.CharField(max_length=300)  # the storage name of the resized photo
    thumbnail = models.CharField(max_length=300)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    description = models.CharField(max_length=200, blank=True, help_text="What the photo shows, for screen readers")
    uploaded_by = models.ForeignKey(StaffMember, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["observation_id", "id"]


class NextStepState(models.TextChoices):
    PLANNED = "planned", "Planned"
    DONE = "done", "Done"
    FOLLOWED_UP = "followed_up", "Followed up by a later observation"


class NextStep(OrganisationOwned):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="next_steps")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=JOURNAL_NOTE_MAX)
    state = models.CharField(max_length=16, choices=NextStepState.choices, default=NextStepState.PLANNED)
    planned_by = models.ForeignKey(StaffMember, null=True, on_delete=models.SET_NULL, related_name="+")
    planned_at = models.DateTimeField()
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    followed_up_by = models.ForeignKey(Observation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["observation_id", "id"]
        indexes = [models.Index(fields=["child", "state"], name="journal_step_child_state_idx")]


class JournalComment(OrganisationOwned):
    """A carer's comment on an observation shared with their family."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="comments")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    carer = models.ForeignKey(Carer, null=True, on_delete=models.SET_NULL, related_name="+")
    carer_name = models.CharField(max_length=200)
    text = models.CharField(max_length=JOURNAL_NOTE_MAX)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["observation_id", "created_at", "id"]


class WowState(models.TextChoices):
    AWAITING = "awaiting", "Awaiting approval"
    APPROVED = "approved", "In the journal"
    DECLINED = "declined", "Not added"


class WowMoment(OrganisationOwned):
    """Something a family saw at home, sent from the portal; it enters the child's journal once staff approve it."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    carer = models.ForeignKey(Carer, null=True, on_delete=models.SET_NULL, related_name="+")
    carer_name = models.CharField(max_length=200)
    happened_on = models.DateField()
    text = models.CharField(max_length=JOURNAL_NOTE_MAX)
    image = models.CharField(max_length=300, blank=True)
    thumbnail = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=16, choices=WowState.choices, default=WowState.AWAITING)
    created_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["organisation", "state"], name="journal_wow_org_state_idx")]
