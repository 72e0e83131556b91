"""Forms of the safeguarding pages; the rules live in the services."""

import datetime as dt

from django import forms

from keyworker.accounts.models import StaffMember
from keyworker.contacts.forms import DATE_FORMATS, DateInput
from keyworker.contacts.services import word_count
from keyworker.core.dates import on_screen
from keyworker.people.models import Child, ProtectionStatus

from .models import Agency, SafeguardingCategory
from .services import MIN_WORDS, PRESENT_MAX, REFERENCE_MAX, SENT_TO_MAX, TEXT_MAX


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%H:%M")


def _date(label: str, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), input_formats=DATE_FORMATS, help_text=help_text,
                           error_messages={"required": f"Enter the {label.lower()}, for example 18/11/2026.",
                                           "invalid": "Enter a real date, for example 18/11/2026."})


class ChildChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Child) -> str:
        return f"{obj.display_name}" + (f" ({obj.group.name})" if obj.group_id else "")


class ChildrenChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Child) -> str:
        return f"{obj.display_name}" + (f" ({obj.group.name})" if obj.group_id else "")


class ConcernForm(forms.Form):
    child = ChildChoice(label="Which child is it about?", queryset=Child.objects.none(), empty_label="Choose…",
                        error_messages={"required": "Choose the child the concern is about.",
                                        "invalid_choice": "Choose one of the children listed."})
    category = forms.ChoiceField(label="Kind of concern", choices=SafeguardingCategory.choices, widget=forms.RadioSelect,
                                 error_messages={"required": "Choose the kind of concern, or “Other”.",
                                                 "invalid_choice": "Choose the kind of concern, or “Other”."})
    what_happened = forms.CharField(
        label="What did you see or hear?", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="In your own words, and the child's words exactly as they said them. Facts, not opinions.",
        error_messages={"required": "Write what you saw or heard: at least a sentence (5 words or more).",
                        "max_length": f"Keep it to {TEXT_MAX} characters or fewer."},
    )
    happened_on = _date("Date it happened", help_text="Today unless it happened earlier.")
    happened_time = forms.TimeField(label="Time it happened", widget=TimeInput(), input_formats=["%H:%M"],
                                    help_text="Your best estimate if you are not sure, for example 10:15.",
                                    error_messages={"required": "Enter the time it happened, for example 10:15.",
                                                    "invalid": "Enter a time, for example 10:15."})
    present = forms.CharField(label="Who else was present?", required=False, max_length=PRESENT_MAX,
                              error_messages={"max_length": f"Keep it to {PRESENT_MAX} characters or fewer."})
    lead_told = forms.BooleanField(label="I have told a safeguarding lead in person", required=False)
    siblings = ChildrenChoice(label="Brothers or sisters involved", queryset=Child.objects.none(), required=False,
                              widget=forms.CheckboxSelectMultiple,
                              error_messages={"invalid_choice": "Choose children listed.", "invalid_pk_value": "Choose children listed."})
    others = ChildrenChoice(label="Other pupils involved", queryset=Child.objects.none(), required=False,
                            widget=forms.SelectMultiple(attrs={"size": 6, "data-picker": "children"}),
                            help_text="Choose each pupil involved (hold Ctrl or Cmd to choose more than one).",
                            error_messages={"invalid_choice": "Choose children listed.", "invalid_pk_value": "Choose children listed."})

    def __init__(self, *args, children, siblings, others, tz: str = "Europe/London", **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.fields["child"].queryset = children
        if siblings is None:
            del self.fields["siblings"]
        else:
            self.fields["siblings"].queryset = siblings
        self.fields["others"].queryset = others

    def clean_what_happened(self) -> str:
        text = self.cleaned_data["what_happened"].strip()
        if word_count(text) < MIN_WORDS:
            raise forms.ValidationError(f"Write at least a sentence ({MIN_WORDS} words or more): what you saw or heard.")
        return text

    def happened_at(self) -> dt.datetime | None:
        day = self.cleaned_data.get("happened_on")
        if day is None:
            return None
        moment = self.cleaned_data.get("happened_time")
        if moment is None:  # asked for: a blank time is an error on the field, never the time of sending
            return None
        import zoneinfo

        return dt.datetime.combine(day, moment, tzinfo=zoneinfo.ZoneInfo(self.tz))

    def linked(self) -> list[Child]:
        out = list(self.cleaned_data.get("siblings") or []) + list(self.cleaned_data.get("others") or [])
        return out


class TextForm(forms.Form):
    text = forms.CharField(label="What to add or correct", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Write at least a sentence (5 words or more)."})


class CloseForm(forms.Form):
    text = forms.CharField(label="Summary and outcome", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="What happened, what was done and the outcome: it closes the concern.",
                           error_messages={"required": "Write a summary (5 words or more)."})


class EntryForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput)
    concern = forms.TypedChoiceField(label="About which concern", required=False, coerce=int, empty_value=None,
                                     error_messages={"invalid_choice": "Choose one of this child's concerns."})
    text = forms.CharField(label="Summary", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": "Write at least a sentence (5 words or more)."})
    reason = forms.CharField(label="Reasons", required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    assigned_to = forms.ModelChoiceField(label="Who will do it", queryset=StaffMember.objects.none(), required=False,
                                         empty_label="Choose…", error_messages={"invalid_choice": "Choose a member of staff listed."})
    due_on = _date("Due date", required=False)
    agency = forms.ChoiceField(label="Referred to", choices=[("", "Choose…"), *Agency.choices], required=False,
                               error_messages={"invalid_choice": "Choose who the referral was made to."})
    made_on = _date("Date made", required=False)
    reference = forms.CharField(label="Their reference", required=False, max_length=REFERENCE_MAX)
    decision_due_on = _date("Decision expected by", required=False,
                            help_text="Children's services decide within 1 working day: filled in if left blank.")
    follow_up_on = _date("Follow up on", required=False)

    KIND_FIELDS = {
        "action": ("concern", "text", "assigned_to", "due_on"),
        "decision": ("concern", "text", "reason"),
        "referral": ("concern", "text", "agency", "made_on", "reference", "decision_due_on", "follow_up_on"),
        "outcome": ("concern", "text"),
    }

    def __init__(self, *args, kind: str, concerns: list, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = kind
        self.fields["concern"].choices = [("", "Not about one concern"), *[(c.pk, f"{c.get_category_display()}, "
                                                                          f"{on_screen(c.happened_at)}") for c in concerns]]
        self.fields["assigned_to"].queryset = staff
        keep = self.KIND_FIELDS.get(kind, ())
        for name in list(self.fields):
            if name != "kind" and name not in keep:
                del self.fields[name]
        for name in list(self.fields):
            self.fields[name].widget.attrs.setdefault("id", f"id_{kind}_{name}")
        self.entry_kind = kind


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Protection status", choices=ProtectionStatus.choices, required=False)
    reason = forms.CharField(label="Why", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="The meeting or decision behind the change.",
                             error_messages={"required": "Write why the status changes (5 words or more)."})


class TransferForm(forms.Form):
    sent_to = forms.CharField(label="Sent to", max_length=SENT_TO_MAX, help_text="The receiving school and its safeguarding lead.",
                              error_messages={"required": "Enter who it was sent to."})
    sent_on = _date("Date sent")


class DateForm(forms.Form):
    on = _date("Date")


class SearchForm(forms.Form):
    q = forms.CharField(label="Words to find", max_length=100, min_length=3,
                        error_messages={"min_length": "Enter at least 3 characters.", "required": "Enter words to find."})
