"""The carer's appointments: what they are invited to (time in the setting's zone, place or video link, who is
coming), their answer (coming, not coming, maybe) and cancelled ones shown as cancelled."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.core import clock
from keyworker.core.errors import RuleViolation
from keyworker.meetings import selectors, services
from keyworker.meetings.forms import ANSWERS, RsvpForm
from keyworker.meetings.models import AppointmentStatus
from keyworker.people.carer_access import APPOINTMENTS

from .access import carer_required, section_required


def _page(request, errors: dict[int, list[str]] | None = None, status: int = 200):
    now = clock.now()
    invitations = selectors.carer_invitations(request.carer, now=now)
    for i in invitations:
        i.others = selectors.who_is_coming(i)
        i.answer_errors = (errors or {}).get(i.pk, [])
        i.answerable = i.appointment.status == AppointmentStatus.SCHEDULED and i.appointment.starts_at > now
    upcoming = [i for i in invitations if i.appointment.ends_at >= now]
    past = [i for i in invitations if i.appointment.ends_at < now]
    return render(request, "portal/appointments_list.html", {
        "upcoming": upcoming, "past": past, "answers": ANSWERS,
    }, status=status)


@carer_required
@section_required(APPOINTMENTS)
def appointments(request):
    return _page(request)


@carer_required
@require_POST
def appointment_answer(request, invitee_id: int):
    """The carer's answer to one of their own invitations (any other is 404)."""
    invitee = selectors.carer_invitation(request.carer, invitee_id)
    form = RsvpForm(request.POST)
    if form.is_valid():
        try:
            services.rsvp_by_carer(access=request.carer, invitee=invitee, rsvp=form.cleaned_data["rsvp"])
        except RuleViolation as exc:
            return _page(request, {invitee.pk: [exc.message]}, status=400)
        messages.success(request, f"Thank you: we have your answer, “{dict(ANSWERS)[form.cleaned_data['rsvp']]}”.")
        return redirect(reverse("portal:appointments") + f"#invitation-{invitee.pk}")
    return _page(request, {invitee.pk: [e for errs in form.errors.values() for e in errs]}, status=400)
