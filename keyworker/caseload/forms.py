"""Forms for allocation. They validate input; the rules live in the services."""

from django import forms

from keyworker.accounts.models import GroupMembership, KeyWorkerEligibility, StaffMember, StaffRole
from keyworker.organisations.models import Setting
from keyworker.people.models import Child, Family


class AssignForm(forms.Form):
    setting = forms.ModelChoiceField(label="Setting", queryset=Setting.objects.none(), widget=forms.HiddenInput)
    staff = forms.ModelChoiceField(label="Key worker", queryset=StaffMember.objects.none(), empty_label="Choose…")
    reason = forms.CharField(
        label="Reason", max_length=300, help_text="Kept in the family's allocation history, e.g. New to the class; Staff change",
    )

    def __init__(self, *args, setting: Setting, family: Family, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["setting"].queryset = Setting.objects.filter(pk=setting.pk)
        self.fields["setting"].initial = setting.pk
        self.fields["staff"].label = setting.key_worker_label.capitalize()
        # The key-worker roles on the teams of the family's classes (no one else may be chosen, SCH-A1 / CC-A1);
        # the service says why a particular choice among them is refused (e.g. SCH-A2).
        eligible = StaffRole.objects.filter(setting=setting).exclude(role__key_worker_eligibility=KeyWorkerEligibility.NONE)
        classes = Child.objects.filter(family=family, setting=setting, left_on__isnull=True).values("group_id")
        teams = GroupMembership.objects.filter(group_id__in=classes).values("staff_id")
        self.fields["staff"].queryset = (
            StaffMember.objects.filter(
                organisation_id=setting.organisation_id, is_active=True, id__in=eligible.values("staff_id")
            ).filter(id__in=teams)
            .select_related("user").order_by("user__full_name")
        )


class EndForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300)
