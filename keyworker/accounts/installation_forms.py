"""Forms for setting up the installation: the first run, and a further organisation with its first leader."""

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError

from keyworker.organisations.forms import NewOrganisationForm

from .models import User

ORGANISATION_FIELDS = ["name", "slug", "setting_name", "kind", "jurisdiction", "time_zone"]


class FirstRunForm(NewOrganisationForm):
    """The installation's administrator (who chooses their password here) and the first organisation."""

    name_fields = ("full_name", "name", "setting_name")

    full_name = forms.CharField(label="Your full name", max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label="Your e-mail address", max_length=254, help_text="You sign in with this address.",
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(label="Choose a password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(label="Type the password again", strip=False,
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    field_order = ["full_name", "email", "password", "password_again", *ORGANISATION_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = " ".join(password_validators_help_texts())

    def clean(self):
        data = super().clean()
        password, again = data.get("password"), data.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", "The two passwords are not the same. Type them again.")
        elif password and data.get("email"):
            try:
                validate_password(password, User(email=data["email"].lower(), full_name=data.get("full_name", "")))
            except ValidationError as exc:
                self.add_error("password", exc)
        return data

    @property
    def person_fields(self):
        return [self[f] for f in ("full_name", "email", "password", "password_again")]

    @property
    def organisation_fields(self):
        return [self[f] for f in ("name", "slug")]

    @property
    def setting_fields(self):
        return [self[f] for f in ("setting_name", "kind", "jurisdiction", "time_zone")]


class OrganisationAddForm(NewOrganisationForm):
    """A further organisation, added by the installation's administrator, and its first leader, who is e-mailed a
    link to choose a password (someone who already signs in keeps theirs)."""

    name_fields = ("name", "setting_name", "leader_name")

    leader_name = forms.CharField(label="First leader's full name", max_length=150,
                                  help_text="The headteacher of a school, the manager of a childcare setting.")
    leader_email = forms.EmailField(label="First leader's e-mail address", max_length=254,
                                    help_text="They get an e-mail with a link to choose their password.")

    field_order = [*ORGANISATION_FIELDS, "leader_name", "leader_email"]
