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
    """An organisation's thresholds (defaults from the national definitions: 90 % persistent, 50 % severe)."""

    persistent_at_or_below = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("90"))
    severe_at_or_below = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("50"))
    replace_n_within_school_days = models.PositiveSmallIntegerField(default=5)

    class Meta:
        verbose_name_plural = "attendance settings"
        constraints = [models.UniqueConstraint(fields=["organisation"], name="attendance_settings_one_per_organisation")]

    def __str__(self) -> str:
        return f"Attendance settings of {self.organisation_id}"
