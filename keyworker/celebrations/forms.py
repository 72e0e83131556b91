"""Forms for recording, sharing, filtering and voiding celebrations, and the positivity rule; rules live in the services."""

import datetime as dt

from django import forms

from keyworker.people.models import Child

from .models import CelebrationKind, PositivityWindow, SharedHow
from .services import NOTE_MAX, POINTS_MAX, REASON_MAX, TITLE_MAX

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
NOT_YET = ""


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(label: str, *, required: bool, help_text: str = "", example: str = "18/11/2026") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=DateInput(), input_formats=DATE_FORMATS, help_text=help_text,
        error_messages={"required": f"Enter the date, for example {example}.", "invalid": f"Enter a real date, for example {example}."},
    )


class CelebrationForm(forms.Form):
    child = forms.TypedChoiceField(label="Who is it for?", coerce=int, widget=forms.RadioSelect,
                                   error_messages={"required": "Choose the child to celebrate.",
                                                   "invalid_choice": "Choose one of the children listed."})
    kind = forms.ChoiceField(label="What kind of celebration", choices=CelebrationKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose what kind of celebration it is.",
                                             "invalid_choice": "Choose one of the kinds listed."})
    points = forms.IntegerField(label="How many Dojo Points", required=False, min_value=1, max_value=POINTS_MAX,
                                help_text="Only for Dojo Points.",
                                error_messages={"invalid": "Enter a whole number of points, for example 5.",
                                                "min_value": "Enter 1 point or more.",
                                                "max_value": f"Enter {POINTS_MAX} points or fewer."})
    title = forms.CharField(label="What it is for", max_length=TITLE_MAX,
                            help_text="A few words the family will read, for example “Read a whole page aloud to the class”.",
                            error_messages={"required": "Say what it is for, for example “Read a whole page aloud to the class”.",
                                            "max_length": f"Keep what it is for to {TITLE_MAX} characters or fewer; add more in the note."})
    note = forms.CharField(label="Note", required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"max_length": f"Keep the note to {NOTE_MAX} characters or fewer."})
    celebrated_on = _date("Date", required=True, help_text="Today unless you are recording an earlier celebration (up to a year ago).")
    shared_how = forms.ChoiceField(label="Shared with the family?", required=False, widget=forms.RadioSelect,
                                   choices=[*SharedHow.choices, (NOT_YET, "Not yet")],
                                   help_text="Sharing it records a celebration contact with the family.",
                                   error_messages={"invalid_choice": "Choose how it was shared, or “Not yet”."})
    shared_on = _date("Shared on", required=False, help_text="Today if left empty.")

    def __init__(self, *args, children: list[Child], today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [(c.pk, f"{c.display_name}{f' ({c.group.name})' if c.group_id and c.group else ''}")
                                        for c in children]
        self.fields["celebrated_on"].widget.attrs["max"] = today.isoformat()
        self.fields["shared_on"].widget.attrs["max"] = today.isoformat()
        self.fields["title"].widget.attrs["autocomplete"] = "off"

    def clean_title(self) -> str:
        return " ".join((self.cleaned_data.get("title") or "").split())

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") and data.get("kind") != CelebrationKind.DOJO_POINTS:
            data["points"] = None  # a number left in the box from another choice is not an error
        if not data.get("shared_how"):
            data["shared_on"] = None
        return data


class ShareForm(forms.Form):
    shared_how = forms.ChoiceField(label="How was it shared?", choices=SharedHow.choices, widget=forms.RadioSelect,
                                   error_messages={"required": "Choose how it was shared with the family."})
    shared_on = _date("Shared on", required=False, help_text="Today if left empty.")


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason for voiding", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The celebration stays in the record, marked void, and no longer counts.",
        error_messages={"required": "Enter why this celebration is voided, for example “Recorded for the wrong child”."},
    )
    void_contact = forms.BooleanField(label="Also void the contact recorded when it was shared", required=False)

    def __init__(self, *args, has_contact: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_contact:
            del self.fields["void_contact"]


class CelebrationFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *CelebrationKind.choices])
    setting = forms.TypedChoiceField(label="Setting", required=False, coerce=int, empty_value=None)
    group = forms.TypedChoiceField(label="Class", required=False, coerce=int, empty_value=None)
    staff = forms.TypedChoiceField(label="Recorded by", required=False, coerce=int, empty_value=None)
    key_worker = forms.TypedChoiceField(label="Key worker's families", required=False, coerce=int, empty_value=None)
    shared = forms.ChoiceField(label="Shared", required=False,
                               choices=[("", "Shared or not"), ("yes", "Shared with the family"), ("no", "Not shared yet")])
    date_from = forms.DateField(label="From", required=False, widget=DateInput(), input_formats=DATE_FORMATS,
                                error_messages={"invalid": "Enter a real date, for example 2/11/2026."})
    date_to = forms.DateField(label="To", required=False, widget=DateInput(), input_formats=DATE_FORMATS,
                              error_messages={"invalid": "Enter a real date, for example 18/11/2026."})
    family = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    child = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    mine = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, settings: list, groups: list, staff: list, **kwargs):
        super().__init__(*args, **kwargs)
        invalid = {"invalid_choice": "Choose one of the options listed."}
        self.fields["setting"].choices = [("", "All settings"), *[(s.pk, s.name) for s in settings]]
        self.fields["group"].choices = [("", "All classes"), *[(g.pk, g.name) for g in groups]]
        self.fields["staff"].choices = [("", "Anyone"), *[(m.pk, m.user.full_name) for m in staff]]
        self.fields["key_worker"].choices = [("", "Any key worker"), *[(m.pk, m.user.full_name) for m in staff]]
        for name in ("setting", "group", "staff", "key_worker", "kind", "shared"):
            self.fields[name].error_messages.update(invalid)
        if len(settings) < 2:
            del self.fields["setting"]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date cannot be before the start date.")
        return data


class PositivityRuleForm(forms.Form):
    threshold_percent = forms.IntegerField(
        label="Positive share needed (%)", min_value=0, max_value=100,
        help_text="“Predominantly positive” means more than this share of contacts are positive or celebrations. 50 means more than half.",
        error_messages={"required": "Enter a percentage from 0 to 100, for example 50.",
                        "invalid": "Enter a whole number from 0 to 100, for example 50.",
                        "min_value": "Enter a percentage from 0 to 100.", "max_value": "Enter a percentage from 0 to 100."},
    )
    min_contacts = forms.IntegerField(
        label="Contacts before a family can be flagged", min_value=1, max_value=50,
        help_text="A family with fewer contacts in the window is only flagged when its last 3 contacts were all concerns.",
        error_messages={"required": "Enter a number of contacts from 1 to 50, for example 3.",
                        "invalid": "Enter a whole number, for example 3.",
                        "min_value": "Enter 1 or more.", "max_value": "Enter 50 or fewer."},
    )
    window = forms.ChoiceField(label="Window", choices=PositivityWindow.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Choose the window: this half term or the last N days."})
    window_days = forms.IntegerField(
        label="Number of days (for “the last N days”)", min_value=7, max_value=365,
        error_messages={"required": "Enter a number of days from 7 to 365, for example 42.",
                        "invalid": "Enter a whole number of days, for example 42.",
                        "min_value": "Enter 7 days or more.", "max_value": "Enter 365 days or fewer."},
    )
