"""Forms for setting up an organisation: settings, classes or rooms, the term calendar."""

from django import forms

from keyworker.core import names
from keyworker.core.dates import on_screen

from .models import (
    Closure,
    Group,
    HalfTerm,
    Jurisdiction,
    Organisation,
    Setting,
    SettingKind,
    Term,
    validate_time_zone,
)
from .short_names import SLUG_MAX, slug_problem, slug_suggest

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SettingForm(names.NameFieldsFormMixin, forms.ModelForm):
    name_fields = ("name",)

    class Meta:
        model = Setting
        fields = ["name", "kind", "jurisdiction", "time_zone", "urn", "phone"]


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


class GroupsForm(forms.Form):
    """Several classes or rooms at once: one per line, its name and (after a comma) its year group or age range."""

    lines = forms.CharField(
        label="Classes, one per line", widget=forms.Textarea(attrs={"rows": 6}), max_length=20000,
        help_text="The name, then a comma and the year group if you like: e.g. “Oak, Year 5”. Use the names your MIS "
                  "export uses, so that the import finds them.",
        error_messages={"required": "Enter at least one class, one per line."},
    )

    def __init__(self, *args, setting: Setting, **kwargs):
        super().__init__(*args, **kwargs)
        self.setting = setting
        if not setting.is_school:
            self.fields["lines"].label = "Rooms, one per line"
            self.fields["lines"].help_text = "The name, then a comma and the age range if you like: e.g. “Acorns, 2–3 years”."
            self.fields["lines"].error_messages["required"] = "Enter at least one room, one per line."

    def clean_lines(self) -> list[dict[str, str]]:
        label = self.setting.group_label
        existing = {n.casefold() for n in Group.objects.filter(setting=self.setting).values_list("name", flat=True)}
        rows, seen, problems = [], set(), []
        for number, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not raw.strip():
                continue
            name, _, year_group = (part.strip() for part in raw.partition(","))
            try:
                name = names.clean_name(name) if name else ""
            except forms.ValidationError as exc:
                problems.append(f"Line {number}: {' '.join(exc.messages)}")
                continue
            if not name:
                problems.append(f"Line {number}: give the {label}'s name before the comma.")
            elif len(name) > 100 or len(year_group) > 20:
                problems.append(f"Line {number}: the name may have 100 characters and the year group 20.")
            elif name.casefold() in existing:
                problems.append(f"Line {number}: {self.setting} already has a {label} called {name}.")
            elif name.casefold() in seen:
                problems.append(f"Line {number}: {name} is named twice.")
            else:
                seen.add(name.casefold())
                rows.append({"name": name, "year_group": year_group})
        if problems:
            raise forms.ValidationError(problems)
        if not rows:
            raise forms.ValidationError(self.fields["lines"].error_messages["required"])
        return rows


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


class PortalAccessForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["portal_restricted_access"]
        widgets = {"portal_restricted_access": forms.RadioSelect}


def _or(values: list[str]) -> str:
    return ", ".join(values[:-1]) + " or " + values[-1]


class NewOrganisationForm(names.NameFieldsFormMixin, forms.Form):
    """A new organisation and its first setting: the first-run page, the installation's page, the command and the
    API all validate with it (the short name is suggested from the name when left empty)."""

    name_fields = ("name", "setting_name")

    name = forms.CharField(label="Organisation name", max_length=200, help_text="e.g. Oak Tree Primary School or Acorn Childcare Group")
    slug = forms.CharField(
        label="Short name", max_length=SLUG_MAX, required=False,
        help_text="Small letters, digits and hyphens, e.g. oak-school. The keyworker commands use it. "
                  "Left empty, it is made from the name.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"}),
    )
    setting_name = forms.CharField(
        label="First setting's name", max_length=200, required=False,
        help_text="The school, nursery, club or youth service itself. Left empty, it takes the organisation's name.",
    )
    kind = forms.ChoiceField(label="Kind of setting", choices=SettingKind.choices, error_messages={
        "invalid_choice": f"“%(value)s” is not a kind of setting: choose {_or(SettingKind.values)}."})
    jurisdiction = forms.ChoiceField(label="Jurisdiction", choices=Jurisdiction.choices, initial=Jurisdiction.ENGLAND,
                                     error_messages={"invalid_choice": f"“%(value)s” is not a jurisdiction: choose "
                                                                       f"{_or(Jurisdiction.values)}."},
                                     help_text="Which nation's rules apply: bank holidays, attendance codes.")
    time_zone = forms.CharField(label="Time zone", max_length=64, initial="Europe/London",
                                help_text="e.g. Europe/London", validators=[validate_time_zone])

    def clean(self):
        data = super().clean()
        name = data.get("name")
        slug = (data.get("slug") or "").strip().lower() or (slug_suggest(name) if name else "")
        if slug or name:
            data["slug"] = slug
            problem = slug_problem(slug)
            if problem:
                self.add_error("slug", problem)
        if name:
            data["setting_name"] = data.get("setting_name") or name
        return data


class OrganisationAdminForm(names.NameFieldsFormMixin, forms.ModelForm):
    """The admin site's organisation form: names cleaned and short names checked as everywhere else."""

    name_fields = ("name",)

    class Meta:
        model = Organisation
        fields = ["name", "slug", "second_factor_for_everyone"]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        problem = slug_problem(slug, exclude_pk=self.instance.pk)
        if problem:
            raise forms.ValidationError(problem)
        return slug
