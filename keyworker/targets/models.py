"""My Learning Targets and homework (SCH-8).

- A learning target belongs to one child: what the child is working on, why, how we will know, how the family can
  help at home, and the day it is next reviewed. The class team (the class's teacher and teaching assistants) and
  leaders set and review targets; each review leaves a progress note.
- Sharing records that the child's current targets were shared with the family: in the carers' portal, on paper
  or at a meeting. Sharing the current targets each term is the SCH-8 evidence (`targets_shared`). Targets once
  shared show in the carers' portal, whatever the way they were shared.
- A note from home is what a carer says, in the portal, about how the targets are going at home.
- Homework is set for a class or for one child: what to do, how to help, the day set and the day due. For each
  child it is returned or not, with feedback to the family.
"""

from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import Group, OrganisationOwned, Setting
from keyworker.people.models import Carer, Child, Family

WHAT_MAX = 200
TEXT_MAX = 2000
NOTE_MAX = 1000


class TargetStatus(models.TextChoices):
    WORKING = "working", "Working on it"
    ACHIEVED = "achieved", "Achieved"
    STOPPED = "stopped", "No longer a target"


class LearningTarget(OrganisationOwned):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="learning_targets")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    what = models.CharField(max_length=WHAT_MAX, help_text="The target, in the child's words where possible")
    why = models.TextField(blank=True)
    how_we_know = models.TextField(blank=True)
    help_at_home = models.TextField(blank=True)
    review_on = models.DateField()
    status = models.CharField(max_length=10, choices=TargetStatus.choices, default=TargetStatus.WORKING)
    # The first day it was shared with the family: from then on the family sees it in the portal.
    shared_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(StaffMember, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["child_id", "review_on", "id"]
        indexes = [
            models.Index(fields=["child", "status"], name="target_child_status_idx"),
            # The week panel: the class team's targets due for review.
            models.Index(fields=["organisation", "status", "review_on"], name="target_org_review_idx"),
        ]

    def __str__(self) -> str:
        return self.what

    @property
    def is_current(self) -> bool:
        return self.status == TargetStatus.WORKING


class TargetReview(OrganisationOwned):
    """A review of one target with its progress note (each half term)."""

    target = models.ForeignKey(LearningTarget, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    progress = models.TextField()
    status = models.CharField(max_length=10, choices=TargetStatus.choices)
    next_review_on = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(StaffMember, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"Review of target {self.target_id} on {self.reviewed_on}"


class ShareMethod(models.TextChoices):
    PORTAL = "portal", "In the carers' portal"
    PAPER = "paper", "On paper (sent home)"
    MEETING = "meeting", "At a meeting"


class TargetSharing(OrganisationOwned):
    """The child's current targets shared with the family on a day (the SCH-8 evidence)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="target_sharings")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    shared_on = models.DateField()
    method = models.CharField(max_length=10, choices=ShareMethod.choices)
    note = models.CharField(max_length=300, blank=True)
    targets = models.ManyToManyField(LearningTarget, related_name="sharings")
    shared_by = models.ForeignKey(StaffMember, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-shared_on", "-id"]
        indexes = [models.Index(fields=["organisation", "shared_on"], name="target_sharing_org_day_idx")]

    def __str__(self) -> str:
        return f"Targets of {self.child_id} shared on {self.shared_on}"


class HomeNote(OrganisationOwned):
    """How it is going at home, from a carer in the portal."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="target_home_notes")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    carer = models.ForeignKey(Carer, null=True, on_delete=models.SET_NULL, related_name="+")
    carer_name = models.CharField(max_length=200)
    target = models.ForeignKey(LearningTarget, null=True, blank=True, on_delete=models.SET_NULL, related_name="home_notes")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["child", "-created_at"], name="target_note_child_idx")]

    def __str__(self) -> str:
        return f"Note from home about {self.child_id}"


class Homework(OrganisationOwned):
    """Homework set for a class (`group`) or for one child (`child`)."""

    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="homework")
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.CASCADE, related_name="own_homework")
    title = models.CharField(max_length=WHAT_MAX)
    what_to_do = models.TextField()
    how_to_help = models.TextField(blank=True)
    set_on = models.DateField()
    due_on = models.DateField()
    set_by = models.ForeignKey(StaffMember, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-due_on", "-id"]
        indexes = [
            models.Index(fields=["group", "-due_on"], name="homework_group_due_idx"),
            models.Index(fields=["child", "-due_on"], name="homework_child_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(group__isnull=False) | models.Q(child__isnull=False),
                                   name="homework_for_class_or_child"),
        ]

    def __str__(self) -> str:
        return self.title


class HomeworkReturn(OrganisationOwned):
    """One child's homework: returned or not, and the feedback to the family."""

    homework = models.ForeignKey(Homework, on_delete=models.CASCADE, related_name="returns")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="homework_returns")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    returned = models.BooleanField()
    marked_on = models.DateField()
    feedback = models.TextField(blank=True)
    marked_by = models.ForeignKey(StaffMember, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["homework_id", "child_id"]
        constraints = [models.UniqueConstraint(fields=["homework", "child"], name="homework_return_unique")]

    def __str__(self) -> str:
        return f"Homework {self.homework_id} of {self.child_id}"
