"""Forms for the carer's confirmation (with a "something is different" section), the admin office's confirmation
and decisions on corrections. They only read input; the services hold the rules."""

import datetime as dt

from django import forms

from keyworker.people.models import Carer

from . import fields
from .models import ConfirmationMethod
from .services import NOTE_MAX, REASON_MAX

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
ROWS = 4
ALL_CORRECT, DIFFERENT = "all_correct", "different"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ConfirmForm(forms.Form):
    carer = forms.TypedChoiceField(
        label="Which carer checked the data?", coerce=int, widget=forms.RadioSelect,
        error_messages={"required": "Choose the carer who checked the data.", "invalid_choice": "Choose one of the carers listed."},
    )
    method = forms.ChoiceField(
        label="How", widget=forms.RadioSelect,
        choices=[(ConfirmationMethod.IN_PERSON.value, "In person"), (ConfirmationMethod.PHONE.value, "By phone")],
        error_messages={"required": "Choose how the carer checked the data: in person or by phone.",
                        "invalid_choice": "Choose in person or by phone."},
    )
    confirmed_on = forms.DateField(
        label="Date", widget=DateInput(), input_formats=DATE_FORMATS,
        error_messages={"required": "Enter the date the carer checked the data, for example 18/11/2026.",
                        "invalid": "Enter a real date, for example 18/11/2026."},
    )
    outcome = forms.ChoiceField(
        label="What did the carer say?", widget=forms.RadioSelect,
        choices=[(ALL_CORRECT, "All correct"), (DIFFERENT, "Something is different (say what below)")],
        error_messages={"required": "Choose “All correct” or “Something is different”."},
    )
    note = forms.CharField(label="Note", required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"max_length": f"Keep the note to {NOTE_MAX} characters or fewer."})

    def __init__(self, *args, carers: list[Carer], today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carer"].choices = [(c.pk, f"{fields.carer_title(c)}") for c in carers]
        self.fields["confirmed_on"].widget.attrs["max"] = today.isoformat()


class DifferenceForm(forms.Form):
    field = forms.ChoiceField(label="What is different", required=False,
                              error_messages={"invalid_choice": "Choose what is different from the list."})
    proposed_value = forms.CharField(label="What it should be", required=False, max_length=2000,
                                     error_messages={"max_length": "Keep it to 2000 characters or fewer."})
    note = forms.CharField(label="Note", required=False, max_length=NOTE_MAX,
                           error_messages={"max_length": f"Keep the note to {NOTE_MAX} characters or fewer."})

    def __init__(self, *args, choices: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", "Choose…"), *choices]

    @property
    def is_blank(self) -> bool:
        d = getattr(self, "cleaned_data", {}) or {}
        return not (d.get("field") or d.get("proposed_value") or d.get("note"))

    def clean(self) -> dict:
        d = super().clean()
        if not d.get("field") and (d.get("proposed_value") or d.get("note")):
            self.add_error("field", "Choose what is different.")
        return d


def difference_choices(items: list[fields.Item]) -> list:
    """The fields grouped as on the page: the child first, then each carer."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for i in items:
        heading = fields.carer_title(i.carer) if i.carer is not None else "Child"
        groups.setdefault(heading, []).append((i.key, f"{i.short} (now: {i.value or 'blank'})"[:120]))
    return list(groups.items())


def difference_forms(data, items: list[fields.Item]) -> list[DifferenceForm]:
    choices = difference_choices(items)
    return [DifferenceForm(data, prefix=f"d{n}", choices=choices) for n in range(ROWS)]


class AdminConfirmForm(forms.Form):
    note = forms.CharField(label="Note", required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"max_length": f"Keep the note to {NOTE_MAX} characters or fewer."})


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason for rejecting", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter why the correction is rejected, for example “Legal name must match the birth certificate”.",
                        "max_length": f"Keep the reason to {REASON_MAX} characters or fewer."},
    )


class ProgressFilterForm(forms.Form):
    group = forms.TypedChoiceField(label="Class", required=False, coerce=int, empty_value=None,
                                   error_messages={"invalid_choice": "Choose one of the classes listed."})
    as_of = forms.DateField(label="Half term holding the date", required=False, widget=DateInput(), input_formats=DATE_FORMATS,
                            error_messages={"invalid": "Enter a real date, for example 18/11/2026."})

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "All classes"), *[(g.pk, g.name) for g in groups]]
