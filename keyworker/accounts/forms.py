"""Forms for signing in and for staff: they validate input only; views call services."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from keyworker.organisations.models import Group, Setting

from .models import Role, StaffMember


class SignInForm(AuthenticationForm):
    username = forms.EmailField(label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    error_messages = {
        "invalid_login": "The e-mail address or password is not right. Check them and try again.",
        "inactive": "This account is switched off. Ask your admin office.",
    }


class StaffForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(label="E-mail address", help_text="They sign in with this address.")
    job_title = forms.CharField(label="Job title", max_length=100, required=False)
    staff_code = forms.CharField(label="MIS staff code", max_length=30, required=False)
    setting = forms.ModelChoiceField(label="Setting", queryset=Setting.objects.none())
    roles = forms.ModelMultipleChoiceField(
        label="Roles in this setting", queryset=Role.objects.none(), widget=forms.CheckboxSelectMultiple,
    )
    groups = forms.ModelMultipleChoiceField(
        label="Class or room teams", queryset=Group.objects.none(), widget=forms.CheckboxSelectMultiple, required=False,
    )
    password = forms.CharField(
        label="First password", required=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; not your name and not “keyworker” or “password”. Leave empty to keep an existing person's password.",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["setting"].queryset = Setting.objects.filter(organisation=organisation)
        self.fields["roles"].queryset = Role.objects.filter(organisation=organisation)
        self.fields["groups"].queryset = Group.objects.filter(organisation=organisation).select_related("setting")
        self.fields["groups"].label_from_instance = lambda g: f"{g.name} ({g.setting.name})"

    def clean(self):
        data = super().clean()
        setting, groups = data.get("setting"), data.get("groups") or []
        if setting:
            wrong = [g.name for g in groups if g.setting_id != setting.pk]
            if wrong:
                self.add_error("groups", f"Not in {setting}: {', '.join(wrong)}. Choose classes or rooms of the setting.")
        return data


class StaffLeaveForm(forms.Form):
    left_on = forms.DateField(label="Last day", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="Reason", max_length=300, help_text="Kept in the allocation history.")


class CaseloadReassignForm(forms.Form):
    to_staff = forms.ModelChoiceField(
        label="Move the families to", queryset=StaffMember.objects.none(), required=False,
        empty_label="Each family's class teacher",
        help_text="Families the rules do not allow stay where they are and are listed with the reason.",
    )
    reason = forms.CharField(label="Reason", max_length=300, help_text="e.g. Leaving at Christmas; new school year")

    def __init__(self, *args, organisation, exclude, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_staff"].queryset = (
            StaffMember.objects.filter(organisation=organisation, is_active=True).exclude(pk=exclude.pk).select_related("user")
        )


class RoleForm(forms.ModelForm):
    capabilities = forms.MultipleChoiceField(
        label="What this role may do", choices=[], widget=forms.CheckboxSelectMultiple, required=False,
    )

    class Meta:
        model = Role
        fields = ["name", "scope", "key_worker_eligibility", "capabilities"]
        labels = {"scope": "Which families this role sees", "key_worker_eligibility": "Key worker eligibility"}

    def __init__(self, *args, **kwargs):
        from .capabilities import ALL

        super().__init__(*args, **kwargs)
        self.fields["capabilities"].choices = list(ALL.items())


class PasswordSetForm(PasswordResetForm):
    """Reset a password, or set the first one: staff added by an import have none yet."""

    email = forms.EmailField(label="E-mail address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def get_users(self, email):
        from .models import User

        # Django's form skips accounts without a usable password; here those are new staff, who need one.
        return User.objects.filter(email__iexact=email.strip(), is_active=True, memberships__is_active=True).distinct()
