"""Children, families (households) and carers, with each child's key aspects and their change history."""

from django.conf import settings
from django.db import models

from keyworker.organisations.models import Group, OrganisationOwned, Setting

from .upn import upn_problem


class Family(OrganisationOwned):
    name = models.CharField(max_length=150, help_text="How the household is known, e.g. the Okafor family")
    address = models.TextField(blank=True)
    mis_reference = models.CharField(max_length=50, blank=True, help_text="Household identifier in the MIS export")
    created_at = models.DateTimeField(auto_now_add=True)
    # Raised by one on every save: an edit started from an older version is refused, not silently applied.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "families"
        indexes = [
            models.Index(fields=["organisation", "mis_reference"], name="family_mis_ref_idx"),
            # The families list: ORDER BY name, id within an organisation, cut to a page.
            models.Index(fields=["organisation", "name", "id"], name="family_org_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class ContactMethod(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    PHONE = "phone", "Phone call"
    MESSAGING_APP = "messaging_app", "ClassDojo or messaging app"
    EMAIL = "email", "E-mail"
    LETTER = "letter", "Letter or postcard"


class Relationship(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    GRANDPARENT = "grandparent", "Grandparent"
    FOSTER_CARER = "foster_carer", "Foster carer"
    GUARDIAN = "guardian", "Guardian"
    SIBLING = "sibling", "Sibling"
    OTHER_RELATIVE = "other_relative", "Other relative"
    OTHER = "other", "Other"


class ContactRestriction(models.TextChoices):
    NONE = "", "None"
    NO_CONTACT = "no_contact", "No contact"
    COURT_ORDER = "court_order", "Court order"
    INFORMATION_ONLY = "information_only", "Information only (no decisions)"


class Carer(OrganisationOwned):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="carers")
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    title = models.CharField(max_length=20, blank=True)
    relationship = models.CharField(max_length=20, choices=Relationship.choices, default=Relationship.OTHER)
    parental_responsibility = models.BooleanField(default=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    preferred_contact_method = models.CharField(
        max_length=20, choices=ContactMethod.choices, default=ContactMethod.PHONE
    )
    first_language = models.CharField(max_length=60, blank=True, default="English")
    contact_restriction = models.CharField(max_length=20, choices=ContactRestriction.choices, blank=True, default="")
    restriction_notes = models.CharField(max_length=300, blank=True)
    contact_order = models.PositiveSmallIntegerField(default=1, help_text="1 is contacted first")
    # The carer's portal account (see keyworker.people.carer_access): one account may be the carer of
    # families in several organisations. Set when the carer is invited to the portal.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="carer_records"
    )
    # Raised by one on every save: an edit started from an older version is refused, not silently applied.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["family_id", "contact_order", "id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)

    @property
    def may_be_contacted(self) -> bool:
        return self.contact_restriction != ContactRestriction.NO_CONTACT


class ProtectionStatus(models.TextChoices):
    NONE = "", "None"
    CHILD_PROTECTION_PLAN = "child_protection_plan", "Child protection plan"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    EARLY_HELP = "early_help", "Early help"
    LOOKED_AFTER = "looked_after", "Looked after"


# SCH-A2: "If there are Child Protection concerns, the Teacher will always be the key worker."
CHILD_PROTECTION_STATUSES = frozenset({ProtectionStatus.CHILD_PROTECTION_PLAN, ProtectionStatus.CHILD_IN_NEED})


class Child(OrganisationOwned):
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="children")
    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="children")
    group = models.ForeignKey(Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="children")
    legal_first_name = models.CharField(max_length=80)
    legal_last_name = models.CharField(max_length=80)
    preferred_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField()
    upn = models.CharField("UPN", max_length=13, blank=True)
    mis_reference = models.CharField(max_length=50, blank=True)
    year_group = models.CharField(max_length=20, blank=True)
    enrolled_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    has_ehcp = models.BooleanField("has an EHCP", default=False)
    # Before the child's first annual review cycle is opened, the review is owed 12 months after the later of these
    # (SEND Code of Practice 9.166); once a cycle is open, its own dates lead (keyworker.meetings.reviews).
    ehcp_issued_on = models.DateField("EHCP issued on", null=True, blank=True)
    ehcp_last_reviewed_on = models.DateField(
        "EHCP last reviewed on", null=True, blank=True,
        help_text="The last annual review of the plan held before the child's reviews are kept here (e.g. at another school).",
    )
    # Set directly for now; the safeguarding workflow will own it.
    protection_status = models.CharField(max_length=32, choices=ProtectionStatus.choices, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # Raised by one on every save: an edit started from an older version is refused, not silently applied.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["legal_last_name", "legal_first_name", "id"]
        verbose_name_plural = "children"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "upn"], condition=~models.Q(upn=""), name="child_unique_upn_per_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("enrolled_on")),
                name="child_leaves_after_enrolling",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "setting", "group"], name="child_org_setting_group_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.legal_first_name} {self.legal_last_name}"

    @property
    def upn_warning(self) -> str:
        return upn_problem(self.upn)

    @property
    def has_child_protection_status(self) -> bool:
        return self.protection_status in CHILD_PROTECTION_STATUSES


KEY_ASPECT_FIELDS = (
    "first_language",
    "religion",
    "medical_needs",
    "allergies",
    "behaviour_plan",
    "risk_assessments",
    "outside_agencies",
    "family_circumstances",
)


class KeyAspects(OrganisationOwned):
    """What a key worker must know about a child (SCH-3, CC-P1)."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="key_aspects")
    first_language = models.CharField(max_length=60, blank=True)
    religion = models.CharField(max_length=60, blank=True)
    medical_needs = models.TextField(blank=True)
    allergies = models.TextField(blank=True)
    behaviour_plan = models.TextField(blank=True)
    risk_assessments = models.TextField(blank=True)
    outside_agencies = models.TextField(blank=True)
    family_circumstances = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by one on every save: an edit started from an older version is refused, not silently applied.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "key aspects"

    def __str__(self) -> str:
        return f"Key aspects of {self.child}"


class KeyAspectChange(OrganisationOwned):
    """One change to one key aspect: who, when, before, after."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="key_aspect_changes")
    field = models.CharField(max_length=40)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["child", "-changed_at"], name="key_aspect_change_child_idx")]

    def __str__(self) -> str:
        return f"{self.field} of {self.child_id}"

    @property
    def field_label(self) -> str:
        return KeyAspects._meta.get_field(self.field).verbose_name.capitalize()


class KeyAspectsRoute(models.TextChoices):
    PAGE = "page", "Child's page"
    API = "api", "API"
    LIST = "list", "API list"


class KeyAspectsAccess(OrganisationOwned):
    """One read of a child's key aspects (medical needs, allergies, plans…): who, when, how.

    Append-only (database triggers); the ids outlive the child and the person, and `description` names the child.
    """

    child = models.ForeignKey(Child, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+")
    accessed_at = models.DateTimeField()
    route = models.CharField(max_length=10, choices=KeyAspectsRoute.choices)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-accessed_at", "-id"]
        indexes = [models.Index(fields=["organisation", "child", "-accessed_at"], name="key_aspects_access_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} read key aspects of {self.child_id} at {self.accessed_at} ({self.route})"
