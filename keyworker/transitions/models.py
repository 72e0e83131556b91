"""Year 6 transitions (SCH-10): a plan per leaving pupil, its visits to the destination school, the dates shared
with the family before the first visit, and after each visit a write-up of how it went, shared with the family.

A plan belongs to a child of a school; the leaving years are LEAVING_YEARS (a plan for a child in another year is
allowed, with a warning: a pupil may move school early). Times are stored in UTC and shown in the setting's time
zone.
"""

from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import OrganisationOwned, Setting
from keyworker.people.models import Child, Family

# The year a pupil leaves a primary (or a special school's primary phase) for secondary school.
LEAVING_YEARS = frozenset({"Year 6"})
TEXT_MAX = 2000


class TransitionPlan(OrganisationOwned):
    """One leaving pupil's move to their next school: where, who to contact there, and what the family needs to know."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="transition_plan")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    destination_school = models.CharField(max_length=200)
    destination_contact = models.CharField(max_length=200, blank=True, help_text="The contact person at the new school")
    destination_phone = models.CharField(max_length=40, blank=True)
    destination_email = models.EmailField(blank=True)
    family_notes = models.TextField(blank=True, help_text="What the family needs to know")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["setting_id", "child_id"]
        indexes = [models.Index(fields=["organisation", "setting"], name="transition_plan_org_idx")]

    def __str__(self) -> str:
        return f"Transition plan of {self.child_id} to {self.destination_school}"


class TransitionDatesShare(OrganisationOwned):
    """The visit dates told to the family (SCH-10: before the first visit): who, when, and the dates as they were."""

    plan = models.ForeignKey(TransitionPlan, on_delete=models.CASCADE, related_name="shares")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    shared_at = models.DateTimeField()
    shared_on = models.DateField(help_text="The day shared, in the setting's time zone")
    shared_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    dates = models.TextField(help_text="The visit dates as they were shared")

    class Meta:
        ordering = ["plan_id", "shared_at", "id"]
        indexes = [models.Index(fields=["organisation", "shared_on"], name="transition_share_org_on_idx")]


class TransitionVisit(OrganisationOwned):
    """A visit to the destination school; afterwards the key worker writes how it went and shares it with the family."""

    plan = models.ForeignKey(TransitionPlan, on_delete=models.CASCADE, related_name="visits")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    staff = models.ManyToManyField(StaffMember, blank=True, related_name="transition_visits", help_text="Staff going")
    sequence = models.PositiveIntegerField(default=0, help_text="Raised on every change a calendar should see")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    write_up = models.TextField(blank=True, help_text="How the visit went")
    written_at = models.DateTimeField(null=True, blank=True)
    written_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    shared_at = models.DateTimeField(null=True, blank=True)
    shared_on = models.DateField(null=True, blank=True, help_text="The day the write-up was shared with the family")
    shared_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["plan_id", "starts_at", "id"]
        indexes = [
            models.Index(fields=["organisation", "starts_at"], name="transition_visit_org_at_idx"),
            models.Index(fields=["organisation", "shared_on"], name="transition_visit_shared_idx"),
        ]

    def __str__(self) -> str:
        return f"Transition visit {self.pk} of plan {self.plan_id}"

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None
