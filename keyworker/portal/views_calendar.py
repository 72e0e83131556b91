"""The carers' calendar: their appointments to add to a phone's calendar one by one (.ics), and a private calendar
address that keeps them all up to date. Only appointments they are invited to, in families whose appointments
they may see (keyworker.people.carer_access); anything else is 404."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from keyworker.core import clock
from keyworker.meetings import calendars
from keyworker.meetings.models import AppointmentStatus
from keyworker.meetings.reminders import local
from keyworker.people.carer_access import APPOINTMENTS

from .access import carer_required, section_required

ICS = "text/calendar; charset=utf-8"


@carer_required
@section_required(APPOINTMENTS)
def calendar(request):
    now = clock.now()
    rows = list(calendars.carer_appointments(request.user, now=now).filter(ends_at__gte=now)
                .select_related("setting", "child").order_by("starts_at", "id")[:50])
    for a in rows:
        a.local_start = local(a.starts_at, a.setting.time_zone)
        a.is_cancelled = a.status == AppointmentStatus.CANCELLED
    feed = calendars.feed_of(user=request.user)
    return render(request, "portal/calendar_appointments.html", {
        "appointments": rows, "feed": feed, "address": calendars.feed_url(feed) if feed else "",
    })


@carer_required
@require_POST
def calendar_address(request):
    if not request.carer.family_ids_with(APPOINTMENTS):
        raise Http404
    if request.POST.get("new") == "1":
        calendars.calendar_feed_rotate(user=request.user, now=clock.now())
        messages.success(request, "Here is your new calendar address. The old one no longer works.")
    else:
        calendars.calendar_feed_get(user=request.user, now=clock.now())
    return redirect("portal:calendar")


@carer_required
@require_GET
def appointment_ics(request, appointment_id: int):
    appointment = calendars.carer_appointments(request.user, now=clock.now()).filter(pk=appointment_id).first()
    if appointment is None:
        raise Http404
    response = HttpResponse(calendars.appointment_ics(appointment, now=clock.now(), for_carer=True), content_type=ICS)
    response["Content-Disposition"] = f'attachment; filename="{calendars.ics_filename(appointment)}"'
    return response
