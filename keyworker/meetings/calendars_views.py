"""Staff pages for calendars and reminders: "Get my calendar address", the feed itself, an appointment as .ics,
and ticking off a reminder the key worker gave by phone, in person or by letter."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from keyworker.accounts.policies import is_leader
from keyworker.core import clock
from keyworker.core.requests import member, safe_next

from . import calendars, policies, reminders
from .models import Appointment, Invitee, InviteeKind
from .models_reminders import AppointmentReminder

ICS = "text/calendar; charset=utf-8"


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    actor = member(request)
    feed = calendars.feed_of(user=request.user, staff=actor.staff)
    return render(request, "meetings/calendar_address.html", {
        "feed": feed, "address": calendars.feed_url(feed) if feed else "",
    })


@login_required
@require_POST
def calendar_address(request: HttpRequest) -> HttpResponse:
    """"Get my calendar address" (made on first asking) or, with new=1, "Make a new address"."""
    actor = member(request)
    if not policies.may_have_calendar(actor):
        raise Http404
    if request.POST.get("new") == "1":
        calendars.calendar_feed_rotate(user=request.user, staff=actor.staff, now=clock.now())
        messages.success(request, "Here is your new calendar address. The old one no longer works: add the new one to your calendar.")
    else:
        calendars.calendar_feed_get(user=request.user, staff=actor.staff, now=clock.now())
    return redirect("meetings:calendar")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed at its secret address: no sign-in (calendar programs cannot), 404 for a revoked or guessed one."""
    feed = calendars.feed_by_token(token)
    if feed is None:
        raise Http404
    now = clock.now()
    body = calendars.calendar_bytes(calendars.feed_appointments(feed, now=now), now=now, name="Keyworker appointments",
                                    for_carer=feed.staff_id is None)
    response = HttpResponse(body, content_type=ICS)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


def visible_appointment(actor, appointment_id: int) -> Appointment:
    """An appointment the member of staff is invited to or made, or one about a family they see; else 404."""
    from keyworker.people.selectors import families_visible_to

    appointment = Appointment.objects.filter(pk=appointment_id, organisation_id=actor.organisation_id).select_related(
        "setting").first()
    if appointment is None:
        raise Http404
    invited = Invitee.objects.filter(appointment=appointment, staff=actor.staff, kind=InviteeKind.STAFF).exists()
    mine = appointment.created_by_id == actor.user.pk
    family = appointment.family_id is not None and families_visible_to(actor).filter(pk=appointment.family_id).exists()
    if not (invited or mine or family or is_leader(actor, appointment.setting_id)):
        raise Http404
    return appointment


@login_required
@require_GET
def appointment_ics(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = member(request)
    appointment = visible_appointment(actor, appointment_id)
    response = HttpResponse(calendars.appointment_ics(appointment, now=clock.now()), content_type=ICS)
    response["Content-Disposition"] = f'attachment; filename="{calendars.ics_filename(appointment)}"'
    return response


@login_required
@require_POST
def reminder_done(request: HttpRequest, reminder_id: int) -> HttpResponse:
    """The key worker ticks off "Remind the Adams family by phone" on My week."""
    actor = member(request)
    reminder = AppointmentReminder.objects.filter(pk=reminder_id, organisation_id=actor.organisation_id).select_related(
        "appointment__setting", "carer", "family").first()
    if reminder is None or not policies.may_tick_off_reminder(actor, reminder):
        raise Http404
    reminders.reminder_tick_off(actor=actor, reminder=reminder, now=clock.now())
    messages.success(request, f"Done: {reminders.task_label(reminder)}.")
    return redirect(safe_next(request) or "week:my_week")

