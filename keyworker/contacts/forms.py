"""Forms for recording, filtering, editing and voiding contact logs; rules live in the services."""

import datetime as dt

from django import forms

from keyworker.core.conflicts import VersionField
from keyworker.core.dates import on_screen
from keyworker.people.models import Carer, Child

from .models import RECORDABLE_CHANNELS, Channel, ContactLog, Direction, SafeguardingCategory, Tone
from .services import FOLLOW_UP_MAX, REASON_MAX, WRITE_UP_MAX

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
CATEGORY_REQUIRED = "Choose the kind of safeguarding concern, or “Other”."
SAFEGUARDING_HELP = ("Only the safeguarding team will be able to read this contact, and they are told at once. "
                     "After saving, you will see only that a restricted record exists. It cannot be undone.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ChildrenField(forms.ModelMultipleChoiceField):
    """The family's children, checked against those the page has read already (`known`): no query to check a choice.
    Anything else (another family's child, garbage) is refused as an invalid choice, as the queryset would."""

    known: list[Child] = []

    def _check_values(self, value) -> list[Child]:
        try:
            value = frozenset(value)
        except TypeError:
            raise forms.ValidationError(self.error_messages["invalid_list"], code="invalid_list") from None
        by_pk = {str(c.pk): c for c in self.known}
        chosen = []
        for raw in value:
            self.validate_no_null_characters(raw)
            child = by_pk.get(str(raw))
            if child is None:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": raw})
            chosen.append(child)
        return sorted(chosen, key=lambda c: c.pk)


class ContactForm(forms.Form):
    carer = forms.IntegerField(
        label="Who did you speak to or write to?", required=False, widget=forms.RadioSelect,
        error_messages={"invalid": "Choose one of the carers listed."},
    )
    channel = forms.ChoiceField(label="How", choices=RECORDABLE_CHANNELS, widget=forms.RadioSelect,
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
    children = ChildrenField(
        label="Which children was it about?", queryset=Child.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose children of this family only.", "invalid_pk_value": "Choose children of this family only."},
    )
    follow_up = forms.CharField(label="Follow-up action", required=False, max_length=FOLLOW_UP_MAX,
                                widget=forms.Textarea(attrs={"rows": 2}), help_text="What you or the family will do next.")
    follow_up_on = forms.DateField(label="Follow up by", required=False, widget=DateInput(), input_formats=DATE_FORMATS,
                                   error_messages={"invalid": "Enter a real date, for example 25/11/2026."})
    absence = forms.ChoiceField(
        label="Is it about an absence?", required=False, widget=forms.RadioSelect,
        help_text="A contact about a child's unexplained absence, dated on or after it, is its follow-up (challenging it).",
        error_messages={"invalid_choice": "Choose one of the absences listed, or “Not about an absence”."},
    )
    safeguarding = forms.BooleanField(label="This is a safeguarding concern", required=False, help_text=SAFEGUARDING_HELP)
    safeguarding_category = forms.ChoiceField(
        label="Kind of concern", required=False, choices=[("", "Choose…"), *SafeguardingCategory.choices],
        error_messages={"invalid_choice": CATEGORY_REQUIRED},
    )
    version = VersionField()

    def __init__(self, *args, carers: list[Carer], children: list[Child], today: dt.date, editing: bool = False,
                 absences: list[tuple[str, Child, dt.date]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.absences = {ref: (child, day) for ref, child, day in absences}
        if absences and not editing:
            self.fields["absence"].choices = [
                *((ref, f"{child.display_name}: unexplained absence on {on_screen(day)}") for ref, child, day in absences),
                ("", "Not about an absence"),
            ]
        else:  # no absence to follow up (and an edit keeps what the contact was about)
            del self.fields["absence"]
        choices = [(c.pk, f"{c.full_name} ({c.get_relationship_display()}) – prefers {c.get_preferred_contact_method_display()}")
                   for c in carers]
        self.fields["carer"].widget.choices = [*choices, ("", "Not a particular carer")]
        self.fields["children"].queryset = Child.objects.filter(pk__in=[c.pk for c in children])
        self.fields["children"].choices = [(c.pk, c.display_name) for c in children]
        self.fields["children"].known = list(children)
        self.fields["happened_on"].widget.attrs["max"] = today.isoformat()
        if len(children) < 2:
            self.fields["children"].help_text = "Leave empty when it was about the whole family."
        if editing:  # flagging an existing contact is its own action, on the contact's page
            del self.fields["safeguarding"], self.fields["safeguarding_category"]
        else:  # only an edit starts from a version
            del self.fields["version"]

    def clean_write_up(self) -> str:
        return (self.cleaned_data.get("write_up") or "").strip()

    def clean(self) -> dict:
        data = super().clean()
        if "safeguarding" in self.fields:
            if data.get("safeguarding") and not data.get("safeguarding_category"):
                self.add_error("safeguarding_category", CATEGORY_REQUIRED)
            elif data.get("safeguarding_category") and not data.get("safeguarding"):
                self.add_error("safeguarding", "Tick this box to flag a safeguarding concern, or set the kind of concern back to “Choose…”.")
        return data

    def category(self) -> str:
        """The safeguarding category to flag with, or "" for an ordinary contact."""
        return (self.cleaned_data.get("safeguarding_category") or "") if self.cleaned_data.get("safeguarding") else ""

    def chosen_absence(self) -> tuple[Child | None, dt.date | None]:
        """The child and day of the absence it follows up, or (None, None)."""
        return self.absences.get(self.cleaned_data.get("absence") or "", (None, None))

    def bound_carer_id(self) -> int | None:
        return self.cleaned_data.get("carer")


def initial_for(contact: ContactLog) -> dict:
    return {
        "carer": contact.carer_id or "", "channel": contact.channel, "tone": contact.tone, "write_up": contact.write_up,
        "direction": contact.direction, "happened_on": contact.happened_on, "children": [c.pk for c in contact.children.all()],
        "follow_up": contact.follow_up, "follow_up_on": contact.follow_up_on, "version": contact.version,
    }


class ContactFilterForm(forms.Form):
    tone = forms.ChoiceField(label="Tone", required=False, choices=[("", "Any tone"), *Tone.choices])
    channel = forms.ChoiceField(label="How", required=False, choices=[("", "Any way"), *Channel.choices])
    date_from = forms.DateField(label="From", required=False, widget=DateInput(), input_formats=DATE_FORMATS,
                                error_messages={"invalid": "Enter a real date, for example 2/11/2026."})
    date_to = forms.DateField(label="To", required=False, widget=DateInput(), input_formats=DATE_FORMATS,
                              error_messages={"invalid": "Enter a real date, for example 18/11/2026."})
    family = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    staff = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "class" is a Python keyword, but it is the word in the address (and in the API).
        self.fields["class"] = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date cannot be before the start date.")
        return data


class FlagForm(forms.Form):
    safeguarding_category = forms.ChoiceField(
        label="Kind of concern", choices=[("", "Choose…"), *SafeguardingCategory.choices], help_text=SAFEGUARDING_HELP,
        error_messages={"required": CATEGORY_REQUIRED, "invalid_choice": CATEGORY_REQUIRED},
    )


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Reason for voiding", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The contact stays in the record, marked void, and no longer counts as contact with the family.",
        error_messages={"required": "Enter why this contact is voided, for example “Recorded against the wrong family”."},
    )


class ReplyForm(forms.Form):
    """A reply (or a first message) to one carer through the portal."""

    carer = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "Choose a carer to write to."})
    body = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                           error_messages={"required": "Write your reply.",
                                           "max_length": "Keep the message to 2000 characters or fewer."})
    send_now = forms.BooleanField(label="Send now, even out of hours", required=False,
                                  help_text="Otherwise a reply written out of hours reaches the family at the next opening.")


class CarerMessageForm(forms.Form):
    """A carer's message from the portal."""

    body = forms.CharField(label="Your message", widget=forms.Textarea(attrs={"rows": 5}), max_length=2000,
                           error_messages={"required": "Write your message.",
                                           "max_length": "Keep the message to 2000 characters or fewer."})
