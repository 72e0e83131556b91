"""Pages: the start page per persona, switching organisation, and answering invitations to join one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from keyworker.core.errors import RuleViolation

from . import capabilities as caps
from .access import SESSION_ORGANISATION_KEY
from .models import InvitationStatus, StaffMember
from .services import invitation_answer as invitation_answer_service


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



@login_required
def invitation_list(request):
    """Invitations to join an organisation as staff, for the signed-in person to accept or decline."""
    from .selectors import invitations_for

    invitations = invitations_for(request.user)
    return render(request, "accounts/invitations.html", {
        "pending": [i for i in invitations if i.status == InvitationStatus.PENDING],
        "answered": [i for i in invitations if i.status != InvitationStatus.PENDING][:20],
    })


@login_required
@require_POST
def invitation_answer(request, invitation_id: int):
    from .selectors import invitations_for

    invitation = invitations_for(request.user).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation")
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        messages.error(request, "Choose Accept or Decline.")
        return redirect("accounts:invitations")
    try:
        staff = invitation_answer_service(user=request.user, invitation=invitation, accept=answer == "accept")
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect("accounts:invitations")
    if staff is None:
        messages.success(request, f"You declined to join {invitation.organisation}.")
        return redirect("accounts:invitations")
    request.session[SESSION_ORGANISATION_KEY] = staff.organisation_id
    messages.success(request, f"You are now a staff member of {staff.organisation}. You are working in it now; switch at the top.")
    return redirect("home")
