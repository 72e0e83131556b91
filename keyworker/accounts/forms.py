"""Forms for signing in and for staff: they validate input only; views call services."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader

from keyworker.core.names import NameFieldsFormMixin
from keyworker.notifications.services import email_queue
from keyworker.organisations.models import Group, Setting

from .models import Role, StaffMember


class SignInForm(AuthenticationForm):
    username = forms.EmailField(label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    error_messages = {
        "invalid_login": "The e-mail address or password is not right. Check them and try again.",
        "inactive": "This account is switched off. Ask your admin office.",
    }

    def confirm_login_allowed(self, user):
        # Carers sign in to their portal by an e-mailed link, never with a password here: answered as a wrong
        # password, so the form says nothing of whose address it is.
        if getattr(user, "is_carer", False):
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                        params={"username": self.username_field.verbose_name})
        super().confirm_login_allowed(user)


class ChoicesWithRefusals(forms.CheckboxSelectMultiple):
    """Checkboxes where the choices you may not give are shown switched off, with why."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        why = self.refused.get(str(getattr(value, "value", value)))
        if why:
            option["attrs"]["disabled"] = True
            option["refused"] = why
        return option


def _keep_refused_choices(form, name: str, posted: list, initial: list, key) -> list:
    """Browsers do not send switched-off boxes: keep what was ticked. Ticking one anyway is refused, per field."""
    refused = form.fields[name].widget.refused
    posted_keys = {str(key(x)) for x in posted}
    initial_keys = {str(x) for x in initial}
    sneaked = [k for k in posted_keys if k in refused and k not in initial_keys]
    if sneaked:
        form.add_error(name, " ".join(dict.fromkeys(refused[k] for k in sneaked)))
    return [k for k in initial_keys if k in refused and k not in posted_keys]


class StaffForm(NameFieldsFormMixin, forms.Form):
    name_fields = ("full_name",)

    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(label="E-mail address", help_text="They sign in with this address. Someone new gets an e-mail to choose their own password; someone who already signs in gets an invitation to accept.")
    job_title = forms.CharField(label="Job title", max_length=100, required=False)
    staff_code = forms.CharField(label="MIS staff code", max_length=30, required=False)
    setting = forms.ModelChoiceField(label="Setting", queryset=Setting.objects.none(), empty_label="Choose…")
    roles = forms.ModelMultipleChoiceField(
        label="Roles in this setting", queryset=Role.objects.none(), widget=ChoicesWithRefusals,
    )
    groups = forms.ModelMultipleChoiceField(
        label="Class or room teams", queryset=Group.objects.none(), widget=forms.CheckboxSelectMultiple, required=False,
    )

    def __init__(self, *args, organisation, actor=None, staff=None, **kwargs):
        from . import policies

        super().__init__(*args, **kwargs)
        self.fields["setting"].queryset = Setting.objects.filter(organisation=organisation)
        self.fields["roles"].queryset = Role.objects.filter(organisation=organisation)
        self.fields["groups"].queryset = Group.objects.filter(organisation=organisation).select_related("setting")
        self.fields["groups"].label_from_instance = lambda g: f"{g.name} ({g.setting.name})"
        self.actor, self.staff = actor, staff
        if staff is not None:
            self.fields["email"].disabled = True
            self.fields["email"].help_text = (
                "They sign in and reset their password with this address, so it cannot be changed here. "
                "They can ask the installation's operator, or you can add them again with the new address."
            )
            if not policies.may_change_identity(staff):
                self.fields["full_name"].disabled = True
                self.fields["full_name"].help_text = "They also work for another organisation, so only they can change their name."
        if actor is not None:
            setting_id = self._setting_id()
            self.fields["roles"].widget.refused = {
                str(pk): why for pk, why in policies.roles_refused(actor, self.fields["roles"].queryset, setting_id).items()
            }
            if staff is not None and policies.holds_restricted_role(staff) and not policies.is_owner(actor, setting_id):
                self.fields["roles"].widget.refused = {
                    str(r.pk): "they hold a leader's or safeguarding role: only the headteacher or manager changes their roles"
                    for r in self.fields["roles"].queryset
                }
            if self.fields["roles"].widget.refused:
                self.fields["roles"].help_text = "Roles you may not give or take away are switched off, with why."

    def _setting_id(self) -> int | None:
        raw = self.data.get(self.add_prefix("setting")) if self.is_bound else self.initial.get("setting")
        if raw in (None, ""):
            settings = list(self.fields["setting"].queryset.values_list("pk", flat=True)[:2])
            return settings[0] if len(settings) == 1 else None
        try:
            return int(getattr(raw, "pk", raw))
        except (TypeError, ValueError):
            return None

    def clean(self):
        data = super().clean()
        setting, groups = data.get("setting"), data.get("groups") or []
        if setting:
            wrong = [g.name for g in groups if g.setting_id != setting.pk]
            if wrong:
                self.add_error("groups", f"Not in {setting}: {', '.join(wrong)}. Choose classes or rooms of the setting.")
        if "roles" in data and self.staff is not None and setting is not None:
            held = [sr.role_id for sr in self.staff.staff_roles.all() if sr.setting_id == setting.pk]
            posted = list(data["roles"])
            kept = _keep_refused_choices(self, "roles", posted, held, key=lambda r: r.pk)
            if kept and "roles" in data:
                data["roles"] = posted + list(Role.objects.filter(pk__in=kept))
        elif "roles" in data:
            _keep_refused_choices(self, "roles", list(data["roles"]), [], key=lambda r: r.pk)
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
        label="What this role may do", choices=[], widget=ChoicesWithRefusals, required=False,
    )

    class Meta:
        model = Role
        fields = ["name", "scope", "key_worker_eligibility", "capabilities"]
        labels = {"scope": "Which families this role sees", "key_worker_eligibility": "Key worker eligibility"}

    def __init__(self, *args, actor=None, **kwargs):
        from . import policies
        from .capabilities import ALL

        super().__init__(*args, **kwargs)
        self.fields["capabilities"].choices = list(ALL.items())
        self.held = list(self.instance.capabilities or [])
        if actor is not None:
            refused = {cap: why for cap in ALL if (why := policies.capability_refusal(actor, cap, role=self.instance))}
            self.fields["capabilities"].widget.refused = refused
            if refused:
                self.fields["capabilities"].help_text = "What you may not give or take away is switched off, with why."

    def clean_capabilities(self):
        posted = list(self.cleaned_data.get("capabilities") or [])
        return posted + _keep_refused_choices(self, "capabilities", posted, self.held, key=lambda c: c)


