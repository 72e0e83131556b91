"""The form of the inbox's settings."""

from django import forms

from .models import EscalationChoice


class PreferenceForm(forms.Form):
    escalations = forms.ChoiceField(
        label="Escalations", choices=EscalationChoice.choices, widget=forms.RadioSelect,
        help_text="When an obligation you lead or hold is escalated: one summary a day in your daily e-mail, "
                  "or a notification and an e-mail for each one as it happens.",
        error_messages={"required": "Choose how you hear of escalations.",
                        "invalid_choice": "Choose a daily summary or each one as it happens."},
    )
