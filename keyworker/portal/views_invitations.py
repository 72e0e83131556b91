"""Staff pages of the portal: invite one carer (from the family page), or every carer of a class or room."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from keyworker.core import clock
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.core.requests import member as _member
from keyworker.organisations.models import Group
from keyworker.people.selectors import access_carer

from . import policies, services


@login_required
@require_POST
def carer_invite(request, carer_id: int):
    actor = _member(request)
    carer = access_carer(actor, carer_id)
    policies.require_invite(actor, carer.family)
    try:
        invitation = services.portal_invitation_send(actor=actor, carer=carer, now=clock.now())
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Invited {carer.full_name} to the carers' portal: a sign-in link is on its way to "
                                  f"{invitation.email}, valid until {on_screen(invitation.invited_at + _days())}.")
    return redirect(reverse("dashboard:family", args=[carer.family_id]) + "#portal-h")


def _days():
    import datetime as dt

    return dt.timedelta(seconds=services.invitation_max_age())


class ClassChoiceForm(forms.Form):
    group = forms.ModelChoiceField(queryset=Group.objects.none(), label="Class or room",
                                   error_messages={"required": "Choose a class or room.",
                                                   "invalid_choice": "Choose one of the classes or rooms listed."})

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups if groups is not None else Group.objects.none()
        self.fields["group"].label_from_instance = lambda g: f"{g.name} ({g.setting.name})"


@login_required
@require_http_methods(["GET", "POST"])
def class_invite(request):
    """Choose a class or room; every carer of its children is invited, and the page says why any was not."""
    actor = _member(request)
    settings_ids = [s for s in actor.setting_ids if policies.may_invite_anyone(actor, s)]
    if not settings_ids:
        raise Http404
    groups = Group.objects.filter(organisation_id=actor.organisation_id, setting_id__in=settings_ids).select_related("setting")
    form = ClassChoiceForm(request.POST or None, groups=groups, initial={"group": request.GET.get("group")})
    outcomes = None
    if request.method == "POST" and form.is_valid():
        group = form.cleaned_data["group"]
        outcomes = services.portal_invitations_send_class(actor=actor, group=group, as_of=clock.today(), now=clock.now())
        sent = sum(1 for o in outcomes if o.invited)
        messages.success(request, f"Invited {sent} carer{'s' if sent != 1 else ''} of {group.name} to the carers' portal.")
    return render(request, "portal/invitations_class.html", {"form": form, "outcomes": outcomes},
                  status=400 if form.errors else 200)
