"""Forms of the transition pages: they only check input; the services decide."""

import datetime as dt
import zoneinfo

from django import forms

from .models import TEXT_MAX


class PlanForm(forms.Form):
    destination_school = forms.CharField(label="Destination school", max_length=200)
    destination_contact = forms.CharField(label="Contact person at the new school", max_length=200, required=False)
    destination_phone = forms.CharField(label="Their phone", max_length=40, required=False)
    destination_email = forms.EmailField(label="Their e-mail", required=False)
    family_notes = forms.CharField(label="What the family needs to know", max_length=TEXT_MAX, required=False,
                                   help_text="Uniform, travel, what to bring, who to ask: the family sees this in the portal.",
                                   widget=forms.Textarea(attrs={"rows": 4}))


class NewPlanForm(PlanForm):
    field_order = ["child"]

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"] = forms.TypedChoiceField(
            label="Pupil", coerce=int, choices=[("", "Choose a pupil")] + [(c.pk, _child_label(c)) for c in children],
            error_messages={"invalid_choice": "Choose a pupil of your school.", "required": "Choose a pupil."},
        )
        self.order_fields(["child"])


def _child_label(child) -> str:
    year = child.year_group or (child.group.year_group if child.group_id and child.group else "")
    return f"{child.display_name} ({year})" if year else child.display_name


class VisitForm(forms.Form):
    day = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label="Starts", widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label="Ends", widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label="Where", max_length=200, required=False,
                            help_text="For example “Main reception, Hillside High School”.")
    staff = forms.MultipleChoiceField(label="Staff going", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [(str(s.pk), s.user.full_name) for s in staff]
        self.fields["staff"].error_messages["invalid_choice"] = "Choose staff of your school."

    def moments(self, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
        """The visit's start and end, aware, in the setting's time zone (the service compares and stores UTC)."""
        tz = zoneinfo.ZoneInfo(time_zone or "Europe/London")
        day = self.cleaned_data["day"]
        return (dt.datetime.combine(day, self.cleaned_data["starts"], tzinfo=tz),
                dt.datetime.combine(day, self.cleaned_data["ends"], tzinfo=tz))


class WriteUpForm(forms.Form):
    write_up = forms.CharField(label="How the visit went", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text="In words the family will read: what your child saw, who they met, how they felt.")
