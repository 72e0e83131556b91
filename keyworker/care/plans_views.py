"""Staff pages of personal care plans: the list of plans and their reviews, one child's plan (the current version,
the next review and the rule that set it, reviews, the family's comments), a new version, a review, the history."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from keyworker.accounts import capabilities as caps
from keyworker.core import clock
from keyworker.core.forms import form_submit
from keyworker.core.requests import member as _member

from . import plans_selectors as selectors
from . import plans_services as services
from . import policies
from .checklists_selectors import setup_settings
from .models_plans import SECTIONS, CarePlanVersion
from .plans_forms import CarePlanForm, CarePlanReviewForm


@login_required
def plans_list(request: HttpRequest) -> HttpResponse:
    """The children of the actor's childcare settings with their plans, soonest review first."""
    actor = _member(request)
    actor.require(caps.VIEW_FAMILIES)
    today = clock.today()
    rows = selectors.plans_list(actor, today)
    return render(request, "care/plans_list.html", {"rows": rows, "today": today,
                                                    "can_set_up": bool(setup_settings(actor))})


@login_required
def plan_view(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = selectors.access_child(actor, child_id)
    today = clock.today(child.setting.time_zone)
    row = selectors.child_plan(child, today)
    plan = row.plan
    reviews = list(plan.reviews.select_related("done_by__user", "chosen_staff__user", "version")) if plan else []
    comments = list(plan.comments.select_related("answered_by")) if plan else []
    return render(request, "care/plans_detail.html", {
        "child": child, "row": row, "plan": plan, "version": row.version, "reviews": reviews, "comments": comments,
        "requests": [c for c in comments if c.asks_review and c.answered_by_id is None],
        "key_workers": selectors.key_workers_of(child), "key_worker_label": child.setting.key_worker_label,
        "can_edit": policies.care_plan_can_edit(actor, child.setting_id),
        "can_review": policies.care_plan_can_review(actor, child.setting_id),
    })


@login_required
def plan_edit(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = selectors.access_child(actor, child_id)
    policies.care_plan_require_edit(actor, child.setting_id)
    row = selectors.child_plan(child, clock.today(child.setting.time_zone))
    current = row.version
    initial = {name: getattr(current, name) for name, _, _ in SECTIONS} if current else {}
    form = CarePlanForm(request.POST or None, setting=child.setting, change_days=row.due.days.change, initial=initial)

    def save(data):
        services.care_plan_save(actor=actor, child=child, sections=form.section_values, summary=data.get("summary", ""),
                                significant_change=bool(data.get("significant_change")))
        return reverse("care:plan", args=[child.pk]), "Saved as a new version: the last one stays in the history."

    if (done := form_submit(request, form, save, fallback="health")) is not None:
        return done
    return render(request, "care/plans_edit.html", {"child": child, "form": form, "current": current},
                  status=400 if request.method == "POST" else 200)


@login_required
def plan_review(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = selectors.access_child(actor, child_id)
    policies.care_plan_require_review(actor, child.setting_id)
    today = clock.today(child.setting.time_zone)
    row = selectors.child_plan(child, today)
    label = child.setting.key_worker_label
    form = CarePlanReviewForm(request.POST or None, setting=child.setting, key_worker_label=label,
                              initial=CarePlanReviewForm.initial_for(row.version, actor.staff, today))

    def save(data):
        services.care_plan_review_record(
            actor=actor, child=child, reviewed_on=data["reviewed_on"], child_chose=data["child_chose"],
            chosen_staff=data.get("chosen_staff"), done_by=data["done_by"], notes=data.get("notes", ""),
            sections=form.section_values, summary=data.get("summary", ""), as_of=today)
        return reverse("care:plan", args=[child.pk]), "Review recorded."

    if row.version is not None and (done := form_submit(request, form, save, fallback="reviewed_on")) is not None:
        return done
    return render(request, "care/plans_review.html", {"child": child, "form": form, "row": row,
                                                      "key_worker_label": label,
                                                      "key_workers": selectors.key_workers_of(child)},
                  status=400 if request.method == "POST" else 200)


def _changes(versions: list[CarePlanVersion]) -> list[tuple[CarePlanVersion, list[tuple[str, str, str]]]]:
    """Each version (newest first) with the parts that changed from the one before: (heading, before, after)."""
    out = []
    oldest_first = sorted(versions, key=lambda v: v.number)
    before = None
    for v in oldest_first:
        changed = [(label, getattr(before, name) if before else "", getattr(v, name)) for name, label, _ in SECTIONS
                   if before is None and getattr(v, name) or before is not None and getattr(before, name) != getattr(v, name)]
        out.append((v, changed))
        before = v
    return list(reversed(out))


@login_required
def plan_history(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = selectors.access_child(actor, child_id)
    versions = list(CarePlanVersion.objects.filter(plan__child=child, organisation_id=actor.organisation_id))
    return render(request, "care/plans_history.html", {"child": child, "history": _changes(versions)})


urlpatterns = [
    path("plans/", plans_list, name="plans"),
    path("plans/children/<int:child_id>/", plan_view, name="plan"),
    path("plans/children/<int:child_id>/edit/", plan_edit, name="plan_edit"),
    path("plans/children/<int:child_id>/review/", plan_review, name="plan_review"),
    path("plans/children/<int:child_id>/history/", plan_history, name="plan_history"),
]
