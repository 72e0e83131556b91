"""Forms for second factors: a code from an app or a recovery code, and names for devices. Validation only."""

from django import forms


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=20,
        help_text="The 6 digits your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false",
                                      "autocapitalize": "none", "class": "input--code"}),
        error_messages={"required": "Enter the code from your app, or a recovery code."},
    )


class AppConfirmForm(forms.Form):
    code = forms.CharField(
        label="Code from the app", max_length=10,
        help_text="After adding Keyworker to the app, enter the 6 digits it shows.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "input--code"}),
        error_messages={"required": "Enter the 6 digits the app shows."},
    )
    name = forms.CharField(
        label="Name", max_length=64, required=False,
        help_text="So you can tell your devices apart, e.g. “My phone”.",
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().replace(" ", "")
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6 digits the app shows, numbers only.")
        return code


class PasskeyNameForm(forms.Form):
    name = forms.CharField(
        label="Name of the passkey", max_length=64,
        help_text="e.g. “Work laptop” or “My phone”.",
        error_messages={"required": "Give the passkey a name, such as the device it is on."},
    )
