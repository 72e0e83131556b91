"""Staff pages of EHCP annual reviews: the list (upcoming, overdue, children with no review yet), one review's
checklist, booking the meeting, "All about my family" written with the family, and the pupil booklet."""

import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keyworker.core import clock
from keyworker.core.dates import on_screen
from keyworker.core.forms import form_page, form_submit, service_call
from keyworker.core.requests import member as _member
from keyworker.people.policies import can_manage_people
from keyworker.people.selectors import access_child

from . import policies, reviews
from .booklet import booklet_content, booklet_pdf
from .models import FamilyViews
from .reviews_forms import FamilyViewsForm, OpenReviewForm, ScheduleForm, ShareBookletForm, StepForm


@login_required
def reviews_view(request: HttpRequest) -> HttpResponse:
    actor = _member(request)
    today = clock.today()
    return render(request, "meetings/review_list.html", {
        "lists": reviews.reviews_list(actor, today), "today": today, "weeks": reviews.UPCOMING_WEEKS,
        "can_organise": policies.can_organise_reviews(actor), "can_edit_children": can_manage_people(actor),
    })


@login_required
def review_open_view(request: HttpRequest, child_id: int) -> HttpResponse:
    actor = _member(request)
    child = access_child(actor, child_id)
    policies.require_organise_reviews(actor, child.setting_id)
    # From the child's record (the plan issued or last reviewed): the cycle then carries on the review already owed.
    form = OpenReviewForm(request.POST or None,
                          initial={"last_review_on": reviews.recorded_last(child.ehcp_issued_on, child.ehcp_last_reviewed_on)})

    def save(data):
        review = reviews.review_open(actor=actor, child=child, last_review_on=data["last_review_on"])
        return reverse("meetings:review", args=[review.pk]), f"Annual review opened: due by {on_screen(review.due_by)}."

    return form_page(request, form, title=f"Open the annual review: {child.display_name}", cancel_url=reverse("meetings:reviews"),
                     save=save, intro="The next review is due at most 12 months after the last one.")


@login_required
def review_of_child_view(request: HttpRequest, child_id: int) -> HttpResponse:
    """The child's latest review; with none yet, the page that opens one (for a leader) or the list."""
    actor = _member(request)
    child = access_child(actor, child_id)
    # A review held and its report still to send comes first (the report's obligation leads here), else the latest.
    mine = reviews.reviews_visible_to(actor).filter(child=child)
    review = (mine.filter(held_on__isnull=False, report_sent_on__isnull=True).order_by("-held_on", "-id").first()
              or mine.order_by("-last_review_on", "-id").first())
    if review is not None:
        return redirect("meetings:review", review.pk)
    if policies.can_organise_reviews(actor, child.setting_id):
        return redirect("meetings:review_open", child.pk)
    return redirect("meetings:reviews")


@login_required
def review_view(request: HttpRequest, review_id: int) -> HttpResponse:
    actor = _member(request)
    review = reviews.access_review(actor, review_id)
    today = clock.today(review.setting.time_zone)
    views = getattr(review, "family_views", None) or FamilyViews(review=review)
    staff = reviews.key_worker_of(review)
    return render(request, "meetings/review_detail.html", {
        "review": review, "steps": reviews.review_steps(review, today), "views": views, "key_worker": staff,
        "meeting_on": reviews.meeting_day(review), "today": today,
        "can_work": policies.can_work_on_review(actor, review), "can_organise": policies.can_organise_reviews(actor, review.setting_id),
        "share_form": ShareBookletForm(), "transfer": reviews.transfer_deadline(reviews.year_group_of(review.child), today),
    })


@login_required
def review_schedule_view(request: HttpRequest, review_id: int) -> HttpResponse:
    actor = _member(request)
    review = reviews.access_review(actor, review_id)
    policies.require_organise_reviews(actor, review.setting_id)
    a = review.appointment
    initial = {"minutes": 60}
    if a is not None:
        local = a.starts_at.astimezone(zoneinfo.ZoneInfo(review.setting.time_zone))
        initial = {"day": local.date(), "starts": local.time(), "minutes": int((a.ends_at - a.starts_at).total_seconds() // 60),
                   "place": a.place}
    form = ScheduleForm(request.POST or None, initial=initial)

    def save(data):
        starts_at, ends_at = form.times(review.setting.time_zone)
        reviews.review_schedule(actor=actor, review=review, starts_at=starts_at, ends_at=ends_at, place=data.get("place", ""))
        return reverse("meetings:review", args=[review.pk]), "Review meeting booked; the family is invited."

    return form_page(request, form, title=f"Book the review meeting: {review.child.display_name}",
                     cancel_url=reverse("meetings:review", args=[review.pk]), save=save, fallback="day",
                     intro=f"The review is due by {on_screen(review.due_by)}. Invitations and papers go out 2 weeks before.")


@login_required
@require_POST
def review_step_view(request: HttpRequest, review_id: int) -> HttpResponse:
    actor = _member(request)
    review = reviews.access_review(actor, review_id)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    else:
        step, on = form.cleaned_data["step"], form.cleaned_data.get("on")
        service_call(request, lambda: reviews.review_step_mark(actor=actor, review=review, step=step, on=on),
                     success=f"{reviews.STEP_LABELS[step]}: recorded.")
    return redirect("meetings:review", review.pk)


@login_required
@require_POST
def review_invite_key_worker_view(request: HttpRequest, review_id: int) -> HttpResponse:
    actor = _member(request)
    review = reviews.access_review(actor, review_id)
    service_call(request, lambda: reviews.review_key_worker_invite(actor=actor, review=review), success="Key worker invited.")
    return redirect("meetings:review", review.pk)


@login_required
@require_POST
def review_share_booklet_view(request: HttpRequest, review_id: int) -> HttpResponse:
    actor = _member(request)
    review = reviews.access_review(actor, review_id)
    form = ShareBookletForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    else:
        service_call(request, lambda: reviews.review_booklet_share(actor=actor, review=review, shared_with=form.cleaned_data["shared_with"]),
                     success="Pupil booklet shared: the family can now open it in the carers' portal.")
    return redirect("meetings:review", review.pk)


@login_required
def review_family_views_view(request: HttpRequest, review_id: int) -> HttpResponse:
    """The key worker writes down "All about my family" with the family."""
    actor = _member(request)
    review = reviews.access_review(actor, review_id)
    policies.require_work_on_review(actor, review)
    views = getattr(review, "family_views", None)
    initial = {f: getattr(views, f) for f in reviews.ANSWER_FIELDS} if views else {}
    form = FamilyViewsForm(request.POST or None, initial=initial)

    def save(data):
        done = form.done()
        reviews.family_views_save(actor=actor, review=review, answers=reviews.Answers(**{f: data.get(f, "") for f in reviews.ANSWER_FIELDS}),
                                  done=done)
        return reverse("meetings:review", args=[review.pk]), "All about my family: " + ("done." if done else "saved.")

    done = form_submit(request, form, save, fallback="going_well")
    if done is not None:
        return done
    return render(request, "meetings/review_family_views.html", {"review": review, "form": form, "views": views},
                  status=400 if request.method == "POST" else 200)


@login_required
def review_booklet_view(request: HttpRequest, review_id: int) -> HttpResponse:
    actor = _member(request)
    review = reviews.access_review(actor, review_id)
    pdf = booklet_pdf(booklet_content(review, clock.today(review.setting.time_zone)))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="pupil-booklet-{review.child_id}.pdf"'
    return response
