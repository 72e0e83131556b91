"""Family wellbeing (SCH-9, CC-M2): wellbeing concerns about families who are struggling, what was done to follow
them up (contacts, conversations, signposting and referrals to partner agencies) and the organisation's agency directory.

This is not the child-protection route: a child at risk of harm is a safeguarding concern (keyworker.safeguarding).
"""

from django.conf import settings
from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.core import clock
from keyworker.organisations.models import OrganisationOwned, Setting
from keyworker.people.models import Child, Family


class Area(models.TextChoices):
    """What the family is struggling with (a concern names one or more; an agency helps with one or more)."""

    MENTAL_HEALTH = "mental_health", "Mental health and emotional wellbeing"
    HOUSING = "housing", "Housing"
    MONEY = "money", "Money, food and bills"
    BEREAVEMENT = "bereavement", "Bereavement"
    FAMILY_BREAKDOWN = "family_breakdown", "Family breakdown"
    CARING = "caring", "Caring responsibilities"
    ISOLATION = "isolation", "Isolation"
    SEND = "send", "Special educational needs and disabilities"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    OTHER = "other", "Something else"


class Indicator(models.TextChoices):
    """The wellbeing indicators (SHANARRI)."""

    SAFE = "safe", "Safe"
    HEALTHY = "healthy", "Healthy"
    ACHIEVING = "achieving", "Achieving"
    NURTURED = "nurtured", "Nurtured"
    ACTIVE = "active", "Active"
    RESPECTED = "respected", "Respected"
    RESPONSIBLE = "responsible", "Responsible"
    INCLUDED = "included", "Included"


class ConcernStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Outcome(models.TextChoices):
    SUPPORT_IN_PLACE = "support_in_place", "Support in place"
    RESOLVED = "resolved", "Things have improved"
    DECLINED = "declined", "The family declined support"
    MOVED = "moved", "The family moved away"
    SAFEGUARDING = "safeguarding", "Passed to the safeguarding team"
    OTHER = "other", "Other"


class FollowUpKind(models.TextChoices):
    FAMILY_CONTACT = "family_contact", "Contact with the family"
    CONVERSATION = "conversation", "Conversation with staff"
    SIGNPOSTING = "signposting", "Signposted to an agency"
    REFERRAL = "referral", "Referred to an agency"
    AGENCY_CONTACT = "agency_contact", "Contact with an agency"


# The kinds that name an agency; recorded by a leader they are "contact with an outside agency" (CC-M2).
AGENCY_KINDS = frozenset({FollowUpKind.SIGNPOSTING, FollowUpKind.REFERRAL, FollowUpKind.AGENCY_CONTACT})


class SignpostHow(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    PHONE = "phone", "Phone call"
    EMAIL = "email", "E-mail"
    LEAFLET = "leaflet", "Leaflet or card"
    MESSAGE = "message", "Message with the details"


class ReferralResponse(models.TextChoices):
    WAITING = "", "Waiting"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    NO_RESPONSE = "no_response", "No response"


class Agency(OrganisationOwned):
    """A partner agency in the organisation's directory."""

    name = models.CharField(max_length=150)
    service = models.TextField(help_text="What they help with, in a sentence or two")
    # Area codes (a JSON list); searched by text, as no code contains another.
    areas = models.JSONField(default=list, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    area_covered = models.CharField(max_length=150, blank=True, help_text="Where they work, e.g. the whole borough")
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "agencies"
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="agency_unique_name")]
        indexes = [models.Index(fields=["organisation", "is_active", "name"], name="agency_org_active_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def area_labels(self) -> list[str]:
        return [Area(a).label for a in self.areas if a in Area.values]


class WellbeingConcern(OrganisationOwned):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="wellbeing_concerns")
    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="wellbeing_concerns")
    children = models.ManyToManyField(Child, blank=True, related_name="wellbeing_concerns")
    raised_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="wellbeing_concerns_raised")
    noticed_on = models.DateField()
    created_at = models.DateTimeField(default=clock.now)
    areas = models.JSONField(default=list)
    indicators = models.JSONField(default=list)
    what_noticed = models.TextField()
    status = models.CharField(max_length=10, choices=ConcernStatus.choices, default=ConcernStatus.OPEN)
    # Kept by the services as follow-ups are recorded: the next follow-up date owed (a referral's, say) and the last one.
    follow_up_due_on = models.DateField(null=True, blank=True)
    last_follow_up_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-noticed_on", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="open", closed_at__isnull=True)
                           | models.Q(status="closed", closed_at__isnull=False) & ~models.Q(outcome="")),
                name="wellbeing_concern_closed_with_outcome",
            ),
        ]
        indexes = [
            # The event source and the board: an organisation's concerns by day, and its open ones.
            models.Index(fields=["organisation", "noticed_on"], name="wb_concern_org_day_idx"),
            models.Index(fields=["organisation", "status", "follow_up_due_on"], name="wb_concern_org_due_idx"),
            models.Index(fields=["family", "-noticed_on"], name="wb_concern_family_idx"),
        ]

    def __str__(self) -> str:
        return f"Wellbeing concern about {self.family_id} on {self.noticed_on}"

    @property
    def is_open(self) -> bool:
        return self.status == ConcernStatus.OPEN

    @property
    def area_labels(self) -> list[str]:
        return [Area(a).label for a in self.areas if a in Area.values]

    @property
    def indicator_labels(self) -> list[str]:
        return [Indicator(i).label for i in self.indicators if i in Indicator.values]


class WellbeingFollowUp(OrganisationOwned):
    """Something done about a concern: a contact with the family, a conversation, signposting, a referral."""

    concern = models.ForeignKey(WellbeingConcern, on_delete=models.CASCADE, related_name="follow_ups")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")  # the concern's, for the evidence query
    kind = models.CharField(max_length=20, choices=FollowUpKind.choices)
    happened_on = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    # Whether the person recording it leads the concern's setting (allocations.manage) at the time: CC-M2's evidence.
    by_leader = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups")
    how = models.CharField(max_length=20, choices=SignpostHow.choices, blank=True)
    told_family = models.BooleanField(default=False)
    reference = models.CharField(max_length=80, blank=True)
    consent_given = models.BooleanField(null=True, blank=True)
    follow_up_on = models.DateField(null=True, blank=True, help_text="When to check again")
    response = models.CharField(max_length=20, choices=ReferralResponse.choices, blank=True)
    responded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-happened_on", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind__in=["signposting", "referral", "agency_contact"]) | models.Q(agency__isnull=False),
                name="wb_follow_up_agency_named",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "happened_on"], name="wb_follow_up_org_day_idx"),
            models.Index(fields=["concern", "-happened_on"], name="wb_follow_up_concern_idx"),
            models.Index(fields=["family", "happened_on"], name="wb_follow_up_family_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.happened_on}"

    @property
    def is_referral(self) -> bool:
        return self.kind == FollowUpKind.REFERRAL
