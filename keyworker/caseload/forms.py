"""Forms for allocation. They validate input; the rules live in the services."""

from django import forms

from keyworker.accounts.models import KeyWorkerEligibility, StaffMember, StaffRole
from keyworker.organisations.models import Setting


class AssignForm(forms.Form):
    setting = forms.ModelChoiceField(label="Setting", queryset=Setting.objects.none(), widget=forms.HiddenInput)
    staff = forms.ModelChoiceField(label="Key worker", queryset=StaffMember.objects.none())
    reason = forms.CharField(
        label="Reason", max_length=300, help_text="Kept in the family's allocation history, e.g. New to the class; Staff change",
    )

    def __init__(self, *args, setting: Setting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["setting"].queryset = Setting.objects.filter(pk=setting.pk)
        self.fields["setting"].initial = setting.pk
        self.fields["staff"].label = setting.key_worker_label.capitalize()
        # Everyone who may hold the role in this setting; the service says why a particular choice is refused.
        eligible = StaffRole.objects.filter(setting=setting).exclude(role__key_worker_eligibility=KeyWorkerEligibility.NONE)
        self.fields["staff"].queryset = (
            StaffMember.objects.filter(organisation_id=setting.organisation_id, is_active=True, id__in=eligible.values("staff_id"))
            .select_related("user").order_by("user__full_name")
        )


class EndForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300)
