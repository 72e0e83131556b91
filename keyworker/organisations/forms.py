"""Forms for setting up an organisation: settings, classes or rooms, the term calendar."""

from django import forms

from keyworker.core import names
from keyworker.core.dates import on_screen

from .models import Closure, Group, HalfTerm, Organisation, Setting, Term

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SettingForm(names.NameFieldsFormMixin, forms.ModelForm):
    name_fields = ("name",)

    class Meta:
        model = Setting
        fields = ["name", "kind", "jurisdiction", "time_zone", "urn"]


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "year_group"]

    def __init__(self, *args, setting: Setting, **kwargs):
        super().__init__(*args, **kwargs)
        self.setting = setting
        if not setting.is_school:
            self.fields["year_group"].label = "Age range"
            self.fields["year_group"].help_text = "e.g. 3–5 years"

    def clean_name(self):
        name = names.clean_name(self.cleaned_data["name"])
        if Group.objects.filter(setting=self.setting, name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"{self.setting} already has a {self.setting.group_label} called {name}.")
        return name


class _Dated(forms.ModelForm):
    def clean(self):
        data = super().clean()
        s, e = data.get("starts_on"), data.get("ends_on")
        if s and e and e < s:
            self.add_error("ends_on", "The last day is before the first day.")
        return data


class TermForm(_Dated):
    class Meta:
        model = Term
        fields = ["name", "school_year", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}
        labels = {"starts_on": "First day", "ends_on": "Last day"}


class HalfTermForm(_Dated):
    class Meta:
        model = HalfTerm
        fields = ["term", "name", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}
        labels = {"starts_on": "First day", "ends_on": "Last day"}

    def __init__(self, *args, setting: Setting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Term.objects.filter(setting=setting)

    def clean(self):
        data = super().clean()
        term, s, e = data.get("term"), data.get("starts_on"), data.get("ends_on")
        if term and s and e and (s < term.starts_on or e > term.ends_on):
            self.add_error("starts_on", f"A half term must lie inside its term ({on_screen(term.starts_on)} to {on_screen(term.ends_on)}).")
        return data


class ClosureForm(_Dated):
    class Meta:
        model = Closure
        fields = ["kind", "name", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}
        labels = {"starts_on": "First day", "ends_on": "Last day"}


class DayForm(forms.Form):
    day = forms.DateField(label="Date", widget=DATE)


class SecondFactorForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["second_factor_for_everyone"]
