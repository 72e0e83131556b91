"""What annual reviews add to My week (the key worker's reviews coming up, with "All about my family", and those to
arrange: a child with an EHCP and no review cycle yet) and to the carers' home (the review coming, "Fill in All about my family" to do)."""

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.extensions import (
    COMING,
    SCHOOL_KINDS,
    TO_DO,
    CarerHomeItem,
    CarerHomeSource,
    TimelineEntry,
    TimelineSource,
    WeekPanel,
    register_carer_home_source,
    register_timeline_source,
    register_week_panel,
)
from keyworker.people.carer_access import CarerAccess

from . import reviews
from .models import FamilyViewsState

PANEL_WEEKS = 6


@dataclass
class ReviewsPanel:
    rows: list[reviews.ReviewRow]

    @property
    def waiting_for_family(self) -> int:
        return sum(1 for r in self.rows if r.review is not None and r.family_views_state != FamilyViewsState.DONE.label)


def build(actor: Actor, as_of: dt.date) -> ReviewsPanel | None:
    """None for staff who are not key workers or with no review of their families in the next six weeks."""
    if not actor.is_key_worker:
        return None
    rows = reviews.reviews_of_key_worker(actor, as_of, PANEL_WEEKS)
    return ReviewsPanel(rows) if rows else None


def _name(review) -> str:
    return review.child.preferred_name or review.child.legal_first_name


def coming(access: CarerAccess, as_of: dt.date, now: dt.datetime) -> list[CarerHomeItem]:
    """The annual review meetings booked and still to come (one query)."""
    items = []
    for review in reviews.reviews_for_carer(access, as_of):
        day = reviews.meeting_day(review)
        if day is None or review.held_on is not None or day < as_of:
            continue
        items.append(CarerHomeItem(
            COMING, f"Annual review for {_name(review)}", review.appointment.starts_at, review.appointment.place,
            reverse("portal:review", args=[review.pk]), _name(review), review.family_id,
        ))
    return sorted(items, key=lambda i: i.when)


def to_do(access: CarerAccess, as_of: dt.date, now: dt.datetime) -> list[CarerHomeItem]:
    """"Fill in All about my family" before each review not yet held, while it is not done (one query)."""
    items = []
    for review in reviews.reviews_for_carer(access, as_of):
        views = getattr(review, "family_views", None)
        if review.held_on is not None or (views is not None and views.state == FamilyViewsState.DONE):
            continue
        when = reviews.meeting_day(review) or review.due_by
        if when > as_of + dt.timedelta(weeks=reviews.UPCOMING_WEEKS):
            continue  # a review a year away asks nothing of the family yet
        detail = "Your views go into the review papers." if not views or views.state == FamilyViewsState.NOT_STARTED else (
            "You have started it: finish it when you are ready.")
        items.append(CarerHomeItem(TO_DO, "Fill in All about my family", when, detail,
                                   reverse("portal:review_family_views", args=[review.pk]), _name(review), review.family_id))
    return sorted(items, key=lambda i: i.when)


def timeline(actor: Actor, family, limit: int) -> list[TimelineEntry]:
    """The family's reviews held and booklets shared, newest first (one query)."""
    entries = []
    qs = reviews.with_details(reviews.reviews_visible_to(actor).filter(family_id=family.pk)).order_by("-last_review_on", "-id")
    for r in qs[:limit]:
        url, child = reverse("meetings:review", args=[r.pk]), (r.child.display_name,)
        if r.held_on:
            entries.append(TimelineEntry(at=clock.start_of_day(r.held_on, r.setting.time_zone), kind="annual_reviews",
                                         label="Annual review held", summary=f"EHCP annual review meeting for {r.child.display_name}.",
                                         url=url, tone="info", by=r.held_recorded_by.full_name if r.held_recorded_by else "",
                                         children=child, key=("held", r.pk)))
        if r.booklet_shared_at:
            entries.append(TimelineEntry(at=r.booklet_shared_at, kind="annual_reviews", label="Pupil booklet shared",
                                         summary=f"Shared with {r.booklet_shared_with}.", url=url, tone="good",
                                         by=r.booklet_shared_by.full_name if r.booklet_shared_by else "", children=child,
                                         key=("booklet", r.pk)))
    entries.sort(key=lambda e: (e.at, e.key), reverse=True)
    return entries[:limit]


def register() -> None:
    register_timeline_source(TimelineSource("annual_reviews", "Annual reviews", timeline))
    register_week_panel(WeekPanel("annual_reviews", 40, "meetings/review_week_panel.html", build, SCHOOL_KINDS))
    register_carer_home_source(CarerHomeSource("annual_reviews_coming", COMING, coming))
    register_carer_home_source(CarerHomeSource("annual_reviews_to_do", TO_DO, to_do))
