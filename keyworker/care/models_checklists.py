"""Enrolment checklists (CC-K1), first-week inductions (CC-K5), the manager's introductions (CC-M1) and chat sessions
(CC-K6).

Both checklists share one machinery: each kind has built-in items (in code, the same for every setting) and the
setting's own items (rows of ChecklistItem, added on the setup page); a tick records that one item is in for one
child. Items of the enrolment checklist that the family answers in their enrolment form (CC-P1) count as in when
staff accept the form, so nobody asks twice.
"""

from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import OrganisationOwned, Setting
from keyworker.people.models import Child, Family

# The settings that keep these records: childcare (early years, out of school care, youth).
CHECKLIST_KINDS = frozenset({"early_years", "out_of_school_care", "youth"})
# Chat sessions belong to out of school care and youth services (CC-K6).
CHAT_KINDS = frozenset({"out_of_school_care", "youth"})
NOTE_MAX = 500
LABEL_MAX = 120


class ChecklistKind(models.TextChoices):
    ENROLMENT = "enrolment", "Enrolment checklist"
    INDUCTION = "induction", "First-week induction"


class ChecklistItem(OrganisationOwned):
    """One of the setting's own items of a checklist (from its own paperwork or its children and young people
    handbook). It applies to children who start on or after `applies_from`: the day it was added, or, when the
    manager asks it of the children who started recently too, the first day of the checklists page's window of new
    children. Removing it keeps the ticks."""

    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ChecklistKind.choices)
    label = models.CharField(max_length=LABEL_MAX)
    hint = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    added_on = models.DateField()
    applies_from = models.DateField(help_text="Children who start on or after this day have it on their checklist")
    added_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    removed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["setting_id", "kind", "position", "id"]
        indexes = [models.Index(fields=["organisation", "setting", "kind"], name="checklist_item_setting_idx")]

    def __str__(self) -> str:
        return self.label

    @property
    def code(self) -> str:
        return f"item-{self.pk}"


class ChecklistTick(OrganisationOwned):
    """One item of one child's checklist, in: who ticked it and the day it was done."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ChecklistKind.choices)
    item = models.CharField(max_length=40, help_text="A built-in item's code, or item-<id> for the setting's own")
    done_on = models.DateField()
    done_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["child_id", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["child", "kind", "item"], name="checklist_tick_unique")]
        indexes = [
            # The evidence source: an organisation's ticks of one kind.
            models.Index(fields=["organisation", "kind"], name="checklist_tick_org_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.item} of {self.child_id}"


class IntroducedBy(models.TextChoices):
    MANAGER = "manager", "The manager"
    ASSISTANT_MANAGER = "assistant_manager", "The assistant manager"
    EITHER = "either", "The manager or the assistant manager"


INTRODUCER_ROLES = {
    IntroducedBy.MANAGER: ("manager",),
    IntroducedBy.ASSISTANT_MANAGER: ("assistant_manager",),
    IntroducedBy.EITHER: ("manager", "assistant_manager"),
}


class IntroductionSetup(OrganisationOwned):
    """Who introduces themselves to each new child and family in a setting (CC-M1). No row: the manager."""

    setting = models.OneToOneField(Setting, on_delete=models.CASCADE, related_name="+")
    introduced_by = models.CharField(max_length=20, choices=IntroducedBy.choices, default=IntroducedBy.MANAGER)
    updated_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Introductions in {self.setting_id}: {self.introduced_by}"


class IntroductionHow(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"


class Introduction(OrganisationOwned):
    """The manager (or assistant manager) introduced themselves to a new child and their family (CC-M1)."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="+")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    introduced_on = models.DateField()
    how = models.CharField(max_length=16, choices=IntroductionHow.choices)
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    introduced_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-introduced_on", "id"]
        indexes = [models.Index(fields=["organisation", "introduced_on"], name="introduction_org_day_idx")]

    def __str__(self) -> str:
        return f"Introduction to {self.child_id}"


class ChatOutcome(models.TextChoices):
    HELD = "held", "Held"
    DECLINED = "declined", "Offered, declined"


class ChatSession(OrganisationOwned):
    """A chat session offered to a child, with the member of staff they chose; "offered, declined" respects the
    child's choice not to talk and counts as offered (CC-K6)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    offered_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=ChatOutcome.choices)
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+",
                              help_text="The member of staff the child chose")
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    recorded_by = models.ForeignKey(StaffMember, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-offered_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "offered_on"], name="chat_session_org_day_idx"),
            models.Index(fields=["child", "offered_on"], name="chat_session_child_day_idx"),
        ]

    def __str__(self) -> str:
        return f"Chat session of {self.child_id} on {self.offered_on}"
