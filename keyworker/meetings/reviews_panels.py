"""What annual reviews add to My week (the key worker's reviews coming up, with "All about my family") and to the
carers' home (the review coming, "Fill in All about my family" to do)."""

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.core.extensions import (
    COMING,
    SCHOOL_KINDS,
    TO_DO,
    CarerHomeItem,
    CarerHomeSource,
    WeekPanel,
    register_carer_home_source,
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
        return sum(1 for r in self.rows if r.family_views_state != FamilyViewsState.DONE.label)


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
        detail = "Your views go into the review papers." if not views or views.state == FamilyViewsState.NOT_STARTED else (
            "You have started it: finish it when you are ready.")
        items.append(CarerHomeItem(TO_DO, "Fill in All about my family", when, detail,
                                   reverse("portal:review_family_views", args=[review.pk]), _name(review), review.family_id))
    return sorted(items, key=lambda i: i.when)


def register() -> None:
    register_week_panel(WeekPanel("annual_reviews", 40, "meetings/review_week_panel.html", build, SCHOOL_KINDS))
    register_carer_home_source(CarerHomeSource("annual_reviews_coming", COMING, coming))
    register_carer_home_source(CarerHomeSource("annual_reviews_to_do", TO_DO, to_do))
