"""Forms for wellbeing concerns, their follow-ups and outcome, and the agency directory; rules live in the services."""

from django import forms

from .models import Agency, Area, FollowUpKind, Indicator, Outcome, ReferralResponse, SignpostHow
from .services import NOTE_MAX, REFERENCE_MAX, TEXT_MAX

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), input_formats=DATE_FORMATS, help_text=help_text,
                           error_messages={"invalid": "Enter a real date, for example 18/11/2026.",
                                           "required": "Enter the date, for example 18/11/2026."})


class ConcernForm(forms.Form):
    what_noticed = forms.CharField(
        label="What have you noticed?", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="A change in behaviour, something said, how the family seems. At least a sentence.",
        error_messages={"required": "Write at least a sentence about what you noticed."},
    )
    areas = forms.MultipleChoiceField(
        label="What may the family be struggling with?", choices=Area.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one thing the family may be struggling with, or “Something else”.",
                        "invalid_choice": "Choose from the list."},
    )
    indicators = forms.MultipleChoiceField(
        label="Wellbeing indicators", choices=Indicator.choices, widget=forms.CheckboxSelectMultiple,
        help_text="Which parts of the children's wellbeing it touches (SHANARRI).",
        error_messages={"required": "Choose at least one wellbeing indicator.", "invalid_choice": "Choose from the list."},
    )
    children = forms.TypedMultipleChoiceField(label="Children concerned", required=False, coerce=int,
                                              widget=forms.CheckboxSelectMultiple,
                                              error_messages={"invalid_choice": "Choose children of this family."})
    noticed_on = _date("When did you notice it?", help_text="Today if left empty.")

    def __init__(self, *args, children: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = [(c.pk, c.display_name) for c in children]
        if not children:
            del self.fields["children"]


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label="What was done?", choices=FollowUpKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose what was done."})
    happened_on = _date("When", help_text="Today if left empty.")
    note = forms.CharField(label="What was said or agreed", required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="At least a sentence for a contact or a conversation.")
    agency = forms.TypedChoiceField(label="Agency", required=False, coerce=int, empty_value=None,
                                    help_text="For signposting, a referral or a contact with an agency.",
                                    error_messages={"invalid_choice": "Choose an agency from the directory."})
    how = forms.ChoiceField(label="How were the details given? (signposting)", required=False,
                            choices=[("", "Choose"), *SignpostHow.choices],
                            error_messages={"invalid_choice": "Choose from the list."})
    told_family = forms.BooleanField(label="The family was told what the agency can do (signposting)", required=False)
    reference = forms.CharField(label="Referral reference", required=False, max_length=REFERENCE_MAX)
    consent_given = forms.TypedChoiceField(
        label="Did the family agree to the referral?", required=False, widget=forms.RadioSelect,
        choices=[("yes", "Yes, consent recorded"), ("no", "No")], coerce=lambda v: v == "yes", empty_value=None,
        error_messages={"invalid_choice": "Choose yes or no."},
    )
    follow_up_on = _date("Follow up on", help_text="When to check again. Needed for a referral.")

    def __init__(self, *args, agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Choose an agency"), *[(a.pk, a.name) for a in agencies]]


class ResponseForm(forms.Form):
    response = forms.ChoiceField(label="The agency's response", choices=[("", "Choose"), *[c for c in ReferralResponse.choices if c[0]]],
                                 error_messages={"required": "Choose the agency's response.",
                                                 "invalid_choice": "Choose from the list."})
    responded_on = _date("Date of the response", help_text="Today if left empty.")


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Choose the outcome."})
    summary = forms.CharField(label="Summary", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="What support is in place and how the family is now.",
                              error_messages={"required": "Write a summary of at least a sentence."})


class AgencyForm(forms.Form):
    name = forms.CharField(label="Name", max_length=150, error_messages={"required": "Enter the agency's name."})
    service = forms.CharField(label="What they help with", widget=forms.Textarea(attrs={"rows": 3}), max_length=NOTE_MAX,
                              error_messages={"required": "Say what they help with."})
    areas = forms.MultipleChoiceField(label="Needs they help with", required=False, choices=Area.choices,
                                      widget=forms.CheckboxSelectMultiple, error_messages={"invalid_choice": "Choose from the list."})
    phone = forms.CharField(label="Phone", required=False, max_length=40)
    email = forms.CharField(label="E-mail", required=False, max_length=254)
    website = forms.CharField(label="Website", required=False, max_length=200)
    area_covered = forms.CharField(label="Area covered", required=False, max_length=150,
                                   help_text="For example “Brookfield and Northgate”, “the whole county”.")
    notes = forms.CharField(label="Notes", required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="How to refer, opening times, who to ask for.")
    is_active = forms.BooleanField(label="In the directory (untick to retire it)", required=False, initial=True)


class AgencyFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    area = forms.ChoiceField(label="Need", required=False, choices=[("", "Any need"), *Area.choices],
                             error_messages={"invalid_choice": "Choose from the list."})
    place = forms.CharField(label="Area covered", required=False, max_length=100)
    retired = forms.BooleanField(label="Include retired agencies", required=False)


class BoardFilterForm(forms.Form):
    setting = forms.TypedChoiceField(label="Setting", required=False, coerce=int, empty_value=None,
                                     error_messages={"invalid_choice": "Choose one of the settings listed."})
    indicator = forms.ChoiceField(label="Indicator", required=False, choices=[("", "Any indicator"), *Indicator.choices],
                                  error_messages={"invalid_choice": "Choose from the list."})

    def __init__(self, *args, settings: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["setting"].choices = [("", "All your settings"), *[(s.pk, s.name) for s in settings]]
        if len(settings) < 2:
            del self.fields["setting"]
