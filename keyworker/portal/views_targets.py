"""The carers' pages of learning targets (section TARGETS, SCH-8): each child's targets shared with the family, how
they can help at home, the latest progress, and a note from home to say how it is going. Outside the carer's access:
404."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from keyworker.core import clock
from keyworker.core.forms import form_submit
from keyworker.people.carer_access import TARGETS
from keyworker.targets import selectors, services
from keyworker.targets.forms import HomeNoteForm

from .access import carer_required, section_required


@carer_required
@section_required(TARGETS)
def targets_index(request: HttpRequest) -> HttpResponse:
    children = selectors.carer_children(request.carer, TARGETS, clock.today())
    return render(request, "portal/targets_index.html", {"children": children})


@carer_required
def targets_child(request: HttpRequest, child_id: int) -> HttpResponse:
    access = request.carer
    child = selectors.carer_child(access, TARGETS, child_id, clock.today())
    link = access.link_for(child.family_id)
    targets = selectors.shared_targets(child)
    current = [t for t in targets if t.is_current]
    form = HomeNoteForm(request.POST or None, targets=current)
    by_id = {t.pk: t for t in current}

    def save(data):
        services.home_note_add(link=link, child=child, text=data["text"], target=by_id.get(data.get("target")))
        return reverse("portal:targets_child", args=[child.pk]), "Thank you: the class team will read your note."

    if (done := form_submit(request, form, save, fallback="text")) is not None:
        return done
    notes = [n for n in selectors.child_notes(child) if n.family_id == child.family_id][:5]
    return render(request, "portal/targets_child.html", {
        "child": child, "name": child.preferred_name or child.legal_first_name, "current": current,
        "achieved": [t for t in targets if not t.is_current], "form": form, "notes": notes,
    }, status=400 if request.method == "POST" else 200)
