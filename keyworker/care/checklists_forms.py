"""Forms of the checklists, introductions and chat sessions pages: they only check input; the services decide."""

from django import forms

from .checklists_selectors import NEW_FOR_DAYS
from .models_checklists import LABEL_MAX, NOTE_MAX, ChatOutcome, ChecklistKind, IntroducedBy, IntroductionHow

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), input_formats=DATE_FORMATS, help_text=help_text,
                           error_messages={"required": "Enter the date, for example 18/11/2026.",
                                           "invalid": "Enter a real date, for example 18/11/2026."})


class TickForm(forms.Form):
    item = forms.CharField(max_length=40, widget=forms.HiddenInput)
    done_on = date_field("Done on")
    note = forms.CharField(label="Note", required=False, max_length=NOTE_MAX,
                           error_messages={"max_length": f"Keep the note to {NOTE_MAX} characters or fewer."})


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label="Checklist", choices=ChecklistKind.choices, widget=forms.RadioSelect)
    label = forms.CharField(label="Item", max_length=LABEL_MAX, help_text="For example “Funding form signed” or "
                            "“Where we keep medicines” (from your children and young people handbook).")
    hint = forms.CharField(label="Hint", required=False, max_length=300, help_text="What staff check or show.")
    required = forms.BooleanField(label="Required: the checklist is incomplete until it is in", required=False,
                                  initial=True)
    asked_of = forms.ChoiceField(
        label="Whose checklists", widget=forms.RadioSelect, initial="new",
        choices=[("new", "Ask this of children who start from today"),
                 ("started", f"Also ask it of the children who started in the last {NEW_FOR_DAYS} days")],
        help_text="Asked of the children who started already, it is added to their checklists: a complete one is "
                  "missing it until it is ticked.",
        error_messages={"required": "Choose who is asked: children who start from today, or also those who started "
                                    "already.",
                        "invalid_choice": "Choose who is asked: children who start from today, or also those who "
                                          "started already."})


class IntroducerForm(forms.Form):
    introduced_by = forms.ChoiceField(label="Who introduces themselves to each new child and family",
                                      choices=IntroducedBy.choices, widget=forms.RadioSelect)


class IntroductionForm(forms.Form):
    introduced_on = date_field("Day of the introduction")
    how = forms.ChoiceField(label="How", choices=IntroductionHow.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="Note", required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"max_length": f"Keep the note to {NOTE_MAX} characters or fewer."})


class ChatSessionForm(forms.Form):
    offered_on = date_field("Day offered")
    outcome = forms.ChoiceField(label="Outcome", choices=ChatOutcome.choices, widget=forms.RadioSelect,
                                help_text="A child may choose not to talk: record it as offered, declined.")
    staff = forms.TypedChoiceField(label="Member of staff the child chose", coerce=int, empty_value=None,
                                   error_messages={"invalid_choice": "Choose a member of staff who works at the "
                                                                     "setting."})
    note = forms.CharField(label="Note for the chat session sheet", required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"max_length": f"Keep the note to {NOTE_MAX} characters or fewer."})

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [("", "Choose…")] + [(s.pk, s.user.full_name) for s in staff]
