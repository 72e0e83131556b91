"""Forms of the annual review pages, staff and portal. They only read input; keyworker.meetings.reviews holds the rules."""

import datetime as dt
import zoneinfo

from django import forms

from .reviews import FAMILY_VIEWS_MAX, MARKABLE, STEP_LABELS

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
TIME_FORMATS = ["%H:%M"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, help_text=help_text, widget=DateInput(), input_formats=DATE_FORMATS, error_messages={
        "required": "Enter a date, for example 18/11/2026.", "invalid": "Enter a real date, for example 18/11/2026."})


class OpenReviewForm(forms.Form):
    last_review_on = _date("Date of the last annual review", "For a first review: the day the plan was issued.")


class ScheduleForm(forms.Form):
    day = _date("Day of the meeting")
    starts = forms.TimeField(label="Starts at", input_formats=TIME_FORMATS, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                             error_messages={"required": "Enter the time it starts, for example 14:00.",
                                             "invalid": "Enter a time such as 14:00."})
    minutes = forms.IntegerField(label="Length in minutes", min_value=15, max_value=240, initial=60, error_messages={
        "required": "Enter how long it lasts, in minutes.", "min_value": "Give at least 15 minutes.",
        "max_value": "Give 240 minutes (4 hours) at most.", "invalid": "Enter a whole number of minutes."})
    place = forms.CharField(label="Place", max_length=200, required=False, help_text="A room, or “Video call”.")

    def times(self, tz_name: str) -> tuple[dt.datetime, dt.datetime]:
        d = self.cleaned_data
        starts_at = dt.datetime.combine(d["day"], d["starts"], tzinfo=zoneinfo.ZoneInfo(tz_name))
        return starts_at, starts_at + dt.timedelta(minutes=d["minutes"])


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=[(s, STEP_LABELS[s]) for s in MARKABLE], widget=forms.HiddenInput,
                             error_messages={"required": "Choose a step.", "invalid_choice": "Choose one of the steps listed."})
    on = forms.DateField(label="Date", required=False, widget=DateInput(), input_formats=DATE_FORMATS,
                         error_messages={"invalid": "Enter a real date, for example 18/11/2026."})


class ShareBookletForm(forms.Form):
    shared_with = forms.CharField(label="Shared with", max_length=300, help_text="Who in the family, and how: “Mum, at the review”.",
                                  error_messages={"required": "Say who in the family it was shared with.",
                                                  "max_length": "Keep it to 300 characters or fewer."})


def _answer(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(label=label, help_text=help_text, required=False, max_length=FAMILY_VIEWS_MAX,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           error_messages={"max_length": f"Keep this to {FAMILY_VIEWS_MAX} characters or fewer."})


class FamilyViewsForm(forms.Form):
    """“All about my family”: four questions; "Save and come back later" or "Save: it is done"."""

    going_well = _answer("What is going well", "At home, at school, for your child and for your family.")
    hard = _answer("What is hard", "Anything that is difficult at the moment.")
    hopes = _answer("What we hope for", "For the next year and for the future.")
    questions = _answer("Questions for the meeting", "Anything you would like to ask or talk about.")

    def done(self) -> bool:
        return "done" in self.data
