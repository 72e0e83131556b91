"""The learning journal in the carers' portal (CC-K4): the observations of the carer's child that staff shared with
the family, their photos, the picture of the child's learning, comments, and "wow moments" from home, which staff
approve before they enter the journal. Only a family whose JOURNAL section the carer's access opens; else 404."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from keyworker.care import journals_selectors as journals
from keyworker.care import journals_services as services
from keyworker.care.journals_forms import CommentForm, WowMomentForm
from keyworker.care.models_journals import WowMoment
from keyworker.core import clock
from keyworker.core.forms import form_submit
from keyworker.core.images import photo_response
from keyworker.core.uploads import upload_refusal
from keyworker.people.carer_access import JOURNAL

from .access import carer_required, section_required


@carer_required
@section_required(JOURNAL)
def journal_index(request: HttpRequest) -> HttpResponse:
    children = journals.carer_children(request.carer, clock.today())
    if len(children) == 1:
        return redirect("portal:journal_child", children[0].pk)
    return render(request, "portal/journal_index.html", {"children": children})


def _child_page(request, child, comment_form=None, comment_on=None, status=200):
    today = clock.today(child.setting.time_zone)
    page = journals.journal_page(child, request.GET.get("page"), include_hidden=False, shared_only=True)
    # On a phone the chart starts with this month, each area's name above its bars (the table keeps the same order).
    chart = journals.learning_chart(child, today, shared_only=True).newest_first()
    return render(request, "portal/journal_child.html", {
        "child": child, "journal": page, "page_obj": page.page_obj, "chart": chart,
        "layout": journals.chart_layout(chart, narrow=True),
        "comment_form": comment_form, "comment_on": comment_on,
        "mine": list(WowMoment.objects.filter(child=child).order_by("-created_at", "-id")[:10]),
    }, status=status)


@carer_required
def journal_child(request: HttpRequest, child_id: int) -> HttpResponse:
    child = journals.carer_child(request.carer, child_id, clock.today())
    return _child_page(request, child)


@carer_required
def journal_comment(request: HttpRequest, child_id: int, observation_id: int) -> HttpResponse:
    child = journals.carer_child(request.carer, child_id, clock.today())
    observation = journals.carer_observation(request.carer, child, observation_id)
    if request.method != "POST":
        return redirect("portal:journal_child", child.pk)
    link = request.carer.link_for(child.family_id)
    form = CommentForm(request.POST)

    def save(data):
        services.journal_comment_add(link=link, child=child, observation=observation, text=data["text"])
        return reverse("portal:journal_child", args=[child.pk]) + f"#obs-{observation.pk}", "Thank you: your comment is in the journal."

    if (done := form_submit(request, form, save)) is not None:
        return done
    return _child_page(request, child, form, observation.pk, status=400)


@carer_required
def journal_wow(request: HttpRequest, child_id: int) -> HttpResponse:
    child = journals.carer_child(request.carer, child_id, clock.today())
    link = request.carer.link_for(child.family_id)
    form = WowMomentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        refused = upload_refusal(request, "photo")
        if refused:
            form.is_valid()
            form.add_error("photo", refused)
        else:
            def save(data):
                services.wow_moment_send(link=link, child=child, text=data["text"], happened_on=data.get("happened_on"),
                                         photo=data.get("photo"))
                return (reverse("portal:journal_child", args=[child.pk]),
                        "Thank you: the setting will add your wow moment to the journal.")

            if (done := form_submit(request, form, save)) is not None:
                return done
        status = 400
    return render(request, "portal/journal_wow.html", {"child": child, "form": form}, status=status)


@carer_required
def journal_photo(request: HttpRequest, photo_id: int, size: str) -> FileResponse:
    photo = journals.carer_photo(request.carer, photo_id, clock.today())
    return photo_response(photo.thumbnail if size == "thumb" else photo.image)


@carer_required
def journal_wow_photo(request: HttpRequest, wow_id: int, size: str) -> FileResponse:
    wow = journals.carer_wow_image(request.carer, wow_id)
    return photo_response(wow.thumbnail if size == "thumb" else wow.image)
