"""Safeguarding concerns and each child's chronology: restricted records that only the safeguarding team reads.

A concern is raised by any member of staff about a child (and any other children involved). It is never deleted
and never edited: corrections are addenda, and what the team does about it (actions, decisions with their
reasons, referrals, outcomes, closure with a summary, changes of protection status, the transfer of the file) are
entries in the child's chronology (no page, API or admin deletes anything; only an operator removing a child or
an organisation does, with its records). Every read, list, search hit and export is a ConcernAccess row, and so is every
refused attempt that reaches the app.
"""

from django.conf import settings
from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.contacts.models import ContactLog, SafeguardingCategory
from keyworker.core import clock
from keyworker.organisations.models import OrganisationOwned, Setting
from keyworker.people.models import Child, Family

__all__ = ["SafeguardingCategory"]


class ConcernState(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Concern(OrganisationOwned):
    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+", help_text="The child the concern is about")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    children = models.ManyToManyField(Child, through="ConcernChild", related_name="+")
    category = models.CharField(max_length=20, choices=SafeguardingCategory.choices)
    what_happened = models.TextField(help_text="What was seen or heard, in the reporter's words")
    happened_at = models.DateTimeField()
    present = models.CharField(max_length=300, blank=True, help_text="Who else was present")
    lead_told = models.BooleanField(default=False, help_text="A safeguarding lead was told in person")
    contact = models.ForeignKey(ContactLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raised_by = models.ForeignKey(StaffMember, null=True, on_delete=models.SET_NULL, related_name="+")
    raised_at = models.DateTimeField(default=clock.now)
    state = models.CharField(max_length=10, choices=ConcernState.choices, default=ConcernState.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-raised_at"], name="concern_org_recent_idx"),
            models.Index(fields=["setting", "state"], name="concern_setting_state_idx"),
        ]

    def __str__(self) -> str:
        return f"Concern {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state == ConcernState.OPEN


class ConcernChild(OrganisationOwned):
    """A child a concern is about or involves; the subject child is one of them."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="links")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["concern", "child"], name="concern_child_once")]
        indexes = [models.Index(fields=["child", "concern"], name="concern_child_child_idx")]

    def __str__(self) -> str:
        return f"Concern {self.concern_id}, child {self.child_id}"


class EntryKind(models.TextChoices):
    ADDENDUM = "addendum", "Addendum"
    ACTION = "action", "Action"
    DECISION = "decision", "Decision"
    REFERRAL = "referral", "Referral"
    OUTCOME = "outcome", "Outcome"
    CLOSURE = "closure", "Closure"
    STATUS = "status", "Protection status"
    TRANSFER = "transfer", "File transfer"


class Agency(models.TextChoices):
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EARLY_HELP = "early_help", "Early help"
    OTHER = "other", "Other"


class Entry(OrganisationOwned):
    """One line of a child's chronology, added by the safeguarding team; never changed afterwards except that an
    action is marked done, a referral's response recorded and a transfer's receipt confirmed."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    concern = models.ForeignKey(Concern, null=True, blank=True, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    text = models.TextField(help_text="Summary: what was done, decided or found")
    reason = models.TextField(blank=True, help_text="For a decision: why")
    # Actions
    assigned_to = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # Referrals
    agency = models.CharField(max_length=20, choices=Agency.choices, blank=True)
    made_on = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    decision_due_on = models.DateField(null=True, blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    response_on = models.DateField(null=True, blank=True)
    # Protection status
    status_from = models.CharField(max_length=32, blank=True)
    status_to = models.CharField(max_length=32, blank=True)
    # File transfer
    sent_to = models.CharField(max_length=200, blank=True)
    receipt_on = models.DateField(null=True, blank=True)
    by = models.ForeignKey(StaffMember, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["child", "at"], name="sg_entry_child_idx"),
            models.Index(fields=["organisation", "kind", "due_on"], name="sg_entry_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class AccessRoute(models.TextChoices):
    PAGE = "page", "Page"
    API = "api", "API"
    SEARCH = "search", "Search"
    EXPORT = "export", "Export"
    LIST = "list", "List"


class ConcernAccess(OrganisationOwned):
    """One read (or refused attempt) of a concern or of a child's chronology: who, when, which, how."""

    # Append-only (database triggers): the ids outlive what they point at, and `description` names the
    # concern or child once it is gone.
    concern = models.ForeignKey(
        Concern, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="accesses"
    )
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    staff = models.ForeignKey(StaffMember, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    description = models.CharField(max_length=200, blank=True)
    accessed_at = models.DateTimeField(default=clock.now)
    route = models.CharField(max_length=10, choices=AccessRoute.choices)
    allowed = models.BooleanField(default=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-accessed_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-accessed_at"], name="sg_access_recent_idx"),
            models.Index(fields=["staff", "concern"], name="sg_access_staff_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.route} concern {self.concern_id} at {self.accessed_at}"
