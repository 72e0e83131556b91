"""The carers' pages of homework (section HOMEWORK, SCH-8): each child's homework, when it is due, how to help, whether
it was handed in and the feedback. Outside the carer's access: 404."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keyworker.core import clock
from keyworker.people.carer_access import HOMEWORK
from keyworker.targets import selectors

from .access import carer_required, section_required


@carer_required
@section_required(HOMEWORK)
def homework_index(request: HttpRequest) -> HttpResponse:
    children = selectors.carer_children(request.carer, HOMEWORK, clock.today())
    return render(request, "portal/homework_index.html", {"children": children})


@carer_required
def homework_child(request: HttpRequest, child_id: int) -> HttpResponse:
    today = clock.today()
    child = selectors.carer_child(request.carer, HOMEWORK, child_id, today)
    rows = selectors.child_homework(child)
    return render(request, "portal/homework_child.html", {
        "child": child, "name": child.preferred_name or child.legal_first_name, "today": today,
        "coming": [(h, r) for h, r in rows if h.due_on >= today], "earlier": [(h, r) for h, r in rows if h.due_on < today],
    })
