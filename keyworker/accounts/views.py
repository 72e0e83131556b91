"""Pages: the start page per persona and switching organisation."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import capabilities as caps
from .access import SESSION_ORGANISATION_KEY
from .models import StaffMember


@login_required
def home(request):
    """Each persona lands where their work is."""
    actor = request.actor
    if not actor.is_member:
        return render(request, "accounts/no_membership.html", status=403)
    if actor.can(caps.MANAGE_ALLOCATIONS):
        return redirect("week:team_compliance")
    if actor.is_key_worker:
        return redirect("week:my_week")
    if actor.can(caps.RUN_IMPORTS) or actor.can(caps.VIEW_FAMILIES):
        return redirect("dashboard:family_list")
    return render(request, "accounts/no_membership.html")


@login_required
@require_POST
def switch_organisation(request):
    try:
        org_id = int(request.POST.get("organisation", ""))
    except ValueError as exc:
        raise Http404 from exc
    if not StaffMember.objects.filter(user=request.user, organisation_id=org_id, is_active=True).exists():
        raise Http404
    request.session[SESSION_ORGANISATION_KEY] = org_id
    return redirect("home")

