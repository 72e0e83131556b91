"""Enrolment forms (CC-P1): what the family tells the setting when a child starts, filled in by a carer in the
carers' portal, reviewed by staff and accepted into the child's key aspects.

The form asks for allergies, medical needs, outside agencies and family circumstances (each answered, "None" is an
answer) and a short fixed list of consents, each answered yes or no (CONSENTS). Until staff accept it, the child's
enrolment is incomplete.
"""

from django.db import models

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import OrganisationOwned, Setting
from keyworker.people.models import Carer, Child, Family

# The settings that ask for an enrolment form: childcare (early years, out of school care, youth).
ENROLMENT_KINDS = frozenset({"early_years", "out_of_school_care", "youth"})

# What the form asks, in order: (field, label, hint). Each is answered before the form can be sent; "None" is fine.
ABOUT = (
    ("allergies", "Allergies", "Foods, medicines or anything else, and what happens. Write “None” if there are none."),
    ("medical_needs", "Medical needs", "Conditions, medicines taken at the setting, care plans. Write “None” if none."),
    ("outside_agencies", "Outside agencies", "Health visitor, speech and language, social care, and who to contact. "
                                             "Write “None” if none."),
    ("family_circumstances", "Family circumstances", "Anything that helps us care for your child: who lives at home, "
                                                     "changes, who may collect. Write “None” if nothing to add."),
)
# The consents the setting asks for, each answered yes or no: a short fixed list (docs/enrolment.md).
CONSENTS = (
    ("photo_consent", "Photos", "Photos of your child may be taken for their learning journal and displays in the setting."),
    ("outings_consent", "Outings", "Your child may go on local walks and outings with staff."),
    ("sun_cream_consent", "Sun cream", "Staff may put on sun cream you provide (or the setting's own) on sunny days."),
    ("emergency_treatment_consent", "Emergency treatment", "In an emergency, staff may take your child to hospital and agree "
                                                          "to treatment advised by doctors if we cannot reach you first."),
)
TEXT_MAX = 2000


class FormState(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SENT = "sent", "Sent to the setting"
    CHANGES_ASKED = "changes_asked", "Changes asked for"
    ACCEPTED = "accepted", "Accepted"


class EnrolmentForm(OrganisationOwned):
    """One child's enrolment form. Carers save and return to it, then send it; staff accept it or ask for changes."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="enrolment_form")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=16, choices=FormState.choices, default=FormState.IN_PROGRESS)
    allergies = models.TextField(blank=True)
    medical_needs = models.TextField(blank=True)
    outside_agencies = models.TextField(blank=True)
    family_circumstances = models.TextField(blank=True)
    # Unanswered until the carer chooses yes or no.
    photo_consent = models.BooleanField(null=True, blank=True)
    outings_consent = models.BooleanField(null=True, blank=True)
    sun_cream_consent = models.BooleanField(null=True, blank=True)
    emergency_treatment_consent = models.BooleanField(null=True, blank=True)
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(Carer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(Carer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_by_name = models.CharField(max_length=200, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changes_note = models.CharField(max_length=500, blank=True, help_text="What staff asked the family to change")
    # The day (in the setting's time zone) staff accepted it: the evidence for CC-P1.
    accepted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["setting_id", "child_id"]
        indexes = [
            # The managers' list: one organisation's forms by state.
            models.Index(fields=["organisation", "state"], name="enrolment_org_state_idx"),
            # The evidence source: accepted forms in a date range.
            models.Index(fields=["organisation", "accepted_on"], name="enrolment_org_accepted_idx"),
        ]

    def __str__(self) -> str:
        return f"Enrolment form of {self.child_id}"

    @property
    def is_accepted(self) -> bool:
        return self.state == FormState.ACCEPTED

    @property
    def carer_may_edit(self) -> bool:
        return self.state in (FormState.IN_PROGRESS, FormState.CHANGES_ASKED)

    @property
    def missing(self) -> list[str]:
        """The labels of the questions not answered yet."""
        out = [label for name, label, _ in ABOUT if not (getattr(self, name) or "").strip()]
        return out + [label for name, label, _ in CONSENTS if getattr(self, name) is None]

    @property
    def answers(self) -> list[tuple[str, str]]:
        return [(label, getattr(self, name)) for name, label, _ in ABOUT]

    @property
    def consents(self) -> list[tuple[str, bool | None]]:
        return [(label, getattr(self, name)) for name, label, _ in CONSENTS]