class PasswordSetForm(PasswordResetForm):
    """Reset a password, or set the first one: staff added by an import have none yet."""

    email = forms.EmailField(label="E-mail address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def get_users(self, email):
        from .models import User

        # Django's form skips accounts without a usable password; here those are new staff, who need one.
        return User.objects.filter(email__iexact=email.strip(), is_active=True, memberships__is_active=True).distinct()

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        # Into the outbox, not sent in the request: a mail server that is away delays the link, never loses it.
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        email_queue(to=to_email, subject=subject, body=body, kind="password_reset", forget_body=True)

class ConfirmForm(forms.Form):
    """The restricted-records confirmation: the password, and a code for people with a second factor."""

    password = forms.CharField(label="Your password", strip=False, max_length=200, error_messages={"required": "Enter your password."},
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    code = forms.CharField(
        label="Code from your authenticator app, or a recovery code", max_length=64, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}),
    )

    def __init__(self, *args, ask_code: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not ask_code:
            del self.fields["code"]
        else:
            self.fields["code"].required = True
            self.fields["code"].error_messages["required"] = "Enter the code your app shows now, or a recovery code."


class TokenNameForm(forms.Form):
    name = forms.CharField(label="What the token is for", max_length=100)


class StaffPhotoForm(forms.Form):
    """The file only; whether it really is a photo is the service's check (keyworker.accounts.photos), not its name."""

    photo = forms.FileField(
        label="Your photo", widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text="JPEG, PNG or WebP, at most 10 MB. Carers see it beside your name. Location and camera details are "
                  "removed.",
    )

    def __init__(self, *args, own: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not own:  # a leader's form on the staff member's page
            self.fields["photo"].label = "Photo"
            self.fields["photo"].help_text = ("JPEG, PNG or WebP, at most 10 MB. Carers see it beside the key worker's "
                                              "name. Location and camera details are removed.")
