"""Organisations (the tenants), their settings, classes or rooms, and each setting's term calendar."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models


class PortalRestrictedAccess(models.TextChoices):
    """What the carers' portal opens to a carer without parental responsibility, or under a court order or an
    "information only" restriction (keyworker.people.carer_access reads it)."""

    LIMITED = "limited", "Who the key worker is, appointments they are invited to, good news and messages"
    KEY_WORKER = "key_worker", "Only who the key worker is and how to reach them"
    NOTHING = "nothing", "Nothing: they cannot use the portal"


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    second_factor_for_everyone = models.BooleanField(
        "Everyone signs in with a second factor", default=False,
        help_text="Leaders and the safeguarding team always need one; tick this to ask every member of staff.",
    )
    portal_restricted_access = models.CharField(
        "What carers without parental responsibility, or under a court order or an “information only” restriction, "
        "see in the portal", max_length=16, choices=PortalRestrictedAccess.choices, default=PortalRestrictedAccess.LIMITED,
        help_text="Carers with parental responsibility and no restriction see everything; carers under “no contact” "
                  "see nothing and are never invited.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationOwned(models.Model):
    """Every row that belongs to an organisation carries organisation_id; no query crosses it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class SettingKind(models.TextChoices):
    SCHOOL = "school", "School"
    EARLY_YEARS = "early_years", "Early years"
    OUT_OF_SCHOOL_CARE = "out_of_school_care", "Out of school care"
    YOUTH = "youth", "Youth service"


class Jurisdiction(models.TextChoices):
    ENGLAND = "england", "England"
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone, e.g. Europe/London.")


class Setting(OrganisationOwned):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=SettingKind.choices)
    jurisdiction = models.CharField(max_length=32, choices=Jurisdiction.choices, default=Jurisdiction.ENGLAND)
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    urn = models.CharField("URN", max_length=20, blank=True, help_text="Unique reference number, if any")
    phone = models.CharField(max_length=40, blank=True, help_text="The number families call; shown in the carers' portal")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="setting_unique_name_per_organisation")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_school(self) -> bool:
        return self.kind == SettingKind.SCHOOL

    @property
    def key_worker_label(self) -> str:
        """The word for the role on this setting's screens (glossary: the setting's kind chooses it)."""
        return {
            SettingKind.SCHOOL: "key worker",
            SettingKind.EARLY_YEARS: "key person",
            SettingKind.OUT_OF_SCHOOL_CARE: "key contact",
            SettingKind.YOUTH: "key contact",
        }[SettingKind(self.kind)]

    @property
    def group_label(self) -> str:
        return "class" if self.is_school else "room"


class Group(OrganisationOwned):
    """A class (schools) or a room (childcare) inside a setting."""

    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=100)
    year_group = models.CharField(
        max_length=20, blank=True, help_text="For schools: e.g. Reception, Year 6, or Mixed (Years 3–4)"
    )

    class Meta:
        ordering = ["setting_id", "name"]
        constraints = [models.UniqueConstraint(fields=["setting", "name"], name="group_unique_name_per_setting")]

    def __str__(self) -> str:
        return self.name


class Term(OrganisationOwned):
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=60, help_text="e.g. Autumn 2026")
    school_year = models.CharField(max_length=9, help_text="e.g. 2026/27")
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["setting_id", "starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="term_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.name


class HalfTerm(OrganisationOwned):
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="half_terms")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="half_terms")
    name = models.CharField(max_length=60, help_text="e.g. Autumn 1")
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["setting_id", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="half_term_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ClosureKind(models.TextChoices):
    HOLIDAY = "holiday", "Holiday"
    INSET = "inset", "INSET day"
    CLOSURE = "closure", "Closure"


class Closure(OrganisationOwned):
    """Days inside a term when the setting is closed: holidays, INSET days, other closures."""

    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="closures")
    kind = models.CharField(max_length=16, choices=ClosureKind.choices)
    name = models.CharField(max_length=100)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["setting_id", "starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="closure_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.name
