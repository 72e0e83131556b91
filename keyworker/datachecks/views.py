"""Data check pages: progress per class and the corrections queue (admin office, leaders), a key worker's children,
the carer's confirmation form, and one check with its history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.core import clock
from keyworker.core.errors import RuleViolation
from keyworker.core.forms import form_submit, service_call
from keyworker.core.requests import member as _member
from keyworker.people.models import Carer
from keyworker.people.selectors import access_child

from . import policies, selectors, services
from .forms import (
    DIFFERENT,
    AdminConfirmForm,
    ConfirmForm,
    ProgressFilterForm,
    RejectForm,
    difference_forms,
)
from .models import CheckState, CorrectionState

QUEUE_MAX = 200


@login_required
def progress_view(request: HttpRequest) -> HttpResponse:
    """This half term's progress per class, for the admin office and leaders; key workers go to their children."""
    actor = _member(request)
    if not policies.oversees(actor):
        if actor.is_key_worker:
            return redirect("datachecks:mine")
        raise PermissionDenied("Only the admin office and leaders see the progress of data checks.")
    today = clock.today()
    groups = selectors.groups_of(actor)
    form = ProgressFilterForm(request.GET or None, groups=groups, initial={"as_of": today})
    group_id, as_of = None, today
    if form.is_valid():
        group_id = form.cleaned_data.get("group")
        as_of = form.cleaned_data.get("as_of") or today
    progress = selectors.progress(actor, as_of, group_id, groups)
    half_terms = sorted({ht.pk: ht for ht in progress.half_terms.values()}.values(), key=lambda h: h.starts_on)
    return render(request, "datachecks/progress.html", {
        "form": form, "progress": progress, "half_terms": half_terms, "as_of": as_of, "is_today": as_of == today,
        "group_id": group_id, "can_apply": policies.can_correct(actor),
        "waiting": sum(r.corrections_waiting for r in progress.rows),
    }, status=400 if form.errors else 200)


