"""The carers' parents' evening pages (section BOOKINGS): the evenings of their children's settings, and on one
evening, for each child, their key worker and class teachers with free times to book, move or cancel. No
JavaScript: each choice is a form of radio buttons."""

import zoneinfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from keyworker.core import clock
from keyworker.core.errors import RuleViolation
from keyworker.core.requests import int_param
from keyworker.meetings import evenings
from keyworker.people import carer_access

from .access import carer_required, section_required


def _hm(slot, setting) -> str:
    return slot.starts_at.astimezone(zoneinfo.ZoneInfo(setting.time_zone)).strftime("%H:%M")


@carer_required
@section_required(carer_access.BOOKINGS)
def bookings_list(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    items = evenings.evenings_for_carer(request.carer, now)
    booked = evenings.family_bookings(request.carer.family_ids_with(carer_access.BOOKINGS), now)
    return render(request, "portal/bookings_list.html", {"evenings": items, "booked": booked, "now": now})


def _evening_page(request, evening_id: int, errors: dict | None = None, status: int = 200) -> HttpResponse:
    now = clock.now()
    page = evenings.carer_evening(request.carer, evening_id, now)
    errors = errors or {}
    for cc in page.children:
        for choice in cc.choices:
            choice.error = errors.get(f"{cc.child.pk}-{choice.staff.pk}", "")
    return render(request, "portal/bookings_evening.html", {"page": page, "evening": page.evening, "error": errors.get("page"),
                                                           "now": now},
                  status=status)


@carer_required
def bookings_evening(request: HttpRequest, evening_id: int) -> HttpResponse:
    return _evening_page(request, evening_id)


def _refused(request, evening_id: int, key: str, exc_or_message) -> HttpResponse:
    message = exc_or_message.message if isinstance(exc_or_message, RuleViolation) else exc_or_message
    return _evening_page(request, evening_id, errors={key: message}, status=400)


@carer_required
@require_POST
def bookings_book(request: HttpRequest, evening_id: int) -> HttpResponse:
    now = clock.now()
    page = evenings.carer_evening(request.carer, evening_id, now)
    child_id, staff_id = int_param(request.POST.get("child")), int_param(request.POST.get("staff"))
    key = f"{child_id}-{staff_id}"
    choice = next((c for cc in page.children if cc.child.pk == child_id for c in cc.choices if c.staff.pk == staff_id), None)
    if choice is None:
        return _refused(request, evening_id, "page", "Choose a member of staff for one of your children.")
    child = next(cc.child for cc in page.children if cc.child.pk == child_id)
    request.carer.require(carer_access.BOOKINGS, child.family_id)
    slot_id = int_param(request.POST.get("slot"))
    slot = evenings.carer_free_slot(page.evening, slot_id) if slot_id else None
    if slot is None or slot.staff_id != staff_id:
        return _refused(request, evening_id, key, "Choose a time.")
    try:
        evenings.booking_create(by=request.user, slot=slot, child=child, carer=request.carer.link_for(child.family_id), now=now)
    except RuleViolation as exc:
        return _refused(request, evening_id, key, exc)
    messages.success(request, f"Booked: {_hm(slot, page.evening.setting)} with {slot.staff} about {child.display_name}.")
    return redirect("portal:bookings_evening", evening_id)


@carer_required
@require_POST
def bookings_move(request: HttpRequest, evening_id: int, slot_id: int) -> HttpResponse:
    now = clock.now()
    page = evenings.carer_evening(request.carer, evening_id, now)
    booking = evenings.carer_booking(request.carer, page.evening, slot_id)
    key = f"{booking.child_id}-{booking.staff_id}"
    to_id = int_param(request.POST.get("slot"))
    to = evenings.carer_free_slot(page.evening, to_id) if to_id else None
    if to is None:
        return _refused(request, evening_id, key, "Choose a new time.")
    try:
        new = evenings.booking_move(by=request.user, booking=booking, to_slot=to, now=now)
    except RuleViolation as exc:
        return _refused(request, evening_id, key, exc)
    messages.success(request, f"Moved: now {_hm(new, page.evening.setting)} with {new.staff}.")
    return redirect("portal:bookings_evening", evening_id)


@carer_required
@require_POST
def bookings_cancel(request: HttpRequest, evening_id: int, slot_id: int) -> HttpResponse:
    now = clock.now()
    page = evenings.carer_evening(request.carer, evening_id, now)
    booking = evenings.carer_booking(request.carer, page.evening, slot_id)
    try:
        evenings.booking_cancel(by=request.user, booking=booking, now=now)
    except RuleViolation as exc:
        return _refused(request, evening_id, f"{booking.child_id}-{booking.staff_id}", exc)
    messages.success(request, f"Cancelled your {_hm(booking, page.evening.setting)} appointment with {booking.staff}.")
    return redirect("portal:bookings_evening", evening_id)
