"""Forms for recording, filtering, editing and voiding contact logs; rules live in the services."""

import datetime as dt

from django import forms

from keyworker.people.models import Carer, Child

from .models import Channel, ContactLog, Direction, Tone
from .services import FOLLOW_UP_MAX, REASON_MAX, WRITE_UP_MAX

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ContactForm(forms.Form):
    carer = forms.IntegerField(
        label="Who did you speak to or write to?", required=False, widget=forms.RadioSelect,
        error_messages={"invalid": "Choose one of the carers listed."},
    )
    channel = forms.ChoiceField(label="How", choices=Channel.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Choose how the contact was made."})
    tone = forms.ChoiceField(label="Tone", choices=Tone.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose the tone of the contact: celebration, positive, neutral or concern."})
    write_up = forms.CharField(
        label="Write-up", max_length=WRITE_UP_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A sentence or two: what was said and agreed.",
        error_messages={"required": "Write at least a sentence about the contact (5 words or more): what was said and agreed."},
    )
    direction = forms.ChoiceField(label="Who made contact", choices=Direction.choices, widget=forms.RadioSelect,
                                  initial=Direction.FROM_SCHOOL, error_messages={"required": "Choose who made the contact."})
    happened_on = forms.DateField(
        label="Date of the contact", widget=DateInput(), input_formats=DATE_FORMATS,
        help_text="Today unless you are recording an earlier contact.",
        error_messages={"required": "Enter the date of the contact, for example 18/11/2026.",
                        "invalid": "Enter a real date, for example 18/11/2026."},
    )
    children = forms.ModelMultipleChoiceField(
        label="Which children was it about?", queryset=Child.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose children of this family only.", "invalid_pk_value": "Choose children of this family only."},
    )
    follow_up = forms.CharField(label="Follow-up action", required=False, max_length=FOLLOW_UP_MAX,
                                widget=forms.Textarea(attrs={"rows": 2}), help_text="What you or the family will do next.")
    follow_up_on = forms.DateField(label="Follow up by", required=False, widget=DateInput(), input_formats=DATE_FORMATS,
                                   error_messages={"invalid": "Enter a real date, for example 25/11/2026."})

    def __init__(self, *args, carers: list[Carer], children: list[Child], today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c.pk, f"{c.full_name} ({c.get_relationship_display()}) – prefers {c.get_preferred_contact_method_display()}")
                   for c in carers]
        self.fields["carer"].widget.choices = [*choices, ("", "Not a particular carer")]
        self.fields["children"].queryset = Child.objects.filter(pk__in=[c.pk for c in children])
        self.fields["children"].choices = [(c.pk, c.display_name) for c in children]
        self.fields["happened_on"].widget.attrs["max"] = today.isoformat()
        if len(children) < 2:
            self.fields["children"].help_text = "Leave empty when it was about the whole family."

    def clean_write_up(self) -> str:
        return (self.cleaned_data.get("write_up") or "").strip()

    def bound_carer_id(self) -> int | None:
        return self.cleaned_data.get("carer")


def initial_for(contact: ContactLog) -> dict:
    return {
        "carer": contact.carer_id or "", "channel": contact.channel, "tone": contact.tone, "write_up": contact.write_up,
        "direction": contact.direction, "happened_on": contact.happened_on, "children": [c.pk for c in contact.children.all()],
        "follow_up": contact.follow_up, "follow_up_on": contact.follow_up_on,
    }


class ContactFilterForm(forms.Form):
    tone = forms.ChoiceField(label="Tone", required=False, choices=[("", "Any tone"), *Tone.choices])
    channel = forms.ChoiceField(label="How", required=False, choices=[("", "Any way"), *Channel.choices])
    date_from = forms.DateField(label="From", required=False, widget=DateInput(), input_formats=DATE_FORMATS,
                                error_messages={"invalid": "Enter a real date, for example 2/11/2026."})
    date_to = forms.DateField(label="To", required=False, widget=DateInput(), input_formats=DATE_FORMATS,
                              error_messages={"invalid": "Enter a real date, for example 18/11/2026."})
    family = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason for voiding", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The contact stays in the record, marked void, and no longer counts as contact with the family.",
        error_messages={"required": "Enter why this contact is voided, for example “Recorded against the wrong family”."},
    )
