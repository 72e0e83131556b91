"""Briefings: one batch of changes to a child's key aspects, sent to the key worker and class team to acknowledge (SCH-3)."""

from django.conf import settings
from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import Group, OrganisationOwned, Setting
from keyworker.people.models import Child, KeyAspectChange


class Briefing(OrganisationOwned):
    """The changes made to one child's key aspects at once (several fields saved together are one briefing)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="briefings")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    # The child's class when the change was made: the class team it went to.
    group = models.ForeignKey(Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # A class's briefings (the leaders' progress page), newest first.
            models.Index(fields=["group", "-created_at"], name="briefing_group_idx"),
            models.Index(fields=["child", "-created_at"], name="briefing_child_idx"),
        ]

    def __str__(self) -> str:
        return f"Briefing on {self.child_id} at {self.created_at:%Y-%m-%d %H:%M}"


class BriefingChange(OrganisationOwned):
    """One change row of a briefing. A change belongs to one briefing only (the database says so)."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="items")
    change = models.OneToOneField(KeyAspectChange, on_delete=models.CASCADE, related_name="briefing_item")

    class Meta:
        ordering = ["briefing_id", "id"]


class RecipientRole(models.TextChoices):
    KEY_WORKER = "key_worker", "Key worker"
    CLASS_TEAM = "class_team", "Class team"


class BriefingRecipient(OrganisationOwned):
    """A staff member who must read a briefing, and when they confirmed they had."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="recipients")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="briefings_received")
    role = models.CharField(max_length=16, choices=RecipientRole.choices)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # True when the person made the change themselves: they know it, so it counts as read at once.
    acknowledged_as_author = models.BooleanField(default=False)

    class Meta:
        ordering = ["briefing_id", "id"]
        constraints = [models.UniqueConstraint(fields=["briefing", "staff"], name="briefing_recipient_unique")]
        indexes = [
            # "Briefings to acknowledge" and the My week panel: one person's pending rows, oldest first.
            models.Index(fields=["staff", "acknowledged_at"], name="briefing_recipient_staff_idx"),
            # The evidence source: the key workers' acknowledgements in a date range.
            models.Index(fields=["organisation", "role", "acknowledged_at"], name="briefing_recipient_ack_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} on briefing {self.briefing_id}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class ClassLastLooked(OrganisationOwned):
    """When a staff member last opened a class's "What changed" page: the next visit shows what came after."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    looked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "group"], name="class_last_looked_unique")]

    def __str__(self) -> str:
        return f"{self.staff_id} looked at {self.group_id}"
