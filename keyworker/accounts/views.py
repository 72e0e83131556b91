"""Pages: the start page per persona, switching organisation, the person's account (their photo, API tokens, sign
out everywhere), a staff member's photo for the organisation's staff, and the confirmation asked before restricted records are opened."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from keyworker.core import clock
from keyworker.core.errors import RuleViolation
from keyworker.core.forms import form_submit, service_call
from keyworker.core.images import photo_response
from keyworker.core.uploads import upload_refusal

from . import capabilities as caps
from . import mfa, restricted, tokens
from .access import SESSION_ORGANISATION_KEY
from .forms import ConfirmForm, StaffPhotoForm
from .models import ApiToken, InvitationStatus, StaffMember
from .photos import staff_photo_remove, staff_photo_set
from .selectors import staff_visible_to
from .services import invitation_answer as invitation_answer_service


@login_required
def home(request):
    """Each persona lands where their work is."""
    actor = request.actor
    if not actor.is_member:
        return render(request, "accounts/no_membership.html", status=403)
    if actor.is_leader:
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


# The person's account ----------------------------------------------------------------------------------------------


@login_required
def account(request):
    """Name, e-mail, how escalations are told, API tokens (each revocable) and "sign out everywhere"."""
    from keyworker.notifications.models import EscalationChoice
    from keyworker.notifications.selectors import escalation_preference

    return _account_page(request, EscalationChoice(escalation_preference(request.user)).label)


def _account_page(request, escalations: str, photo_form: StaffPhotoForm | None = None, status: int = 200):
    return render(request, "accounts/account.html", {
        "tokens": list(tokens.tokens_of(request.user)), "token_hours": tokens.token_hours(),
        "has_second_factor": mfa.has_second_factor(request.user),
        "escalations": escalations, "staff": request.actor.staff,
        "photo_form": photo_form or StaffPhotoForm(),
    }, status=status)


@login_required
@require_POST
def account_photo(request):
    """Add or change your own photo; a file that is not a photo (or too large) is shown again with why."""
    from keyworker.notifications.models import EscalationChoice
    from keyworker.notifications.selectors import escalation_preference

    staff = request.actor.staff
    if staff is None:
        raise Http404
    form = StaffPhotoForm(request.POST, request.FILES)
    refused = upload_refusal(request, "photo")
    if refused:
        form.is_valid()
        form.add_error("photo", refused)
    else:
        def save(data):
            staff_photo_set(actor=request.actor, staff=staff, file=data["photo"])
            return reverse("accounts:account") + "#photo-h", "Your photo is saved: carers see it beside your name."

        if (done := form_submit(request, form, save)) is not None:
            return done
    return _account_page(request, EscalationChoice(escalation_preference(request.user)).label, form, status=400)


@login_required
@require_POST
def account_photo_remove(request):
    staff = request.actor.staff
    if staff is None:
        raise Http404
    service_call(request, lambda: staff_photo_remove(actor=request.actor, staff=staff), success="Your photo is removed.")
    return redirect(reverse("accounts:account") + "#photo-h")


@login_required
def staff_photo(request, staff_id: int):
    """A staff member's photo, for staff of the same organisation; anyone else, and a staff member with no photo: 404."""
    staff = staff_visible_to(request.actor).filter(pk=staff_id).exclude(photo="").first()
    if staff is None:
        raise Http404("No such photo")
    return photo_response(staff.photo.name)



@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()
    if token is None:
        raise Http404("No such token")
    tokens.api_token_revoke(user=request.user, token=token)
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("accounts:account")


@login_required
@require_POST
def sign_out_everywhere(request):
    """End every other session and revoke every API token; this session stays signed in."""
    count = tokens.user_sign_out_everywhere(user=request.user)
    update_session_auth_hash(request, request.user)
    messages.success(request, "You are signed out everywhere else" + (f", and your {count} API token{'s' if count != 1 else ''} "
                                                                        "no longer work." if count else "."))
    return redirect("accounts:account")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset page; a new password also revokes every API token (and Django ends the other sessions)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        tokens.api_tokens_revoke_all(user=form.user, reason="password reset")
        return response


# The confirmation before restricted records -----------------------------------------------------------------------


@login_required
def confirm(request):
    """Password (and, for people with a second factor, a code) once every 15 minutes before restricted records."""
    user = request.user
    nxt = restricted.safe_next(request, reverse("home"))
    ask_code = restricted.second_factor_needed(request)
    form = ConfirmForm(request.POST or None, ask_code=ask_code)
    status = 200
    if request.method == "POST":
        status = 400
        if restricted.is_locked(user):
            form.is_valid()
            form.errors.clear()
            form.add_error(None, "Too many wrong tries. Wait 15 minutes and try again, or sign out and back in.")
            status = 429
        elif form.is_valid():
            device = None
            password_ok = restricted.check_password(request, form.cleaned_data["password"])
            if password_ok and ask_code:
                device = mfa.verify_code(user, form.cleaned_data["code"])
            if password_ok and (device is not None or not ask_code):
                restricted.clear_failures(user)
                if device is not None:
                    mfa.mark_verified(request, device)
                restricted.mark_confirmed(request)
                return redirect(nxt)
            left = restricted.record_failure(user)
            tail = f" {left} tries left." if left else " Wait 15 minutes and try again."
            if not password_ok:
                form.add_error("password", "That is not your password." + tail)
            else:
                form.add_error("code", "That code is not right." + tail)
    return render(request, "accounts/confirm.html", {
        "form": form, "next": nxt, "ask_code": ask_code, "now": clock.now(),
        "passkey_url": "/accounts/second-factor/?" + urlencode({"next": f"{reverse('accounts:confirm')}?{urlencode({'next': nxt})}"}),
    }, status=status)
