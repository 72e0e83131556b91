"""Staff pages of parents' evenings: the list, opening and editing an evening, the whole evening (the office books,
moves and cancels for families), and each member of staff's printable timetable where they record who came."""

import datetime as dt
import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from keyworker.accounts.policies import led_settings
from keyworker.core import clock
from keyworker.core.forms import form_submit, service_call
from keyworker.core.requests import int_param
from keyworker.core.requests import member as _member
from keyworker.organisations.models import Setting
from keyworker.people.selectors import children_visible_to

from . import evenings, policies
from .evenings_forms import (
    AttendanceForm,
    CancelEveningForm,
    EveningForm,
    EveningWindowForm,
    MoveForm,
    OfficeBookForm,
)

# A service's argument named in a refusal, as the form calls it.
NAMES = {"slot": "to_slot"}


def _time(slot, setting) -> str:
    return slot.starts_at.astimezone(zoneinfo.ZoneInfo(setting.time_zone)).strftime("%H:%M")


@login_required
def evening_list_view(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    now = clock.now()
    items = list(evenings.evenings_visible_to(actor).select_related("setting").order_by("-starts_at")[:100])
    counts = evenings.evening_counts(items)
    rows = [(e, *counts.get(e.pk, (0, 0))) for e in items]
    return render(request, "meetings/evening_list.html", {
        "coming": [r for r in rows if r[0].ends_at > now and not r[0].is_cancelled],
        "past": [r for r in rows if r[0].ends_at <= now or r[0].is_cancelled],
        "settings": led_settings(actor) if policies.can_run_evenings(actor) else [], "now": now,
    })


def _led_setting(actor, raw) -> Setting:
    settings_ = led_settings(actor)
    wanted = int_param(raw)
    setting = next((s for s in settings_ if s.pk == wanted), None) if wanted else (settings_[0] if len(settings_) == 1 else None)
    if setting is None:
        raise Http404
    return setting


@login_required
def evening_new_view(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    policies.require_run_evenings(actor)
    setting = _led_setting(actor, request.GET.get("setting") or request.POST.get("setting"))
    # The booking window is typed and shown in the setting's time zone.
    with timezone.override(setting.time_zone):
        return _evening_new(request, actor, setting)


def _evening_new(request: HttpRequest, actor, setting: Setting) -> HttpResponse:
    today = clock.today(setting.time_zone)
    day = today + dt.timedelta(days=14)
    tz = zoneinfo.ZoneInfo(setting.time_zone)
    initial = {"day": day, "starts": dt.time(16, 0), "ends": dt.time(19, 0), "slot_minutes": 10,
               "booking_opens_at": dt.datetime.combine(today, dt.time(9, 0), tzinfo=tz),
               "booking_closes_at": dt.datetime.combine(day - dt.timedelta(days=1), dt.time(18, 0), tzinfo=tz),
               "staff": sorted(evenings.default_staff_ids(setting)),
               "title": f"Parents' evening, {setting.name}"}
    form = EveningForm(request.POST or None, initial=initial, setting=setting, today=today)

    def save(data):
        plan = evenings.evening_plan(setting=setting, day=data["day"], starts=data["starts"], ends=data["ends"],
                                     slot_minutes=data["slot_minutes"], break_starts=data.get("break_starts"),
                                     break_ends=data.get("break_ends"))
        evening = evenings.evening_open(actor=actor, setting=setting, title=data["title"], plan=plan, staff=list(data["staff"]),
                                        booking_opens_at=data["booking_opens_at"], booking_closes_at=data["booking_closes_at"],
                                        place=data.get("place", ""))
        return reverse("meetings:evening_detail", args=[evening.pk]), f"{evening.title} is open for booking."
    if (done := form_submit(request, form, save)) is not None:
        return done
    return render(request, "meetings/evening_form.html", {"form": form, "setting": setting, "title": "Open a parents' evening"},
                  status=400 if request.method == "POST" else 200)


@login_required
def evening_edit_view(request: HttpRequest, evening_id: int) -> HttpResponse:
    actor = _member(request)
    evening = evenings.access_evening(actor, evening_id)
    policies.require_run_evenings(actor, evening.setting_id)
    with timezone.override(evening.setting.time_zone):
        return _evening_edit(request, actor, evening)


def _evening_edit(request: HttpRequest, actor, evening) -> HttpResponse:
    initial = {"title": evening.title, "place": evening.place, "booking_opens_at": evening.booking_opens_at,
               "booking_closes_at": evening.booking_closes_at, "staff": [s.pk for s in evenings.evening_staff(evening)]}
    form = EveningWindowForm(request.POST or None, initial=initial, setting=evening.setting)

    def save(data):
        evenings.evening_update(actor=actor, evening=evening, title=data["title"], place=data.get("place", ""),
                                booking_opens_at=data["booking_opens_at"], booking_closes_at=data["booking_closes_at"],
                                staff=list(data["staff"]))
        return reverse("meetings:evening_detail", args=[evening.pk]), "Parents' evening saved."
    if (done := form_submit(request, form, save)) is not None:
        return done
    return render(request, "meetings/evening_form.html", {"form": form, "setting": evening.setting, "evening": evening,
                                                           "title": f"Change {evening.title}"},
                  status=400 if request.method == "POST" else 200)


@login_required
def evening_detail_view(request: HttpRequest, evening_id: int) -> HttpResponse:
    actor = _member(request)
    evening = evenings.access_evening(actor, evening_id)
    columns = evenings.board(evening)
    can_run, can_book = policies.can_run_evenings(actor, evening.setting_id), policies.can_book_for_families(actor, evening.setting_id)
    if not (can_run or can_book):
        # A member of staff taking part sees their own column; the whole evening is the office's and leaders'.
        columns = [c for c in columns if c.staff.pk == actor.staff.pk]
    now = clock.now()
    return render(request, "meetings/evening_detail.html", {
        "evening": evening, "columns": columns, "now": now, "booking_open": evening.booking_open(now),
        "can_run": can_run, "can_book": can_book,
        "booked": sum(c.booked for c in columns), "total": sum(len(c.slots) for c in columns),
        "taking_part": any(c.staff.pk == actor.staff.pk for c in columns),
    })


@login_required
@require_POST
def evening_close_view(request: HttpRequest, evening_id: int) -> HttpResponse:
    actor = _member(request)
    evening = evenings.access_evening(actor, evening_id)
    service_call(request, lambda: evenings.evening_close(actor=actor, evening=evening), success="Booking is now closed.")
    return redirect("meetings:evening_detail", evening.pk)


@login_required
def evening_cancel_view(request: HttpRequest, evening_id: int) -> HttpResponse:
    actor = _member(request)
    evening = evenings.access_evening(actor, evening_id)
    policies.require_run_evenings(actor, evening.setting_id)
    form = CancelEveningForm(request.POST or None)

    def save(data):
        told = evenings.evening_cancel(actor=actor, evening=evening, reason=data["reason"])
        return (reverse("meetings:evening_detail", args=[evening.pk]),
                f"{evening.title} is cancelled; {told} famil{'y' if told == 1 else 'ies'} with a booking told by e-mail.")
    if (done := form_submit(request, form, save, elsewhere=reverse("meetings:evening_detail", args=[evening.pk]))) is not None:
        return done
    return render(request, "meetings/evening_cancel.html", {"form": form, "evening": evening},
                  status=400 if request.method == "POST" else 200)


@login_required
def timetable_view(request: HttpRequest, evening_id: int, staff_id: int | None = None) -> HttpResponse:
    """A member of staff's timetable (their own without `staff_id`): printable; they record who came."""
    actor = _member(request)
    evening = evenings.access_evening(actor, evening_id)
    staff_id = staff_id or actor.staff.pk
    if staff_id != actor.staff.pk and not (policies.can_run_evenings(actor, evening.setting_id)
                                           or policies.can_book_for_families(actor, evening.setting_id)):
        raise Http404
    slots = evenings.timetable(evening, staff_id)
    if not slots:
        raise Http404("Not taking part in this evening")
    staff = evenings.evening_staff_member(staff_id)
    may_record = policies.can_record_attendance(actor, slots[0])
    return render(request, "meetings/evening_timetable.html", {
        "evening": evening, "slots": slots, "staff": staff, "may_record": may_record, "now": clock.now(),
        "booked": sum(1 for s in slots if not s.is_free),
    })


@login_required
@require_POST
def attendance_view(request: HttpRequest, evening_id: int, slot_id: int) -> HttpResponse:
    actor = _member(request)
    evening = evenings.access_evening(actor, evening_id)
    slot = evenings.access_slot(actor, evening, slot_id)
    slot.evening = evening
    policies.require_record_attendance(actor, slot)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        service_call(request, lambda: evenings.attendance_record(actor=actor, booking=slot, attended=form.cleaned_data["attended"]),
                     success="Attendance recorded.")
    else:
        messages.error(request, "Choose whether the family came.")
    return redirect("meetings:evening_staff_timetable", evening.pk, slot.staff_id)


@login_required
def office_slot_view(request: HttpRequest, evening_id: int, slot_id: int) -> HttpResponse:
    """The office books a free slot for a family, or moves or cancels a booking."""
    actor = _member(request)
    evening = evenings.access_evening(actor, evening_id)
    policies.require_book_for_families(actor, evening.setting_id)
    slot = evenings.access_slot(actor, evening, slot_id)
    back = reverse("meetings:evening_detail", args=[evening.pk])
    if slot.is_free:
        children = children_visible_to(actor).filter(setting=evening.setting, left_on__isnull=True).select_related(
            "family", "group").order_by("legal_last_name", "legal_first_name", "id")
        form = OfficeBookForm(request.POST or None, children=children)

        def save(data):
            child = data["child"]
            carer = evenings.first_carer(child)
            evenings.booking_create(by=actor.user, slot=slot, child=child, carer=carer, office=True)
            return back, f"Booked {_time(slot, evening.setting)} with {slot.staff} for {child.display_name}."
        if (done := form_submit(request, form, save, fallback="child")) is not None:
            return done
        return render(request, "meetings/evening_slot.html", {"evening": evening, "slot": slot, "form": form,
                                                               "time": _time(slot, evening.setting)},
                      status=400 if request.method == "POST" else 200)
    if request.method == "POST" and request.POST.get("action") == "cancel":
        service_call(request, lambda: evenings.booking_cancel(by=actor.user, booking=slot, office=True),
                     success="Booking cancelled; the family is told by e-mail.")
        return redirect(back)
    free = [s for s in evenings.timetable(evening, slot.staff_id) if s.is_free and s.starts_at > clock.now()]
    form = MoveForm(request.POST or None, free=free, time_of=lambda s: _time(s, evening.setting))

    def move(data):
        to = next(s for s in free if s.pk == data["to_slot"])
        evenings.booking_move(by=actor.user, booking=slot, to_slot=to, office=True)
        return back, f"Moved to {_time(to, evening.setting)}; the family is told by e-mail."
    if (done := form_submit(request, form, move, fallback="to_slot", names=NAMES)) is not None:
        return done
    return render(request, "meetings/evening_slot.html", {"evening": evening, "slot": slot, "move_form": form,
                                                           "time": _time(slot, evening.setting)},
                  status=400 if request.method == "POST" else 200)
