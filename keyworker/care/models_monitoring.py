"""The manager's monitoring of journals and care plans (CC-M3): quality samples of a setting's records, each record
scored against a short rubric, and the findings sent to each record's key person on sign-off."""

from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import OrganisationOwned, Setting
from keyworker.people.models import Child

# The rubric each sampled record is scored against, held as data: a sample keeps a copy of the rubric it started
# with, so a later change of wording never alters a signed-off sample.
RUBRIC: tuple[tuple[str, str], ...] = (
    ("up_to_date", "Up to date"),
    ("child_voice", "Shows the child's voice"),
    ("next_steps", "Next steps planned"),
    ("high_standard", "Of a high standard"),
)


class Score(models.TextChoices):
    GOOD = "good", "Good"
    NEEDS_WORK = "needs_work", "Needs work"
    MISSING = "missing", "Missing"


class MonitoringSample(OrganisationOwned):
    """A quality sample of one setting's records for a month: open while the manager scores it, then signed off."""

    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month the sample is for")
    random = models.BooleanField(default=False, help_text="Offered as a random sample rather than picked")
    rubric = models.JSONField(help_text="The rubric's criteria when the sample started: [[code, label], ...]")
    started_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    signed_off_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_on = models.DateField(null=True, blank=True, help_text="The day, in the setting's time zone")

    class Meta:
        ordering = ["-month", "-id"]
        constraints = [
            # One sample in progress per setting at a time: two managers starting at once share it.
            models.UniqueConstraint(fields=["setting"], condition=models.Q(signed_off_at__isnull=True),
                                    name="monitoring_one_open_sample_per_setting"),
        ]
        indexes = [
            # The evidence source reads signed-off samples by organisation and day.
            models.Index(fields=["organisation", "signed_off_on"], name="monitoring_sample_signed_idx"),
        ]

    def __str__(self) -> str:
        return f"Quality sample of {self.month:%B %Y}"

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None

    @property
    def criteria(self) -> list[tuple[str, str]]:
        return [(code, label) for code, label in self.rubric]


class MonitoringItem(OrganisationOwned):
    """One child's record of one kind in a sample, with its scores (criterion code -> Score) and the comment."""

    sample = models.ForeignKey(MonitoringSample, on_delete=models.CASCADE, related_name="items")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, help_text="The monitoring source's kind, e.g. journal or care_plan")
    label = models.CharField(max_length=100, help_text="The kind's label when sampled, e.g. Learning journal")
    url = models.CharField(max_length=300, blank=True, help_text="The staff page of the record")
    scores = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)
    scored_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "child", "kind"], name="monitoring_item_unique_record"),
        ]

    def __str__(self) -> str:
        return f"{self.label}"

    @property
    def is_scored(self) -> bool:
        return self.scored_at is not None


class MonitoringFinding(OrganisationOwned):
    """A signed-off item's findings, sent to the record's key person, who acknowledges them."""

    item = models.OneToOneField(MonitoringItem, on_delete=models.CASCADE, related_name="finding")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "id"]
        indexes = [
            # My week: a key person's findings awaiting acknowledgement.
            models.Index(fields=["staff", "acknowledged_at"], name="monitoring_finding_staff_idx"),
        ]

    def __str__(self) -> str:
        return f"Findings on {self.item}"
