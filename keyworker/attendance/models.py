"""The attendance register: the national codes as data (per jurisdiction), one mark per child per session with
its history of changes, and each organisation's thresholds for persistent and severe absence."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from keyworker.core import clock
from keyworker.organisations.models import Jurisdiction, OrganisationOwned, Setting
from keyworker.people.models import Child


class Category(models.TextChoices):
    PRESENT = "present", "Present"
    AUTHORISED = "authorised", "Authorised absence"
    UNAUTHORISED = "unauthorised", "Unauthorised absence"
    NOT_POSSIBLE = "not_possible", "Not a possible session"


class Session(models.TextChoices):
    AM = "AM", "Morning"
    PM = "PM", "Afternoon"


class AttendanceCode(models.Model):
    """One register code of one jurisdiction (reference data, shared by every organisation there)."""

    jurisdiction = models.CharField(max_length=32, choices=Jurisdiction.choices)
    code = models.CharField(max_length=4)
    meaning = models.CharField(max_length=200)
    category = models.CharField(max_length=16, choices=Category.choices)
    # Counts towards possible sessions (the denominator of every rate); "not possible" codes do not.
    possible = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)
    in_use = models.BooleanField(default=True, help_text="Retired codes stay for old marks but cannot be recorded")

    class Meta:
        ordering = ["jurisdiction", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "code"], name="attendance_code_unique_per_jurisdiction"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.meaning}"


class AttendanceMark(OrganisationOwned):
    """A child's mark for one session of one day: unique per child, date and session."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="attendance_marks")
    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    session = models.CharField(max_length=2, choices=Session.choices)
    code = models.ForeignKey(AttendanceCode, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["date", "session", "child_id"]
        constraints = [
            models.UniqueConstraint(fields=["child", "date", "session"], name="attendance_mark_unique_session"),
        ]
        indexes = [
            # Rates and the year at a glance: a child's marks over a date range (the unique index leads with child).
            # The register and the unexplained-absence lists: an organisation's marks on a day or range.
            models.Index(fields=["organisation", "date"], name="attendance_mark_org_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.date} {self.session}: {self.code_id}"


class MarkRevision(OrganisationOwned):
    """A change to a mark: the code before and after, who changed it, when and why."""

    mark = models.ForeignKey(AttendanceMark, on_delete=models.CASCADE, related_name="revisions")
    previous_code = models.ForeignKey(AttendanceCode, on_delete=models.PROTECT, related_name="+")
    new_code = models.ForeignKey(AttendanceCode, on_delete=models.PROTECT, related_name="+")
    previous_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    previous_recorded_at = models.DateTimeField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=clock.now)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["mark", "-changed_at"], name="attendance_revision_mark_idx")]

    def __str__(self) -> str:
        return f"Mark {self.mark_id} changed at {self.changed_at}"


class AttendanceSettings(OrganisationOwned):
    """An organisation's thresholds (defaults from the national definitions: 90% persistent, 50% severe)."""

    persistent_at_or_below = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("90"))
    severe_at_or_below = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("50"))
    replace_n_within_school_days = models.PositiveSmallIntegerField(default=5)

    class Meta:
        verbose_name_plural = "attendance settings"
        constraints = [models.UniqueConstraint(fields=["organisation"], name="attendance_settings_one_per_organisation")]

    def __str__(self) -> str:
        return f"Attendance settings of {self.organisation_id}"


# Escalation (SCH-5): tiers and patterns as the organisation's data, concerns with their action log --------------


class AttendanceTier(OrganisationOwned):
    """One step of the escalation ladder: a child whose attendance this school year is at or below `at_or_below`
    reaches it; the roles named are told once; the follow-up is due within so many school days."""

    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80)
    at_or_below = models.DecimalField(max_digits=5, decimal_places=2)
    # Role codes of the organisation, or "key_worker" for the child's current key worker.
    notify_roles = models.JSONField(default=list, blank=True)
    follow_up = models.CharField(max_length=200, blank=True)
    follow_up_school_days = models.PositiveSmallIntegerField(default=5)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["organisation", "order"], name="attendance_tier_unique_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name} (≤ {self.at_or_below}%)"


class EscalationSettings(OrganisationOwned):
    """The patterns that raise a concern whatever the rate (at the first tier), and the fewest possible sessions
    before a rate counts (so one absent morning in September is not "severe absence")."""

    minimum_sessions = models.PositiveSmallIntegerField(default=10)
    recent_enabled = models.BooleanField(default=True)
    recent_absences = models.PositiveSmallIntegerField(default=3)
    recent_sessions = models.PositiveSmallIntegerField(default=10)
    weekday_enabled = models.BooleanField(default=True)
    weekday_weeks = models.PositiveSmallIntegerField(default=3)

    class Meta:
        verbose_name_plural = "escalation settings"
        constraints = [models.UniqueConstraint(fields=["organisation"], name="attendance_escalation_one_per_organisation")]

    def __str__(self) -> str:
        return f"Escalation settings of {self.organisation_id}"


class ConcernStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class AttendanceConcern(OrganisationOwned):
    """A child's attendance concern: opened at a tier, raised to higher ones, closed with an outcome."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="attendance_concerns")
    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=ConcernStatus.choices, default=ConcernStatus.OPEN)
    tier_order = models.PositiveSmallIntegerField()
    tier_name = models.CharField(max_length=80)
    opened_on = models.DateField()
    raised_on = models.DateField()
    rate_at_open = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    rate_at_raise = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    pattern = models.CharField(max_length=200, blank=True)
    notified_roles = models.JSONField(default=list, blank=True)
    follow_up_by = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=models.Q(status="open"), name="attendance_concern_one_open"),
        ]
        indexes = [models.Index(fields=["organisation", "status", "tier_order"], name="attendance_concern_list_idx")]

    def __str__(self) -> str:
        return f"Attendance concern {self.pk} ({self.tier_name})"


class ConcernActionKind(models.TextChoices):
    OPENED = "opened", "Concern opened"
    RAISED = "raised", "Raised to a higher tier"
    ACTION = "action", "Action"
    CLOSED = "closed", "Closed"


class ConcernAction(OrganisationOwned):
    """One line of a concern's action log: who did what and when, and the next follow-up date."""

    concern = models.ForeignKey(AttendanceConcern, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=8, choices=ConcernActionKind.choices)
    happened_on = models.DateField()
    recorded_at = models.DateTimeField(default=clock.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    follow_up_on = models.DateField(null=True, blank=True)
    tier_order = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["happened_on", "recorded_at", "id"]
        indexes = [models.Index(fields=["organisation", "kind", "happened_on"], name="attendance_concern_action_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.happened_on}"


class AttendanceYearSummary(OrganisationOwned):
    """A child's attendance for a school year at one school, as another school reported it in a Common Transfer
    File (Attendance/YearData): for a child who joined mid-year, the previous school's figures."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="attendance_year_summaries")
    year = models.PositiveSmallIntegerField(help_text="The school year's first calendar year (2019 for 2019/20)")
    school_name = models.CharField(max_length=200, blank=True)
    school_urn = models.CharField(max_length=12, blank=True)
    school_la_estab = models.CharField(max_length=12, blank=True, help_text="LA number and establishment number, e.g. 838/3321")
    sessions_possible = models.PositiveIntegerField()
    sessions_attended = models.PositiveIntegerField()
    sessions_authorised = models.PositiveIntegerField()
    sessions_unauthorised = models.PositiveIntegerField()
    source_file = models.CharField(max_length=200, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["child_id", "-year", "school_name"]
        constraints = [
            models.UniqueConstraint(fields=["child", "year", "school_urn", "school_la_estab"],
                                    name="attendance_year_summary_unique_school_year"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.year}: {self.sessions_attended}/{self.sessions_possible}"

    @property
    def school_year(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def attendance_percent(self):
        if not self.sessions_possible:
            return None
        return round(Decimal(self.sessions_attended) * 100 / self.sessions_possible, 1)


class CareSessionKind(models.TextChoices):
    FULL_DAY = "full_day", "Full day"
    MORNING = "morning", "Morning"
    AFTERNOON = "afternoon", "Afternoon"
    BREAKFAST = "breakfast", "Breakfast club"
    AFTER_SCHOOL = "after_school", "After school"
    EVENING = "evening", "Evening"


class CareStatus(models.TextChoices):
    BOOKED = "booked", "Not recorded yet"
    ATTENDED = "attended", "Attended"
    ABSENT = "absent", "Absent"


class CareAbsenceReason(models.TextChoices):
    ILL = "ill", "Ill"
    HOLIDAY = "holiday", "Holiday"
    APPOINTMENT = "appointment", "Appointment"
    FAMILY = "family", "Family reasons"
    NOT_KNOWN = "not_known", "Not known"
    OTHER = "other", "Other"


class CareSession(OrganisationOwned):
    """A session booked for a child at a childcare setting (early years, out of school care, youth) on one day, and
    whether the child came: childcare settings record sessions booked and attended, not AM/PM register codes."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="care_sessions")
    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey("organisations.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    date = models.DateField()
    kind = models.CharField(max_length=16, choices=CareSessionKind.choices, default=CareSessionKind.FULL_DAY)
    status = models.CharField(max_length=10, choices=CareStatus.choices, default=CareStatus.BOOKED)
    absence_reason = models.CharField(max_length=12, choices=CareAbsenceReason.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "kind", "child_id"]
        constraints = [
            models.UniqueConstraint(fields=["child", "date", "kind"], name="care_session_unique_per_child_day_kind"),
        ]
        indexes = [models.Index(fields=["organisation", "group", "date"], name="care_session_room_day_idx")]

    def __str__(self) -> str:
        return f"{self.child_id} {self.date} {self.kind}: {self.status}"