@login_required
def mine_view(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    today = clock.today()
    rows = selectors.my_children(actor, today)
    return render(request, "datachecks/mine.html", {
        "rows": rows, "waiting": [r for r in rows if r.needs_carer], "done": [r for r in rows if not r.needs_carer],
        "today": today,
    })


def _confirm_page(request, actor, child, form, rows, status=200):
    carers = selectors.carers_of(child)
    items = selectors.items_for(child, carers)
    by_carer: dict[int, list] = {}
    child_items = []
    for i in items:
        (by_carer.setdefault(i.carer.pk, []) if i.carer is not None else child_items).append(i)
    open_differences = form.data.get("outcome") == DIFFERENT or any(r.errors for r in rows)
    return render(request, "datachecks/confirm.html", {
        "child": child, "form": form, "rows": rows, "child_items": child_items,
        "carers": [(c, by_carer.get(c.pk, [])) for c in carers], "restricted": [c for c in carers if not c.may_be_contacted],
        "open_differences": open_differences, "half_term": selectors.half_term_holding(child.setting, clock.today(child.setting.time_zone)),
    }, status=status)


def _place(exc: RuleViolation, form: ConfirmForm, rows) -> None:
    name = exc.field or ""
    if name.startswith("differences."):
        _, n, field = name.split(".", 2)
        rows[int(n)].add_error(field, exc.message)
    elif name == "differences":
        rows[0].add_error("field", exc.message)
    elif name == "all_correct":
        form.add_error("outcome", exc.message)
    elif name in form.fields:
        form.add_error(name, exc.message)
    else:
        form.add_error(None, exc.message)


@login_required
def confirm_view(request: HttpRequest, child_id: int) -> HttpResponse:
    """Record the carer's confirmation: all the data shown, one form, a "something is different" section."""
    actor = _member(request)
    child = access_child(actor, child_id)
    today = clock.today(child.setting.time_zone)
    carers = selectors.carers_of(child)
    ht = selectors.half_term_holding(child.setting, today)
    existing = selectors.checks_visible_to(actor).filter(child=child, half_term=ht).first() if ht else None
    if existing is not None and existing.carer_confirmed and request.method != "POST":
        messages.info(request, f"A carer's confirmation is already recorded for {child.display_name} this half term.")
        return redirect("datachecks:detail", existing.pk)
    contactable = [c for c in carers if c.may_be_contacted]
    first = contactable[0] if contactable else None
    initial = {"confirmed_on": today, "carer": first.pk if first else None,
               # A carer who prefers calls is most likely checked by phone; anyone else at the gate.
               "method": "phone" if first and first.preferred_contact_method == "phone" else "in_person"}
    form = ConfirmForm(request.POST or None, initial=initial, carers=contactable, today=today)
    items = selectors.items_for(child, carers)
    rows = difference_forms(request.POST or None, items)
    if request.method == "POST":
        valid = form.is_valid()
        valid = all([r.is_valid() for r in rows]) and valid
        if valid:
            data = form.cleaned_data
            differences = [
                services.Difference(r.cleaned_data["field"], r.cleaned_data.get("proposed_value", ""), r.cleaned_data.get("note", ""))
                for r in rows if not r.is_blank
            ]
            carer = next((c for c in carers if c.pk == data["carer"]), None)
            try:
                check = services.datacheck_carer_confirm(
                    actor=actor, child=child, carer=carer, method=data["method"], confirmed_on=data["confirmed_on"],
                    all_correct=data["outcome"] != DIFFERENT, differences=differences, note=data.get("note", ""),
                )
            except RuleViolation as exc:
                _place(exc, form, rows)
            else:
                n = check.corrections.count()
                messages.success(request, f"Carer's confirmation recorded for {child.display_name}"
                                 + (f": {n} correction{'s' if n != 1 else ''} sent to the admin office." if n else ": all correct."))
                return redirect(request.POST.get("next") == "detail" and reverse("datachecks:detail", args=[check.pk])
                                or reverse("datachecks:mine"))
        return _confirm_page(request, actor, child, form, rows, status=400)
    return _confirm_page(request, actor, child, form, rows)


def _detail_page(request, actor, check, admin_form=None, status=200):
    corrections = list(check.corrections.select_related("carer", "proposed_by__user", "decided_by__user").order_by("id"))
    snapshot_items = []
    if check.snapshot:
        carers = {c.pk: c for c in Carer.objects.filter(family_id=check.family_id)}
        for key, value in check.snapshot.items():
            parts = key.split(".")
            who = "Child" if parts[0] in ("child", "key_aspects") else (
                str(carers[int(parts[1])].full_name) if parts[1].isdigit() and int(parts[1]) in carers else "A former carer")
            snapshot_items.append((who, parts[-1].replace("_", " ").capitalize(), value))
    can_admin = policies.can_correct(actor, check.setting_id)
    return render(request, "datachecks/detail.html", {
        "check": check, "corrections": corrections, "events": list(selectors.check_history(check)),
        "snapshot_items": snapshot_items, "can_admin": can_admin,
        "waiting": sum(1 for c in corrections if c.state == CorrectionState.PROPOSED),
        "admin_form": admin_form or (AdminConfirmForm() if can_admin and check.state == CheckState.AWAITING_ADMIN else None),
    }, status=status)


@login_required
def detail_view(request: HttpRequest, check_id: int) -> HttpResponse:
    actor = _member(request)
    return _detail_page(request, actor, selectors.access_check(actor, check_id))


@login_required
@require_POST
def admin_confirm_view(request: HttpRequest, check_id: int) -> HttpResponse:
    actor = _member(request)
    check = selectors.access_check(actor, check_id)
    policies.require_correct(actor, check.setting_id)
    form = AdminConfirmForm(request.POST)

    def save(data):
        services.datacheck_admin_confirm(actor=actor, check=check, note=data["note"])
        return reverse("datachecks:detail", args=[check.pk]), f"Data check of {check.child.display_name} complete."
    if (done := form_submit(request, form, save)) is not None:
        return done
    return _detail_page(request, actor, check, form, status=400)


def _queue_page(request, actor, errors=None, status=200):
    waiting = list(selectors.waiting_corrections(actor)[:QUEUE_MAX])
    errors = errors or {}
    rows = [(c, errors.get(c.pk) or RejectForm(prefix=f"c{c.pk}")) for c in waiting]
    return render(request, "datachecks/corrections.html", {
        "rows": rows, "decided": selectors.decided_corrections(actor), "total": len(waiting), "limit": QUEUE_MAX,
    }, status=status)


@login_required
def corrections_view(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    policies.require_correct(actor)
    return _queue_page(request, actor)


def _back(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next", "")
    return reverse("datachecks:detail", args=[int(nxt[6:])]) if nxt.startswith("check:") and nxt[6:].isdigit() else default


@login_required
@require_POST
def correction_apply_view(request: HttpRequest, correction_id: int) -> HttpResponse:
    actor = _member(request)
    correction = selectors.access_correction(actor, correction_id)
    policies.require_correct(actor, correction.data_check.setting_id)
    service_call(request, lambda: services.correction_apply(actor=actor, correction=correction), prefix=f"{correction.label}: ",
                 success=lambda _c: f"Applied: {correction.label} is now “{correction.proposed_shown or 'blank'}”.")
    return redirect(_back(request, reverse("datachecks:corrections")))


@login_required
@require_POST
def correction_reject_view(request: HttpRequest, correction_id: int) -> HttpResponse:
    actor = _member(request)
    correction = selectors.access_correction(actor, correction_id)
    policies.require_correct(actor, correction.data_check.setting_id)
    form = RejectForm(request.POST, prefix=f"c{correction.pk}")
    back = _back(request, reverse("datachecks:corrections"))

    def save(data):
        services.correction_reject(actor=actor, correction=correction, reason=data["reason"])
        return back, f"Rejected: {correction.label} stays as it is."
    if (done := form_submit(request, form, save, elsewhere=back, prefix=f"{correction.label}: ")) is not None:
        return done
    return _queue_page(request, actor, {correction.pk: form}, status=400)
