"""Forms of the care plan pages: they only check input; the services decide."""

import datetime as dt

from django import forms

from keyworker.accounts.models import StaffMember
from keyworker.organisations.models import Jurisdiction, Setting

from .models_plans import (
    COMMENT_MAX,
    DEFAULT_CHANGE_DAYS,
    NOTE_MAX,
    REVIEW_DAYS_MAX,
    REVIEW_DAYS_MIN,
    SECTIONS,
    TEXT_MAX,
    ChildChose,
)
from .plans_selectors import setting_staff
from .plans_services import DAYS_PROBLEM, SUMMARY_MAX

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: StaffMember) -> str:
        return obj.user.full_name + (f" ({obj.job_title})" if obj.job_title else "")


def _section_fields(form: forms.Form) -> None:
    for name, label, hint in SECTIONS:
        form.fields[name] = forms.CharField(label=label, help_text=hint, required=False, max_length=TEXT_MAX,
                                            widget=forms.Textarea(attrs={"rows": 3}))


class CarePlanForm(forms.Form):
    """A new version of the plan: every part, as it should read now."""

    def __init__(self, *args, setting: Setting, change_days: int = DEFAULT_CHANGE_DAYS, **kwargs):
        super().__init__(*args, **kwargs)
        _section_fields(self)
        self.fields["summary"] = forms.CharField(label="What changed", max_length=SUMMARY_MAX, required=False,
                                                 help_text="One line for the history, e.g. “New inhaler since March”.")
        if setting.jurisdiction == Jurisdiction.SCOTLAND:
            self.fields["significant_change"] = forms.BooleanField(
                label=f"This is a significant change: review the plan within {change_days} days", required=False)

    @property
    def section_values(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name, _, _ in SECTIONS}


class CarePlanReviewForm(forms.Form):
    """A review: when, who did it, whom the child chose, notes, and the plan as it reads after the review."""

    reviewed_on = forms.DateField(
        label="Date of the review", widget=DateInput(), input_formats=DATE_FORMATS,
        error_messages={"required": "Enter the date, for example 18/11/2026.",
                        "invalid": "Enter a real date, for example 18/11/2026."})
    child_chose = forms.ChoiceField(label="Whom the child chose to do the review with", choices=ChildChose.choices,
                                    widget=forms.RadioSelect,
                                    error_messages={"required": "Say whom the child chose, or that it was not recorded."})
    notes = forms.CharField(label="Notes", max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="What you talked about and what the child said.")

    def __init__(self, *args, setting: Setting, key_worker_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        staff = setting_staff(setting)
        self.fields["child_chose"].choices = [
            (ChildChose.KEY_WORKER, f"Their {key_worker_label}"), (ChildChose.STAFF, "Another staff member (choose below)"),
            (ChildChose.NOT_RECORDED, "Not recorded")]
        self.fields["chosen_staff"] = StaffChoice(
            label="The staff member the child chose", queryset=staff, required=False, empty_label="Choose…",
            help_text=f"Any staff member of {setting.name}.")
        self.fields["done_by"] = StaffChoice(label="Who did the review", queryset=staff, empty_label="Choose…",
                                             error_messages={"required": f"Choose a staff member of {setting.name}.",
                                                             "invalid_choice": f"Choose a staff member of {setting.name}."})
        self.fields["chosen_staff"].error_messages["invalid_choice"] = f"The child chooses a staff member of {setting.name}."
        order = ["reviewed_on", "child_chose", "chosen_staff", "done_by", "notes"]
        self.order_fields(order)
        _section_fields(self)
        self.fields["summary"] = forms.CharField(label="What changed in the plan", max_length=SUMMARY_MAX, required=False,
                                                 help_text="Only if you changed the plan above.")

    @property
    def section_values(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name, _, _ in SECTIONS}

    @staticmethod
    def initial_for(version, actor_staff, today: dt.date) -> dict:
        data = {"reviewed_on": today, "done_by": actor_staff.pk if actor_staff else None}
        if version is not None:
            data.update({name: getattr(version, name) for name, _, _ in SECTIONS})
        return data


class CarePlanCommentForm(forms.Form):
    body = forms.CharField(label="Your comment", max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "Write your comment."})
    asks_review = forms.BooleanField(label="Please review the plan with us", required=False)


def _days_field(label: str, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, help_text=help_text,
                              widget=forms.NumberInput(attrs={"min": REVIEW_DAYS_MIN, "max": REVIEW_DAYS_MAX,
                                                              "inputmode": "numeric"}),
                              error_messages={"required": DAYS_PROBLEM, "invalid": DAYS_PROBLEM})


class ReviewDaysForm(forms.Form):
    """The care plan review numbers a setting chooses (on the checklists' set-up page); the service checks the range.
    The significant change rule is Scotland's only: the field is there for a setting in Scotland."""

    request_days = _days_field("Days to review a plan after the family asks for a review",
                               f"From {REVIEW_DAYS_MIN} to {REVIEW_DAYS_MAX}. Families ask in the portal and are told "
                               "this number; the key person sees the request on My week.")

    def __init__(self, *args, setting: Setting, **kwargs):
        super().__init__(*args, **kwargs)
        if setting.jurisdiction == Jurisdiction.SCOTLAND:
            self.fields["change_days"] = _days_field(
                "Days to review a plan after a significant change",
                f"From {REVIEW_DAYS_MIN} to {REVIEW_DAYS_MAX}, counted from the day a version marked “a significant "
                "change” is saved.")
