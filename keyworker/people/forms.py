"""Forms for families, carers, children and key aspects: validation only."""

from django import forms

from keyworker.core import clock
from keyworker.core.conflicts import VersionField, carry_version
from keyworker.core.dates import date_problem
from keyworker.core.names import NameFieldsFormMixin
from keyworker.organisations.models import Group, Setting

from .models import KEY_ASPECT_FIELDS, Carer, Child, Family, KeyAspects

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FamilyForm(NameFieldsFormMixin, forms.ModelForm):
    name_fields = ("name",)
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        carry_version(self, self.instance)

    class Meta:
        model = Family
        fields = ["name", "address", "mis_reference"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class CarerForm(NameFieldsFormMixin, forms.ModelForm):
    name_fields = ("title", "first_name", "last_name")
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        carry_version(self, self.instance)

    class Meta:
        model = Carer
        fields = [
            "title", "first_name", "last_name", "relationship", "parental_responsibility", "phone", "email", "address",
            "preferred_contact_method", "first_language", "contact_restriction", "restriction_notes", "contact_order",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        method, phone, email = data.get("preferred_contact_method"), data.get("phone"), data.get("email")
        if method == "phone" and not phone:
            self.add_error("phone", "Phone is the preferred method: give a phone number.")
        if method == "email" and not email:
            self.add_error("email", "E-mail is the preferred method: give an e-mail address.")
        if data.get("contact_restriction") and not data.get("restriction_notes"):
            self.add_error("restriction_notes", "Say what the restriction is, e.g. which order and what it allows.")
        return data


class ChildForm(NameFieldsFormMixin, forms.ModelForm):
    name_fields = ("legal_first_name", "legal_last_name", "preferred_name")
    version = VersionField()

    class Meta:
        model = Child
        fields = [
            "legal_first_name", "legal_last_name", "preferred_name", "date_of_birth", "upn", "mis_reference",
            "setting", "group", "year_group", "enrolled_on", "left_on", "has_ehcp", "ehcp_issued_on", "ehcp_last_reviewed_on",
        ]
        widgets = {"date_of_birth": DATE, "enrolled_on": DATE, "left_on": DATE, "ehcp_issued_on": DATE,
                   "ehcp_last_reviewed_on": DATE}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        carry_version(self, self.instance)
        self.fields["setting"].queryset = Setting.objects.filter(organisation=organisation)
        self.fields["group"].queryset = Group.objects.filter(organisation=organisation).select_related("setting")
        self.fields["group"].label = "Class or room"
        self.fields["setting"].empty_label = "Choose…"
        self.fields["group"].empty_label = "Choose…" if self.fields["group"].required else "None yet"
        self.fields["group"].label_from_instance = lambda g: f"{g.name} ({g.setting.name})"
        self.fields["upn"].help_text = "13 characters. A wrong check letter is shown as a warning; the pupil is still saved."

    def clean(self):
        data = super().clean()
        dob, enrolled, left = data.get("date_of_birth"), data.get("enrolled_on"), data.get("left_on")
        today = clock.today()
        for name in ("date_of_birth", "enrolled_on", "left_on", "ehcp_issued_on", "ehcp_last_reviewed_on"):
            if problem := date_problem(data.get(name), today=today):
                self.add_error(name, problem)
                dob, enrolled, left = (None, None, None)
        if dob and enrolled and enrolled < dob:
            self.add_error("enrolled_on", "The enrolment date is before the date of birth.")
        if enrolled and left and left < enrolled:
            self.add_error("left_on", "The leaving date is before the enrolment date.")
        group, setting = data.get("group"), data.get("setting")
        if group and setting and group.setting_id != setting.pk:
            self.add_error("group", f"{group} is not a class or room of {setting}.")
        return data


class KeyAspectsForm(forms.ModelForm):
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version  # 1 for a child whose key aspects are not saved yet

    class Meta:
        model = KeyAspects
        fields = list(KEY_ASPECT_FIELDS)
        widgets = {f: forms.Textarea(attrs={"rows": 2}) for f in KEY_ASPECT_FIELDS if f not in ("first_language", "religion")}
        help_texts = {
            "medical_needs": "Conditions, medication, care needs",
            "outside_agencies": "e.g. speech and language therapy, CAMHS, social care",
            "family_circumstances": "Anything the class team should know, e.g. a new baby, a bereavement",
        }
