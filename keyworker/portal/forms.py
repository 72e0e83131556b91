"""The portal's forms: only validation."""

from django import forms


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address", max_length=254,
        help_text="The address your child's setting has for you.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True, "inputmode": "email"}),
        error_messages={"required": "Enter your e-mail address.",
                        "invalid": "Enter an e-mail address like name@example.com."},
    )
