"""Meetings pages for staff: the list (mine, or all I can see), arranging an appointment, its page (invitees with
their answers and attendance, notes), changing, cancelling, answering for an invitee and recording who came."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.core import clock
from keyworker.core.conflicts import EditConflict
from keyworker.core.forms import form_submit
from keyworker.core.requests import int_param
from keyworker.core.requests import member as _member
from keyworker.people.models import Child, Family
from keyworker.people.selectors import access_family, families_visible_to

from . import policies, selectors, services
from .forms import AppointmentForm, AttendanceForm, CancelForm, ChangeForm, ListFilterForm, RsvpForm
from .models import AppointmentKind, AppointmentStatus, Invitee, InviteeKind, InviteeRole


@login_required
def list_view(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    leader = any(policies.sees_setting(actor, s) for s in actor.setting_ids) or policies.sees_setting(actor)
    form = ListFilterForm(request.GET or None)
    whose, kind, when = (selectors.SETTING if leader else selectors.MINE), "", selectors.UPCOMING
    if form.is_valid():
        whose = form.cleaned_data.get("whose") or whose
        kind = form.cleaned_data.get("kind") or ""
        when = form.cleaned_data.get("when") or when
    appointments = selectors.appointment_list(actor, now=clock.now(), whose=whose, kind=kind, when=when)
    for a in appointments:
        invitees = a.invitees.all()
        a.invited_count, a.coming_count = len(invitees), sum(1 for i in invitees if i.rsvp == "yes")
    return render(request, "meetings/list.html", {
        "form": form, "appointments": appointments, "whose": whose, "when": when, "kind": kind,
        "can_arrange": policies.can_arrange(actor), "limit": selectors.LIST_MAX,
    }, status=400 if form.errors else 200)


def _family_from(request: HttpRequest, actor) -> Family | None:
    raw = request.POST.get("family") if request.method == "POST" else request.GET.get("family")
    family_id = int_param(raw)
    return access_family(actor, family_id) if family_id else None


def _staff_hints(actor, staff: list, family: Family | None, setting_id: int) -> tuple[dict[int, str], list[int]]:
    """What each member of staff is to the family (to label and pre-tick them): key worker, class teacher, manager."""
    key_workers = selectors.key_worker_ids(family, setting_id)
    class_ids = set(Child.objects.filter(family_id=family.pk).exclude(group__isnull=True).values_list("group_id", flat=True)) if family else set()
    labels = {InviteeRole.KEY_WORKER: "key worker", InviteeRole.CLASS_TEACHER: "class teacher", InviteeRole.MANAGER: "manager"}
    hints, ticked = {}, []
    for s in staff:
        role = selectors.staff_role_for(s, key_workers=key_workers, class_ids=class_ids, setting_id=setting_id)
        if role in labels:
            hints[s.pk] = labels[role]
            if family is not None and role in (InviteeRole.KEY_WORKER, InviteeRole.CLASS_TEACHER):
                ticked.append(s.pk)
    return hints, ticked


@login_required
def new_view(request: HttpRequest) -> HttpResponse:
    """Arrange an appointment. Coming from a family's page (?family=), its carers and staff are offered and ticked."""
    actor = _member(request)
    if not policies.can_arrange(actor):
        raise PermissionDenied("You do not arrange meetings.")
    settings = [s for s in actor.settings().order_by("name", "id") if policies.can_arrange(actor, s.pk)]
    if not settings:
        raise PermissionDenied("You do not arrange meetings.")
    family = _family_from(request, actor)
    children = list(Child.objects.filter(family=family).order_by("legal_first_name", "id")) if family else []
    carers = selectors.invitable_carers(family)
    setting = next((s for s in settings if children and s.pk == children[0].setting_id), settings[0])
    staff = selectors.invitable_staff(actor.organisation_id)
    hints, ticked = _staff_hints(actor, staff, family, setting.pk)
    kind = request.GET.get("kind", "")
    initial = {
        "setting": setting.pk, "family": family.pk if family else None, "carers": [c.pk for c in carers if c.may_be_contacted],
        "staff": ticked or [actor.staff.pk], "kind": kind if kind in AppointmentKind.values else AppointmentKind.OTHER,
        "date": clock.today(setting.time_zone),
    }
    families = list(families_visible_to(actor).order_by("name", "id").only("id", "name"))
    form = AppointmentForm(request.POST or None, initial=initial, settings=settings, families=families, family=family,
                           children=children, carers=carers, staff=staff, staff_hints=hints)

    def save(d):
        chosen = next(s for s in settings if s.pk == d["setting"])
        starts_at, ends_at = form.moments(chosen.time_zone)
        by_id = {s.pk: s for s in staff}
        appointment = services.appointment_create(
            actor=actor, setting=chosen, kind=d["kind"], title=d["title"], starts_at=starts_at, ends_at=ends_at,
            family=family, child=next((c for c in children if c.pk == d.get("child")), None),
            place=d.get("place", ""), video_link=d.get("video_link", ""),
            carers=[c for c in carers if c.pk in set(d.get("carers") or [])],
            staff=[by_id[pk] for pk in d.get("staff") or [] if pk in by_id],
            professionals=[services.Professional(d[f"professional_{n}_name"], d.get(f"professional_{n}_email") or "",
                                                 d.get(f"professional_{n}_organisation") or "")
                           for n, *_ in form.professional_rows() if d.get(f"professional_{n}_name")],
        )
        return reverse("meetings:detail", args=[appointment.pk]), f"Appointment arranged: {appointment.title}."

    if request.method == "POST" and request.POST.get("family_only"):
        # "Show this family's carers": the same form again with the chosen family's people, nothing saved.
        form = AppointmentForm(initial={**initial, **{k: v for k, v in request.POST.items() if k in ("kind", "title", "place", "video_link")}},
                               settings=settings, families=families, family=family, children=children, carers=carers,
                               staff=staff, staff_hints=hints)
        done = None
    else:
        done = form_submit(request, form, save, names={**form.NAMES, "child": "child", "professionals": "professional_1_name"})
    if done is not None:
        return done
    return render(request, "meetings/new.html", {
        "form": form, "family": family, "restricted": [c for c in carers if not c.may_be_contacted],
        "no_email": [c for c in carers if c.may_be_contacted and not c.email],
    }, status=400 if request.method == "POST" and not request.POST.get("family_only") else 200)


