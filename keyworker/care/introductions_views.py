"""Staff pages of the manager's introductions (CC-M1): the new families, introduced or waiting, and recording one."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from keyworker.accounts import capabilities as caps
from keyworker.core import clock
from keyworker.core.forms import form_submit
from keyworker.core.requests import member as _member

from . import checklists_selectors, introductions_services
from . import introductions_selectors as selectors
from .checklists_forms import IntroductionForm
from .models_checklists import Introduction, IntroductionHow


@login_required
def list_view(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    actor.require(caps.VIEW_FAMILIES)
    rows = selectors.new_families(actor, clock.today())
    return render(request, "care/introductions_list.html", {
        "rows": rows, "waiting": [r for r in rows if r.waiting], "days": checklists_selectors.NEW_FOR_DAYS,
    })


@login_required
def record_view(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = checklists_selectors.access_child(actor, child_id)
    if not selectors.can_record(actor, child.setting_id):
        raise PermissionDenied("The setting's manager records their introduction to new families.")
    done = Introduction.objects.filter(child=child).select_related("introduced_by__user").first()
    form = IntroductionForm(request.POST or None, initial={"introduced_on": clock.today(child.setting.time_zone),
                                                           "how": IntroductionHow.IN_PERSON})

    def save(data):
        introductions_services.introduction_record(actor=actor, child=child, introduced_on=data["introduced_on"],
                                                   how=data["how"], note=data["note"])
        return reverse("care:introductions"), f"Introduction to {child.display_name}'s family recorded."

    if (answer := form_submit(request, form, save, fallback="introduced_on", names={"child": "introduced_on"})):
        return answer
    return render(request, "care/introductions_record.html", {"child": child, "form": form, "done": done},
                  status=400 if request.method == "POST" else 200)
