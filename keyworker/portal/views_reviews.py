"""The carers' pages of annual reviews (section REVIEWS): each child's review, "All about my family" (save and come
back, or done), and the pupil booklet once the key worker has shared it. Outside the carer's access: 404."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from keyworker.core import clock
from keyworker.core.forms import form_submit
from keyworker.meetings import reviews
from keyworker.meetings.booklet import booklet_content, booklet_pdf
from keyworker.meetings.models import FamilyViewsState
from keyworker.meetings.reviews_forms import FamilyViewsForm
from keyworker.people.carer_access import REVIEWS

from .access import carer_required, section_required


def _review(request: HttpRequest, review_id: int):
    return reviews.carer_review(request.carer, review_id, clock.today())


@carer_required
@section_required(REVIEWS)
def reviews_list(request: HttpRequest) -> HttpResponse:
    rows = [(r, reviews.meeting_day(r)) for r in reviews.reviews_for_carer(request.carer, clock.today())]
    return render(request, "portal/reviews_list.html", {"rows": rows})


@carer_required
def review(request: HttpRequest, review_id: int) -> HttpResponse:
    r = _review(request, review_id)
    return render(request, "portal/reviews_detail.html", {
        "review": r, "meeting_on": reviews.meeting_day(r), "views": getattr(r, "family_views", None),
        "done": FamilyViewsState.DONE,
    })


@carer_required
def family_views(request: HttpRequest, review_id: int) -> HttpResponse:
    r = _review(request, review_id)
    views = getattr(r, "family_views", None)
    form = FamilyViewsForm(request.POST or None, initial={f: getattr(views, f) for f in reviews.ANSWER_FIELDS} if views else {})

    def save(data):
        done = form.done()
        reviews.family_views_save_by_carer(
            access=request.carer, review=r, answers=reviews.Answers(**{f: data.get(f, "") for f in reviews.ANSWER_FIELDS}), done=done)
        return (reverse("portal:review", args=[r.pk]),
                "Thank you: your views will go into the review papers." if done else "Saved. You can come back and finish it later.")

    answered = form_submit(request, form, save, fallback="going_well")
    if answered is not None:
        return answered
    return render(request, "portal/reviews_family_views.html", {"review": r, "form": form, "views": views},
                  status=400 if request.method == "POST" else 200)


@carer_required
def booklet(request: HttpRequest, review_id: int) -> HttpResponse:
    """The pupil booklet, only once it has been shared with the family."""
    r = _review(request, review_id)
    if r.booklet_shared_at is None:
        raise Http404("Not shared yet")
    response = HttpResponse(booklet_pdf(booklet_content(r, clock.today(r.setting.time_zone))), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="pupil-booklet-{r.child_id}.pdf"'
    return response
