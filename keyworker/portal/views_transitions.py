"""The carers' pages of Year 6 transitions (section TRANSITIONS): the visit dates once the school has shared them,
where the child is going and what the family needs to know, and how each visit went once the key worker shares it.
Outside the carer's access: 404."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keyworker.core import clock
from keyworker.people.carer_access import TRANSITIONS
from keyworker.transitions.selectors import carer_plan, carer_plans

from .access import carer_required, section_required


@carer_required
@section_required(TRANSITIONS)
def transitions_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/transitions_list.html", {"rows": carer_plans(request.carer, clock.today()),
                                                            "now": clock.now()})


@carer_required
def transition(request: HttpRequest, plan_id: int) -> HttpResponse:
    return render(request, "portal/transitions_detail.html", {"row": carer_plan(request.carer, plan_id, clock.today()),
                                                              "now": clock.now()})
