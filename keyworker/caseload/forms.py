"""Forms for allocation. They validate input; the rules live in the services."""

from django import forms

from keyworker.accounts.forms import CaseloadReassignForm as BaseCaseloadReassignForm
from keyworker.accounts.models import GroupMembership, KeyWorkerEligibility, StaffMember, StaffRole
from keyworker.organisations.models import Setting
from keyworker.people.models import Child, Family


class AssignForm(forms.Form):
    setting = forms.ModelChoiceField(label="Setting", queryset=Setting.objects.none(), widget=forms.HiddenInput)
    staff = forms.ModelChoiceField(label="Key worker", queryset=StaffMember.objects.none(), empty_label="Choose…")
    reason = forms.CharField(
        label="Reason", max_length=300, help_text="Kept in the family's allocation history, e.g. New to the class; Staff change",
    )

    def __init__(self, *args, setting: Setting, family: Family, offered: list[StaffMember] | None = None, **kwargs):
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
        if offered is not None:
            # Offered: only whom the rules allow (rules.candidates, e.g. a teacher under SCH-A2), without the current
            # key worker. Any other team member posted is still read, so that the service says why it is refused.
            self.fields["staff"].choices = [("", "---------")] + [(s.pk, str(s)) for s in offered]


class EndForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300)


class AllocateEveryoneForm(forms.Form):
    """The one reason for every allocation applied from the "allocate everyone" page; the rows are read by the view."""

    reason = forms.CharField(
        label="Reason", max_length=300, min_length=3,
        help_text="Kept in each family's allocation history, e.g. First allocation of the school year",
    )


def chosen_rows(data, family_ids) -> dict[int, int | None]:
    """The staff chosen per family from the posted `staff-<family id>` selects (empty: leave unallocated)."""
    out: dict[int, int | None] = {}
    for fid in family_ids:
        raw = (data.get(f"staff-{fid}") or "").strip()
        out[fid] = int(raw) if raw.isdigit() and len(raw) < 19 else None
    return out


def posted_family_ids(data) -> list[int]:
    return [int(v) for v in data.getlist("family") if v.isdigit() and len(v) < 19]


class CaseloadReassignForm(BaseCaseloadReassignForm):
    """Reassigning a whole caseload offers only staff who may be a key worker; when a family of the caseload is under
    child protection in a school, teachers only (SCH-A2), so no teaching assistant is offered for that family."""

    def __init__(self, *args, under_protection: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        wanted = {KeyWorkerEligibility.TEACHER, KeyWorkerEligibility.PRACTITIONER}
        if not under_protection:
            wanted.add(KeyWorkerEligibility.ASSISTANT)
        roles = StaffRole.objects.filter(role__key_worker_eligibility__in=wanted)
        self.fields["to_staff"].queryset = self.fields["to_staff"].queryset.filter(
            id__in=roles.values("staff_id")).order_by("user__full_name", "id")
        if under_protection:
            self.fields["to_staff"].help_text = (
                "A family of this caseload is under child protection, so only teachers are offered (SCH-A2). "
                + self.fields["to_staff"].help_text
            )
