"""Staff pages of learning journals (CC-K4): every child's journal and whether it is up to date, one child's journal
page by page, a new observation (one child or a group, with photos), an observation with its versions, hiding it,
next steps, the picture of the child's learning per area over time, and the families' wow moments to approve."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.accounts import capabilities as caps
from keyworker.core import clock
from keyworker.core.conflicts import EditConflict
from keyworker.core.forms import form_submit, service_call, show_rule
from keyworker.core.images import photo_response
from keyworker.core.requests import member as _member
from keyworker.core.uploads import upload_refusal

from . import journals_selectors as selectors
from . import journals_services as services
from . import policies
from .journals_forms import DeclineForm, HideForm, NextStepForm, ObservationForm
from .models_journals import NextStep, NextStepState


@login_required
def journal_list(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    actor.require(caps.VIEW_FAMILIES)
    rows = selectors.journal_list(actor, clock.today())
    awaiting = selectors.wow_moments_awaiting(actor).count()
    return render(request, "care/journals_list.html", {"rows": rows, "awaiting": awaiting,
                                                       "overdue": sum(1 for r in rows if r.overdue)})


@login_required
def journal(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = selectors.access_child(actor, child_id)
    page = selectors.journal_page(child, request.GET.get("page"))
    status = selectors.journal_statuses([child], clock.today(child.setting.time_zone))[0]
    return render(request, "care/journals_journal.html", {
        "child": child, "journal": page, "page_obj": page.page_obj, "status": status,
        "can_record": policies.journal_can_record(actor, child.setting_id),
        "sees_hidden": policies.journal_sees_hidden(actor, child.setting_id),
        "key_worker_label": child.setting.key_worker_label, "decline_form": DeclineForm(),
    })


def _observation_form(request, actor, child, data=None, files=None):
    today = clock.today(child.setting.time_zone)
    room = selectors.journal_children(actor, today).filter(setting_id=child.setting_id).order_by(
        "group__name", "legal_first_name", "id")
    steps = list(NextStep.objects.filter(child=child, state=NextStepState.PLANNED).select_related("child").order_by("id"))
    framework = selectors.framework_for(child.setting.jurisdiction)
    return ObservationForm(data, files, framework=framework, children=list(room), open_steps=steps,
                           initial={"children": [str(child.pk)], "observed_on": today, "shared_with_family": True})


@login_required
def observation_new(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = selectors.access_child(actor, child_id)
    policies.journal_require_record(actor, child.setting_id)
    if request.method == "POST":
        form = _observation_form(request, actor, child, request.POST, request.FILES)
        refused = upload_refusal(request, "photos")
        if refused:
            form.is_valid()
            form.add_error("photos", refused)
        else:
            def save(data):
                chosen = selectors.journal_children(actor, clock.today(child.setting.time_zone)).filter(
                    pk__in=[int(i) for i in data["children"]])
                observation = services.observation_record(
                    actor=actor, children=list(chosen), observed_on=data["observed_on"], text=data["text"],
                    interests=data.get("interests", ""), schemas=data.get("schemas") or [], areas=form.areas_chosen(),
                    shared_with_family=bool(data.get("shared_with_family")), photos=data.get("photos") or [],
                    photo_description=data.get("photo_description", ""), next_step=data.get("next_step", ""),
                    follows_up=[int(i) for i in data.get("follows_up") or []])
                return reverse("care:journal_observation", args=[observation.pk]), "Observation saved in the journal."

            if (done := form_submit(request, form, save)) is not None:
                return done
        status = 400
    else:
        form, status = _observation_form(request, actor, child), 200
    return render(request, "care/journals_form.html", {"child": child, "form": form, "title": "New observation"},
                  status=status)


@login_required
def observation_detail(request: HttpRequest, observation_id: int, hide_form=None, step_form=None, status=200) -> HttpResponse:
    actor = _member(request)
    observation = selectors.access_observation(actor, observation_id)
    sees_hidden = policies.journal_sees_hidden(actor, observation.setting_id)
    children = [t.child for t in observation.tags.all()]
    return render(request, "care/journals_observation.html", {
        "observation": observation, "children": children, "sees_hidden": sees_hidden,
        "versions": list(observation.versions.select_related("saved_by__user")) if not observation.is_hidden or sees_hidden else [],
        "can_edit": policies.journal_can_edit(actor, observation),
        "can_hide": not observation.is_hidden and policies.journal_can_hide(actor, observation.setting_id),
        "can_record": policies.journal_can_record(actor, observation.setting_id) and not observation.is_hidden,
        "hide_form": hide_form or HideForm(), "step_form": step_form or NextStepForm(children=children),
        "framework": selectors.framework_for(observation.setting.jurisdiction),
    }, status=status)


@login_required
def observation_edit(request: HttpRequest, observation_id: int) -> HttpResponse:
    actor = _member(request)
    observation = selectors.access_observation(actor, observation_id)
    if not policies.journal_can_edit(actor, observation):
        raise PermissionDenied("Only the practitioner who recorded it, or a leader, can change an observation.")
    framework = selectors.framework_for(observation.setting.jurisdiction)
    wellbeing_codes = {a.code for a in framework.wellbeing}
    initial = {"observed_on": observation.observed_on, "text": observation.text,
               "interests": ", ".join(observation.interests), "schemas": observation.schemas,
               "areas": [a for a in observation.areas if a not in wellbeing_codes],
               "wellbeing": [a for a in observation.areas if a in wellbeing_codes],
               "shared_with_family": observation.shared_with_family}
    form = ObservationForm(request.POST or None, framework=framework, editing=True, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        version = request.POST.get("version", "")
        try:
            services.observation_update(
                actor=actor, observation=observation, version=int(version) if version.isdigit() else -1,
                observed_on=form.cleaned_data["observed_on"], text=form.cleaned_data["text"],
                interests=form.cleaned_data.get("interests", ""), schemas=form.cleaned_data.get("schemas") or [],
                areas=form.areas_chosen(), shared_with_family=bool(form.cleaned_data.get("shared_with_family")))
        except EditConflict as exc:
            conflict = exc.message
        except services.RuleViolation as exc:
            show_rule(form, exc)
        else:
            messages.success(request, "Saved as a new version: the earlier versions are kept.")
            return redirect("care:journal_observation", observation.pk)
    child = observation.tags.all()[0].child
    return render(request, "care/journals_form.html", {
        "child": child, "form": form, "title": "Change the observation", "observation": observation,
        "version": observation.version, "conflict_message": conflict,
    }, status=409 if conflict else 400 if request.method == "POST" else 200)


@login_required
@require_POST
def observation_hide(request: HttpRequest, observation_id: int) -> HttpResponse:
    actor = _member(request)
    observation = selectors.access_observation(actor, observation_id)
    if not policies.journal_can_hide(actor, observation.setting_id):
        raise PermissionDenied("Only a leader of the setting can hide an observation.")
    form = HideForm(request.POST)

    def save(data):
        services.observation_hide(actor=actor, observation=observation, reason=data["reason"])
        return reverse("care:journal_observation", args=[observation.pk]), "Observation hidden. It is kept, with your reason."

    if (done := form_submit(request, form, save)) is not None:
        return done
    return observation_detail(request, observation_id, hide_form=form, status=400)


@login_required
@require_POST
def next_step_plan(request: HttpRequest, observation_id: int) -> HttpResponse:
    actor = _member(request)
    observation = selectors.access_observation(actor, observation_id)
    policies.journal_require_record(actor, observation.setting_id)
    children = [t.child for t in observation.tags.all()]
    form = NextStepForm(request.POST, children=children)

    def save(data):
        child = next(c for c in children if str(c.pk) == data["child"])
        services.next_step_plan(actor=actor, observation=observation, child=child, text=data["text"])
        return reverse("care:journal_observation", args=[observation.pk]), "Next step planned."

    if (done := form_submit(request, form, save)) is not None:
        return done
    return observation_detail(request, observation_id, step_form=form, status=400)


@login_required
@require_POST
def next_step_done(request: HttpRequest, step_id: int) -> HttpResponse:
    actor = _member(request)
    step = selectors.access_next_step(actor, step_id)
    service_call(request, lambda: services.next_step_done(actor=actor, step=step), success="Next step marked as done.")
    return redirect("care:journal", step.child_id)


@login_required
def photo(request: HttpRequest, photo_id: int, size: str) -> FileResponse:
    """A photo, only for staff who may see its observation (never a public media address)."""
    actor = _member(request)
    found = selectors.access_photo(actor, photo_id)
    if found.observation.is_hidden and not policies.journal_sees_hidden(actor, found.observation.setting_id):
        raise Http404("No such photo")
    return photo_response(found.thumbnail if size == "thumb" else found.image)


@login_required
def wow_photo(request: HttpRequest, wow_id: int, size: str) -> FileResponse:
    actor = _member(request)
    wow = selectors.access_wow_moment(actor, wow_id)
    return photo_response(wow.thumbnail if size == "thumb" else wow.image)


@login_required
@require_POST
def wow_approve(request: HttpRequest, wow_id: int) -> HttpResponse:
    actor = _member(request)
    wow = selectors.access_wow_moment(actor, wow_id)
    policies.journal_require_record(actor, wow.setting_id)
    service_call(request, lambda: services.wow_moment_approve(actor=actor, wow=wow),
                 success="Wow moment added to the journal.")
    return redirect("care:journal", wow.child_id)


@login_required
@require_POST
def wow_decline(request: HttpRequest, wow_id: int) -> HttpResponse:
    actor = _member(request)
    wow = selectors.access_wow_moment(actor, wow_id)
    policies.journal_require_record(actor, wow.setting_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        service_call(request, lambda: services.wow_moment_decline(actor=actor, wow=wow, note=form.cleaned_data["note"]),
                     success="The family will see that it was not added, with your note.")
    else:
        messages.error(request, "Say why it is not added, so the family understands.")
    return redirect("care:journal", wow.child_id)


@login_required
def chart(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = selectors.access_child(actor, child_id)
    data = selectors.learning_chart(child, clock.today(child.setting.time_zone))
    return render(request, "care/journals_chart.html", {"child": child, "chart": data,
                                                        "layout": selectors.chart_layout(data)})
