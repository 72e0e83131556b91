"""Staff pages for Year 6 transitions: the cohort (leaders see every leaving pupil), one pupil's plan with its visits,
the dates shared with the family and each visit's write-up."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.core import clock
from keyworker.core.forms import form_page, form_submit, service_call
from keyworker.core.requests import member as _member

from . import policies, selectors, services
from .forms import NewPlanForm, PlanForm, VisitForm, WriteUpForm

PAGE_SIZE = 50


@login_required
def cohort_view(request: HttpRequest) -> HttpResponse:
    """Every leaving pupil the actor may see: destination, dates shared or not, visits done, write-ups shared, late.
    A page of pupils at a time, the numbers over the whole cohort: six queries whatever its size."""
    actor = _member(request)
    policies.require_view(actor)
    children = selectors.cohort_children(actor, clock.today())
    summary = selectors.cohort_summary(children)
    paginator = Paginator(children, PAGE_SIZE)
    paginator.count = summary.pupils  # counted with the numbers: no query of its own
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "transitions/cohort.html", {
        "rows": selectors.cohort_rows(list(page.object_list), actor.organisation_id, clock.now()), "page_obj": page,
        "summary": summary, "leads": policies.leads(actor),
        "can_edit": policies.can_edit(actor),
    })


@login_required
def new_view(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    policies.require_view(actor)
    today = clock.today()
    children = list(selectors.cohort_children(actor, today).filter(transition_plan__isnull=True))
    asked = selectors.school_child(actor, _int(request.GET.get("child")))
    posted = selectors.school_child(actor, _int(request.POST.get("child"))) if request.method == "POST" else None
    for extra in (asked, posted):  # a pupil not in a leaving year, planned from their own page (warned)
        if extra is not None and extra not in children:
            children.append(extra)
    form = NewPlanForm(request.POST or None, children=children, initial={"child": asked.pk if asked else None})

    def save(data):
        child = selectors.school_child(actor, data.pop("child"))
        plan = services.transition_plan_create(actor=actor, child=child, data=data)
        warning = selectors.leaving_warning(plan.child)
        if warning:
            messages.warning(request, warning)
        return reverse("transitions:plan", args=[plan.pk]), "Transition plan saved. Add the visits, then share the dates."

    return form_page(request, form, title="New transition plan", cancel_url=reverse("transitions:cohort"), save=save,
                     intro="A plan for a leaving pupil: where they are going, who to contact there, and what the family "
                           "needs to know. Add the visits on the plan's page.")


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() and len(str(value)) < 12 else None


@login_required
def edit_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = _member(request)
    plan = selectors.access_plan(actor, plan_id)
    policies.require_edit(actor, plan.setting_id)
    form = PlanForm(request.POST or None, initial={n: getattr(plan, n) for n in services.PLAN_FIELDS})

    def save(data):
        services.transition_plan_update(actor=actor, plan=plan, data=data)
        return reverse("transitions:plan", args=[plan.pk]), "Transition plan saved."

    return form_page(request, form, title=f"Transition plan of {plan.child.display_name}",
                     cancel_url=reverse("transitions:plan", args=[plan.pk]), save=save)


def _plan_page(request, actor, plan, *, visit_form=None, write_up_forms=None, status=200):
    view = selectors.plan_view(plan, clock.now())
    can_edit = policies.can_edit(actor, plan.setting_id)
    write_up_forms = write_up_forms or {}
    rows = [(r, write_up_forms.get(r.visit.pk) or WriteUpForm(initial={"write_up": r.visit.write_up},
                                                              prefix=f"v{r.visit.pk}")) for r in view.visits]
    return render(request, "transitions/plan.html", {
        "view": view, "plan": plan, "child": plan.child, "rows": rows, "can_edit": can_edit,
        "warning": selectors.leaving_warning(plan.child),
        "visit_form": visit_form or VisitForm(staff=selectors.staff_choices(actor, plan) if can_edit else ()),
        "key_worker_label": plan.setting.key_worker_label,
    }, status=status)


@login_required
def plan_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = _member(request)
    return _plan_page(request, actor, selectors.access_plan(actor, plan_id))


@login_required
def child_view(request: HttpRequest, child_id: int) -> HttpResponse:
    """A child's plan, or a new plan for the child (the link My week's obligations give)."""
    actor = _member(request)
    child = selectors.school_child(actor, child_id)
    if child is None:
        raise Http404("No such child")
    plan_id = selectors.plans_visible_to(actor).filter(child=child).values_list("id", flat=True).first()
    if plan_id is not None:
        return redirect("transitions:plan", plan_id)
    return redirect(f"{reverse('transitions:new')}?child={child.pk}")


@login_required
def visit_view(request: HttpRequest, visit_id: int) -> HttpResponse:
    actor = _member(request)
    visit = selectors.access_visit(actor, visit_id)
    return redirect(reverse("transitions:plan", args=[visit.plan_id]) + f"#visit-{visit.pk}")


@login_required
@require_POST
def visit_add_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = _member(request)
    plan = selectors.access_plan(actor, plan_id)
    policies.require_edit(actor, plan.setting_id)
    form = VisitForm(request.POST, staff=selectors.staff_choices(actor, plan))

    def save(data):
        starts_at, ends_at = form.moments(plan.setting.time_zone)
        services.transition_visit_add(actor=actor, plan=plan, starts_at=starts_at, ends_at=ends_at, place=data["place"],
                                      staff_ids=data["staff"])
        return reverse("transitions:plan", args=[plan.pk]), "Visit added. Share the dates with the family before the first visit."

    done = form_submit(request, form, save, names={"starts_at": "starts", "ends_at": "ends"}, fallback="day")
    if done is not None:
        return done
    return _plan_page(request, actor, plan, visit_form=form, status=400)


@login_required
@require_POST
def share_dates_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = _member(request)
    plan = selectors.access_plan(actor, plan_id)
    policies.require_edit(actor, plan.setting_id)
    service_call(request, lambda: services.transition_dates_share(actor=actor, plan=plan),
                 success="Dates shared: the family sees them in the carers' portal.")
    return redirect("transitions:plan", plan.pk)


@login_required
@require_POST
def write_up_view(request: HttpRequest, visit_id: int) -> HttpResponse:
    actor = _member(request)
    visit = selectors.access_visit(actor, visit_id)
    plan = selectors.access_plan(actor, visit.plan_id)
    policies.require_edit(actor, plan.setting_id)
    form = WriteUpForm(request.POST, prefix=f"v{visit.pk}")
    share = request.POST.get("share") == "1"

    def save(data):
        if share:
            services.transition_write_up_save_and_share(actor=actor, visit=visit, text=data["write_up"])
            message = "Write-up shared: the family reads it in the carers' portal."
        else:
            services.transition_write_up_save(actor=actor, visit=visit, text=data["write_up"])
            message = "Write-up saved. Share it with the family when it is ready."
        return reverse("transitions:plan", args=[plan.pk]) + f"#visit-{visit.pk}", message

    done = form_submit(request, form, save)
    if done is not None:
        return done
    return _plan_page(request, actor, plan, write_up_forms={visit.pk: form}, status=400)
