"""Personal care plans (CC-K3, CC-C1): one plan per child in a childcare setting, kept in versions (nothing is
overwritten), reviewed at least termly, and in Scotland also within 28 days of starting, every 6 months, on request
and on significant change (SSI 2011/210, regulation 5): the earliest of these dates applies. A review may be done by
any staff member of the setting the child chooses. Carers read the current plan in the portal and comment on it;
a comment may ask for a review.
"""

from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import OrganisationOwned, Setting
from keyworker.people.models import Carer, Child, Family

# The settings whose children have a personal care plan: childcare (early years, out of school care, youth).
PLAN_KINDS = frozenset({"early_years", "out_of_school_care", "youth"})

# What a plan holds, in order: (field, heading, hint for staff).
SECTIONS = (
    ("health", "Health and medical needs", "Conditions, medicines, allergies and what to do."),
    ("routines", "Routines", "Sleep, food, toileting, arriving and going home."),
    ("what_matters", "What matters to me", "People, comforters, what makes a good day."),
    ("how_to_support", "How to support me", "What helps when things are hard; what to avoid."),
    ("interests", "My interests", "What they love doing, talking about, playing with."),
    ("child_words", "In my own words", "What the child said, in their words."),
    ("family_words", "My family's words", "What the family said, in their words."),
)
SECTION_NAMES = tuple(name for name, _, _ in SECTIONS)
TEXT_MAX = 4000
NOTE_MAX = 2000
COMMENT_MAX = 2000

# The law in Scotland (SSI 2011/210, regulation 5), the same for every setting: a plan within START_DAYS of starting,
# reviewed at least every REVIEW_MONTHS.
SCOTLAND_START_DAYS = 28
SCOTLAND_REVIEW_MONTHS = 6
# The numbers each setting chooses (CarePlanSetup), from REVIEW_DAYS_MIN to REVIEW_DAYS_MAX: a family's request for a
# review is met within request_days (everywhere); in Scotland a significant change is reviewed within change_days
# (the law asks for the review, and leaves the number of days to the setting).
DEFAULT_REQUEST_DAYS = 14
DEFAULT_CHANGE_DAYS = 14
REVIEW_DAYS_MIN, REVIEW_DAYS_MAX = 1, 28


class CarePlan(OrganisationOwned):
    """A child's personal care plan: its versions, reviews and the family's comments hang off it. The dates the review
    rules count from are kept here, so a whole setting's plans are read in one query."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="care_plan")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    current = models.ForeignKey("CarePlanVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_reviewed_on = models.DateField(null=True, blank=True)
    # The earliest request for a review (a carer's comment) not answered by a review since.
    review_requested_on = models.DateField(null=True, blank=True)
    # A significant change recorded with a version and not reviewed since (Scotland: review within CHANGE_DAYS).
    significant_change_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "setting"], name="care_plan_org_setting_idx")]

    def __str__(self) -> str:
        return f"Care plan of {self.child_id}"


class CarePlanVersion(OrganisationOwned):
    """One saved version of a plan: never changed once written."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    health = models.TextField(blank=True)
    routines = models.TextField(blank=True)
    what_matters = models.TextField(blank=True)
    how_to_support = models.TextField(blank=True)
    interests = models.TextField(blank=True)
    child_words = models.TextField(blank=True)
    family_words = models.TextField(blank=True)
    summary = models.CharField(max_length=300, blank=True, help_text="What changed and why, in a line")
    significant_change = models.BooleanField(default=False)
    saved_at = models.DateTimeField()
    saved_on = models.DateField()  # in the setting's time zone
    saved_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    saved_by_name = models.CharField(max_length=200)
    review = models.ForeignKey("CarePlanReview", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["plan_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="care_plan_version_unique_number")]

    def __str__(self) -> str:
        return f"Version {self.number} of care plan {self.plan_id}"

    @property
    def sections(self) -> list[tuple[str, str, str]]:
        return [(name, label, getattr(self, name)) for name, label, _ in SECTIONS]


class ChildChose(models.TextChoices):
    KEY_WORKER = "key_worker", "Their key person or key contact"
    STAFF = "staff", "Another staff member"
    NOT_RECORDED = "not_recorded", "Not recorded"


class CarePlanReview(OrganisationOwned):
    """A review of a plan: who did it, whom the child chose (CC-C1), and whether the plan changed (a new version)."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="reviews")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    reviewed_on = models.DateField()
    done_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    child_chose = models.CharField(max_length=16, choices=ChildChose.choices)
    chosen_staff = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    plan_changed = models.BooleanField(default=False)
    version = models.ForeignKey(CarePlanVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        indexes = [
            # The evidence sources: an organisation's reviews in a date range.
            models.Index(fields=["organisation", "reviewed_on"], name="care_plan_review_org_day_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(child_chose="staff") | models.Q(chosen_staff__isnull=False),
                name="care_plan_review_chosen_staff_named",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of care plan {self.plan_id} on {self.reviewed_on}"

    @property
    def records_choice(self) -> bool:
        return self.child_chose != ChildChose.NOT_RECORDED


class CarePlanComment(OrganisationOwned):
    """A carer's comment on the current plan, from the portal; it may ask for a review."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="comments")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    carer = models.ForeignKey(Carer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=200)
    body = models.TextField()
    asks_review = models.BooleanField(default=False)
    version_number = models.PositiveIntegerField(null=True, blank=True)  # the version the carer read
    created_at = models.DateTimeField()
    made_on = models.DateField()  # in the setting's time zone
    answered_by = models.ForeignKey(CarePlanReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "plan"], name="care_plan_comment_plan_idx")]

    def __str__(self) -> str:
        return f"Comment on care plan {self.plan_id}"


class CarePlanSetup(OrganisationOwned):
    """The care plan review numbers a childcare setting chooses on its set-up page: within how many days a family's
    request for a review is met, and (in Scotland) a significant change reviewed. One row per setting; no row: 14 days
    each.

    A model of its own rather than more columns on IntroductionSetup, the other per-setting row of that page: that one
    says who introduces themselves to new families and is read with the introductions; these numbers are read
    wherever a plan's next review is worked out (the plans pages, My week, the monitoring view, the API, the portal),
    in one query for all the settings of a page."""

    setting = models.OneToOneField(Setting, on_delete=models.CASCADE, related_name="+")
    request_days = models.PositiveSmallIntegerField(default=DEFAULT_REQUEST_DAYS)
    change_days = models.PositiveSmallIntegerField(default=DEFAULT_CHANGE_DAYS)
    updated_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(request_days__gte=REVIEW_DAYS_MIN, request_days__lte=REVIEW_DAYS_MAX),
                                   name="care_plan_setup_request_days_range"),
            models.CheckConstraint(condition=models.Q(change_days__gte=REVIEW_DAYS_MIN, change_days__lte=REVIEW_DAYS_MAX),
                                   name="care_plan_setup_change_days_range"),
        ]

    def __str__(self) -> str:
        return f"Care plan reviews in {self.setting_id}: {self.request_days} and {self.change_days} days"
