"""Key worker allocation: one current key worker per family per setting, with its history."""

from django.conf import settings
from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import OrganisationOwned, Setting
from keyworker.people.models import Family


class KeyWorkerAllocation(OrganisationOwned):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="allocations")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="allocations")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="allocations")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # SCH-A2: set when a child of the family gains child-protection status while the key worker is not a teacher.
    needs_teacher_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            # The invariant lives in the database: at most one current key worker per family per setting.
            models.UniqueConstraint(
                fields=["family", "setting"], condition=models.Q(ends_at__isnull=True), name="one_current_key_worker"
            ),
        ]
        indexes = [
            # "My families" and caseload sizes: current allocations of one staff member.
            models.Index(fields=["staff"], condition=models.Q(ends_at__isnull=True), name="allocation_current_staff_idx"),
            # SCH-A2 flags on the allocation page.
            models.Index(
                fields=["setting"], condition=models.Q(ends_at__isnull=True, needs_teacher_since__isnull=False),
                name="allocation_flagged_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} for {self.family}"

    @property
    def is_current(self) -> bool:
        return self.ends_at is None
