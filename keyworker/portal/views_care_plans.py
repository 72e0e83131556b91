"""The carers' pages of personal care plans (section CARE_PLAN: parental responsibility, no restriction, unless the
organisation opens it wider): each child's current plan, the family's comments, and a comment that may ask for a
review. Outside the carer's access: 404."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from keyworker.care import plans_selectors as selectors
from keyworker.care import plans_services as services
from keyworker.care.models_plans import CarePlan
from keyworker.care.plans_forms import CarePlanCommentForm
from keyworker.core import clock
from keyworker.core.forms import form_submit
from keyworker.people.carer_access import CARE_PLAN

from .access import carer_required, section_required


@carer_required
@section_required(CARE_PLAN)
def care_plans(request: HttpRequest) -> HttpResponse:
    children = selectors.carer_children(request.carer, clock.today())
    plans = {p.child_id: p for p in CarePlan.objects.filter(child__in=[c.pk for c in children]).select_related("current")}
    return render(request, "portal/care_plan_list.html", {"rows": [(c, plans.get(c.pk)) for c in children]})


@carer_required
def care_plan(request: HttpRequest, child_id: int) -> HttpResponse:
    child = selectors.carer_child(request.carer, child_id, clock.today())
    request.carer.require(CARE_PLAN, child.family_id)
    link = request.carer.link_for(child.family_id)
    if link is None:
        raise Http404
    plan = CarePlan.objects.filter(child=child).select_related("current").first()
    version = plan.current if plan else None
    form = CarePlanCommentForm(request.POST or None)
    request_days = selectors.review_days(setting_ids=[child.setting_id])[child.setting_id].request

    def save(data):
        if version is None:
            raise Http404
        services.care_plan_comment_add(link=link, child=child, body=data["body"], asks_review=data["asks_review"])
        return (reverse("portal:care_plan", args=[child.pk]),
                f"Thank you: we asked for a review. It will be done within {request_days} days." if data["asks_review"]
                else "Thank you: your comment is with the setting.")

    if (done := form_submit(request, form, save, fallback="body")) is not None:
        return done
    comments = list(plan.comments.select_related("answered_by")) if plan else []
    return render(request, "portal/care_plan_detail.html", {
        "child": child, "plan": plan, "version": version, "form": form, "comments": comments,
        "key_worker_label": child.setting.key_worker_label, "request_days": request_days,
    }, status=400 if request.method == "POST" else 200)