def _detail_page(request, actor, appointment, *, change=None, cancel=None, attendance=None, rsvp_errors=None, status=200):
    invitees = list(appointment.invitees.all())
    for i in invitees:
        i.answer_errors = (rsvp_errors or {}).get(i.pk, [])
    manage = policies.can_manage(actor, appointment, {i.staff_id for i in invitees if i.staff_id})
    now = clock.now()
    scheduled = appointment.status == AppointmentStatus.SCHEDULED
    started = appointment.starts_at <= now
    return render(request, "meetings/detail.html", {
        "appointment": appointment, "invitees": invitees, "can_manage": manage, "now": now,
        "carers": [i for i in invitees if i.kind == InviteeKind.CARER],
        "can_answer": manage and scheduled and not started,
        "can_record": manage and appointment.status != AppointmentStatus.CANCELLED and started,
        "cancel_form": cancel or (CancelForm(initial={"version": appointment.version}) if manage and scheduled else None),
        "attendance_form": attendance or AttendanceForm(initial={"version": appointment.version, "notes": appointment.notes},
                                                        invitees=invitees),
        "answers": RsvpForm.base_fields["rsvp"].choices,
    }, status=status)


@login_required
def detail_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = _member(request)
    return _detail_page(request, actor, selectors.access_appointment(actor, appointment_id))


def _require_manage(actor, appointment) -> None:
    if not policies.can_manage(actor, appointment):
        raise PermissionDenied("Only the organiser, staff invited and the setting's leaders change this appointment.")


@login_required
def change_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Change the details or reschedule; carers are told of a new time or place."""
    actor = _member(request)
    appointment = selectors.access_appointment(actor, appointment_id)
    _require_manage(actor, appointment)
    form = ChangeForm.for_appointment(appointment, request.POST or None)
    conflict = None

    def save(d):
        starts_at, ends_at = form.moments(appointment.setting.time_zone)
        services.appointment_change(actor=actor, appointment=appointment, version=d["version"], title=d["title"],
                                    kind=d["kind"], starts_at=starts_at, ends_at=ends_at, place=d.get("place", ""),
                                    video_link=d.get("video_link", ""))
        return reverse("meetings:detail", args=[appointment.pk]), "Appointment changed."

    try:
        done = form_submit(request, form, save, names=form.NAMES)
    except EditConflict as exc:
        done, conflict = None, exc.message
    if done is not None:
        return done
    return render(request, "meetings/change.html", {"form": form, "appointment": appointment, "conflict_message": conflict},
                  status=409 if conflict else 400 if request.method == "POST" else 200)


@login_required
@require_POST
def cancel_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = _member(request)
    appointment = selectors.access_appointment(actor, appointment_id)
    _require_manage(actor, appointment)
    form = CancelForm(request.POST)

    def save(d):
        services.appointment_cancel(actor=actor, appointment=appointment, reason=d["reason"], version=d["version"])
        return reverse("meetings:detail", args=[appointment.pk]), "Appointment cancelled; the carers invited are told."

    try:
        done = form_submit(request, form, save)
    except EditConflict as exc:
        form.add_error(None, exc.message)
        done = None
    if done is not None:
        return done
    return _detail_page(request, actor, appointment, cancel=form, status=400)


@login_required
@require_POST
def rsvp_view(request: HttpRequest, appointment_id: int, invitee_id: int) -> HttpResponse:
    """Record an invitee's answer on their behalf."""
    actor = _member(request)
    appointment = selectors.access_appointment(actor, appointment_id)
    _require_manage(actor, appointment)
    invitee = get_object_or_404(Invitee.objects.select_related("appointment__setting", "carer", "staff__user"),
                                pk=invitee_id, appointment_id=appointment.pk)
    form = RsvpForm(request.POST)

    def save(d):
        services.rsvp_record(actor=actor, invitee=invitee, rsvp=d["rsvp"])
        return reverse("meetings:detail", args=[appointment.pk]), f"Answer recorded for {invitee}."

    if (done := form_submit(request, form, save)) is not None:
        return done
    errors = [e for errs in form.errors.values() for e in errs]
    return _detail_page(request, actor, appointment, rsvp_errors={invitee.pk: errors}, status=400)


@login_required
@require_POST
def attendance_view(request: HttpRequest, appointment_id: int) -> HttpResponse:
    actor = _member(request)
    appointment = selectors.access_appointment(actor, appointment_id)
    _require_manage(actor, appointment)
    form = AttendanceForm(request.POST, invitees=list(appointment.invitees.all()))

    def save(d):
        services.attendance_record(actor=actor, appointment=appointment, version=d["version"],
                                   attended=form.attendance(), notes=d.get("notes", ""))
        return reverse("meetings:detail", args=[appointment.pk]), "Attendance and notes saved."

    try:
        done = form_submit(request, form, save)
    except EditConflict as exc:
        form.add_error(None, exc.message)
        done = None
    if done is not None:
        return done
    return _detail_page(request, actor, appointment, attendance=form, status=400)
