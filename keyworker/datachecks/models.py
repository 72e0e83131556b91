"""Half-termly data checks (SCH-2): one per child per half term, confirmed by a carer and then the admin office.

A difference the carer reports becomes a proposed correction, which the admin office applies (through the people
services, so the change is in the child's or carer's history) or rejects with a reason. Every step is an event row.
"""

from django.conf import settings
from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import HalfTerm, OrganisationOwned, Setting
from keyworker.people.models import Carer, Child, Family


class ConfirmationMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    # The carers' portal: carers confirm their own data there. Staff cannot choose it.
    PORTAL = "portal", "In the carers' portal"


STAFF_METHODS = (ConfirmationMethod.IN_PERSON, ConfirmationMethod.PHONE)


class CheckState(models.TextChoices):
    AWAITING_CARER = "awaiting_carer", "Waiting for a carer"
    AWAITING_ADMIN = "awaiting_admin", "Waiting for the admin office"
    COMPLETE = "complete", "Complete"


class DataCheck(OrganisationOwned):
    """One child's data check for one half term of the child's setting."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="data_checks")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    half_term = models.ForeignKey(HalfTerm, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=CheckState.choices, default=CheckState.AWAITING_CARER)
    # What the carer was shown, as {field key: value on screen}: the check's own record of the data confirmed.
    snapshot = models.JSONField(default=dict, blank=True)
    carer = models.ForeignKey(Carer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    carer_name = models.CharField(max_length=200, blank=True, help_text="Kept if the carer record goes")
    carer_method = models.CharField(max_length=12, choices=ConfirmationMethod.choices, blank=True)
    carer_confirmed_on = models.DateField(null=True, blank=True)
    carer_confirmed_at = models.DateTimeField(null=True, blank=True)
    carer_recorded_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    carer_all_correct = models.BooleanField(null=True, blank=True)
    carer_note = models.CharField(max_length=500, blank=True)
    admin_confirmed_at = models.DateTimeField(null=True, blank=True)
    admin_confirmed_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    admin_note = models.CharField(max_length=500, blank=True)
    # The day (in the setting's time zone) both confirmations were in: the evidence for SCH-2.
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["half_term_id", "child_id"]
        constraints = [
            models.UniqueConstraint(fields=["child", "half_term"], name="datacheck_one_per_child_per_half_term"),
        ]
        indexes = [
            # Progress pages and the API list: one organisation's checks of a half term, by state.
            models.Index(fields=["organisation", "half_term", "state"], name="datacheck_org_ht_state_idx"),
            # The evidence source: completed checks in a date range.
            models.Index(fields=["organisation", "completed_on"], name="datacheck_org_completed_idx"),
        ]

    def __str__(self) -> str:
        return f"Data check of {self.child_id} for {self.half_term_id}"

    @property
    def is_complete(self) -> bool:
        return self.state == CheckState.COMPLETE

    @property
    def carer_confirmed(self) -> bool:
        return self.carer_confirmed_at is not None


class CorrectionState(models.TextChoices):
    PROPOSED = "proposed", "Waiting for the admin office"
    APPLIED = "applied", "Applied"
    REJECTED = "rejected", "Rejected"


class CorrectionTarget(models.TextChoices):
    CHILD = "child", "Child"
    KEY_ASPECTS = "key_aspects", "Key aspects"
    CARER = "carer", "Carer"


class Correction(OrganisationOwned):
    """A difference a carer reported: which field, what is held, what it should be; the admin office decides."""

    data_check = models.ForeignKey(DataCheck, on_delete=models.CASCADE, related_name="corrections")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    target = models.CharField(max_length=12, choices=CorrectionTarget.choices)
    carer = models.ForeignKey(Carer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=40)
    label = models.CharField(max_length=200, help_text="What it is, on screen: e.g. Phone of Jane Adams")
    current_value = models.TextField(blank=True)
    proposed_value = models.TextField(blank=True)
    note = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=CorrectionState.choices, default=CorrectionState.PROPOSED)
    proposed_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Set when the carer proposed it themselves in the carers' portal (then proposed_by is empty).
    proposed_by_carer = models.ForeignKey(Carer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True, help_text="Why it was rejected")

    class Meta:
        ordering = ["proposed_at", "id"]
        indexes = [
            # The admin office's queue: one organisation's corrections waiting, oldest first.
            models.Index(fields=["organisation", "state", "proposed_at"], name="correction_org_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.proposed_value}"

    @property
    def proposed_shown(self) -> str:
        from .fields import shown  # fields reads these models

        return shown(self.field, self.proposed_value)

    @property
    def proposer(self) -> str:
        """Who proposed it, on screen: the staff member, or the carer in the portal."""
        if self.proposed_by_carer_id is not None:
            return f"{self.proposed_by_carer.full_name} (carers' portal)"
        return self.proposed_by.user.full_name if self.proposed_by_id else ""

    @property
    def key(self) -> str:
        return f"carer.{self.carer_id}.{self.field}" if self.target == CorrectionTarget.CARER else f"{self.target}.{self.field}"


class EventKind(models.TextChoices):
    CARER_CONFIRMED = "carer_confirmed", "Carer's confirmation recorded"
    CORRECTION_PROPOSED = "correction_proposed", "Correction proposed"
    CORRECTION_APPLIED = "correction_applied", "Correction applied"
    CORRECTION_REJECTED = "correction_rejected", "Correction rejected"
    ADMIN_CONFIRMED = "admin_confirmed", "Admin office confirmed"
    COMPLETED = "completed", "Check complete"


class DataCheckEvent(OrganisationOwned):
    """An append-only row for each step of a check: its history."""

    data_check = models.ForeignKey(DataCheck, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.CharField(max_length=300)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.summary}"

