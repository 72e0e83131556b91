"""Staff pages for enrolment forms: the list (incomplete, waiting for review), one child's form, accept or ask for
changes."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.accounts import capabilities as caps
from keyworker.core import clock
from keyworker.core.forms import form_submit, service_call
from keyworker.core.requests import member as _member

from . import policies, selectors, services
from .forms import AskChangesForm
from .models import FormState

FILTERS = (("incomplete", "Enrolment incomplete"), ("sent", "Waiting for review"), ("", "All"))


@login_required
def list_view(request: HttpRequest) -> HttpResponse:
    """The children of the actor's childcare settings and their enrolment forms: managers see every child."""
    actor = _member(request)
    actor.require(caps.VIEW_FAMILIES)
    state = request.GET.get("state", "incomplete")
    state = state if state in dict(FILTERS) else "incomplete"
    rows = selectors.enrolments(actor, clock.today(), state)
    return render(request, "enrolment/list.html", {"rows": rows, "state": state, "filters": FILTERS,
                                                   "oversees": policies.oversees(actor)})


def _detail(request, actor, child, form, ask_form=None, status=200):
    return render(request, "enrolment/detail.html", {
        "child": child, "form": form, "ask_form": ask_form or AskChangesForm(),
        "can_review": form is not None and form.state == FormState.SENT and policies.can_review(actor, child.setting_id),
        "key_worker_label": child.setting.key_worker_label,
    }, status=status)


@login_required
def child_view(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = selectors.access_child(actor, child_id)
    form = selectors.forms_visible_to(actor).filter(child=child).select_related("reviewed_by__user").first()
    if form is not None:
        return redirect("enrolment:detail", form.pk)
    return _detail(request, actor, child, None)


@login_required
def detail_view(request: HttpRequest, form_id: int) -> HttpResponse:
    actor = _member(request)
    form = selectors.access_form(actor, form_id)
    return _detail(request, actor, form.child, form)


@login_required
@require_POST
def accept_view(request: HttpRequest, form_id: int) -> HttpResponse:
    actor = _member(request)
    form = selectors.access_form(actor, form_id)
    policies.require_review(actor, form.setting_id)
    service_call(request, lambda: services.enrolment_accept(actor=actor, form=form),
                 success=f"Enrolment form of {form.child.display_name} accepted: the key aspects are updated.")
    return redirect("enrolment:detail", form.pk)


@login_required
@require_POST
def ask_changes_view(request: HttpRequest, form_id: int) -> HttpResponse:
    actor = _member(request)
    form = selectors.access_form(actor, form_id)
    policies.require_review(actor, form.setting_id)
    ask = AskChangesForm(request.POST)

    def save(data):
        services.enrolment_ask_changes(actor=actor, form=form, note=data["note"])
        return reverse("enrolment:detail", args=[form.pk]), "Sent back to the family with your note."

    if (done := form_submit(request, ask, save)) is not None:
        return done
    return _detail(request, actor, form.child, form, ask, status=400)
