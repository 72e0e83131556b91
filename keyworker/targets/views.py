"""Staff pages of learning targets (SCH-8): a class's children and their targets, one child's targets (set, edit,
review, share with the family, notes from home, homework)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.core import clock
from keyworker.core.conflicts import EditConflict, conflict_context
from keyworker.core.errors import RuleViolation
from keyworker.core.forms import form_submit, show_rule
from keyworker.core.requests import int_param
from keyworker.core.requests import member as _member

from . import policies, selectors, services
from .forms import ReviewForm, ShareForm, TargetEditForm, TargetForm
from .models import TargetStatus


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The actor's classes; for the chosen one, each child with their current targets, next review and when the
    targets were last shared."""
    actor = _member(request)
    groups = list(selectors.groups_for(actor).select_related("setting"))
    chosen = int_param(request.GET.get("group"))
    group = next((g for g in groups if g.pk == chosen), None) or (
        next((g for g in groups if g.pk in actor.group_ids), None) or (groups[0] if groups else None))
    today = clock.today(group.setting.time_zone) if group else clock.today()
    rows = selectors.class_targets(group, today) if group else []
    return render(request, "targets/index.html", {"groups": groups, "group": group, "rows": rows, "today": today})


def _child_page(request, actor, child, *, target_form=None, share_form=None, status=200):
    today = clock.today(child.setting.time_zone)
    targets = selectors.child_targets(child)
    can_set = policies.can_set_targets(actor, child)
    return render(request, "targets/child.html", {
        "child": child, "targets": targets, "current": [t for t in targets if t.status == TargetStatus.WORKING],
        "earlier": [t for t in targets if t.status != TargetStatus.WORKING],
        "sharings": selectors.child_sharings(child), "notes": selectors.child_notes(child),
        "homework": selectors.child_homework(child)[:10], "today": today,
        "can_set": can_set, "can_share": can_set or policies.is_key_worker_of(actor, child.family_id),
        "target_form": target_form or TargetForm(), "share_form": share_form or ShareForm(),
        "key_worker_label": child.setting.key_worker_label,
    }, status=status)


@login_required
def child_view(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    return _child_page(request, actor, selectors.access_child(actor, child_id))


@login_required
def target_new(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = selectors.access_child(actor, child_id)
    policies.require_set_targets(actor, child)
    form = TargetForm(request.POST or None)

    def save(data):
        services.target_create(actor=actor, child=child, **data)
        return reverse("targets:child", args=[child.pk]), f"Target set for {child.display_name}. Share the targets with the family when they are ready."

    if (done := form_submit(request, form, save)) is not None:
        return done
    return render(request, "targets/target_form.html", {"child": child, "form": form, "target": None},
                  status=400 if request.method == "POST" else 200)


@login_required
def target_edit(request: HttpRequest, target_id: int) -> HttpResponse:
    actor = _member(request)
    target = selectors.access_target(actor, target_id)
    child = target.child
    policies.require_set_targets(actor, child)
    initial = {f: getattr(target, f) for f in services.EDITABLE} | {"version": target.version}
    form = TargetEditForm(request.POST or None, initial=initial)
    context = {"child": child, "form": form, "target": target}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.target_update(actor=actor, target=target, changes=data, version=version)
        except EditConflict as exc:
            saved = TargetEditForm(initial={f: getattr(exc.record, f) for f in services.EDITABLE} | {"version": exc.version})
            context |= conflict_context(form, saved, exc)
        except RuleViolation as exc:
            show_rule(form, exc)
        else:
            messages.success(request, "Target saved.")
            return redirect("targets:child", child.pk)
    return render(request, "targets/target_form.html", context, status=400 if request.method == "POST" else 200)


@login_required
def target_review(request: HttpRequest, target_id: int) -> HttpResponse:
    actor = _member(request)
    target = selectors.access_target(actor, target_id)
    child = target.child
    policies.require_set_targets(actor, child)
    form = ReviewForm(request.POST or None)

    def save(data):
        review = services.target_review(actor=actor, target=target, **data)
        return reverse("targets:child", args=[child.pk]), f"Review saved: {review.get_status_display().lower()}."

    if (done := form_submit(request, form, save)) is not None:
        return done
    return render(request, "targets/review_form.html", {"child": child, "form": form, "target": target,
                                                        "reviews": list(target.reviews.select_related("reviewed_by__user"))},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def share(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = selectors.access_child(actor, child_id)
    policies.require_share(actor, child)
    form = ShareForm(request.POST)

    def save(data):
        s = services.targets_share(actor=actor, child=child, **data)
        where = "they can see them in the carers' portal" if s.method == "portal" else "they also see them in the carers' portal"
        return reverse("targets:child", args=[child.pk]), f"Targets shared with the family: {where}."

    if (done := form_submit(request, form, save, fallback="method")) is not None:
        return done
    return _child_page(request, actor, child, share_form=form, status=400)
