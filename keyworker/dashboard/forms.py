"""The forms of the dashboard's pages."""

from django import forms

from keyworker.standards.obligations import REASON_MAX


class WaiveForm(forms.Form):
    reason = forms.CharField(
        label="Reason for waiving", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say why this family or child does not need it this time. The reason is kept in the history.",
        error_messages={"required": "Enter why this obligation is waived, for example “Family moved abroad for the term”."},
    )
