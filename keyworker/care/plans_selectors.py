"""Reads of personal care plans: scoped to the acting staff member's children, or to the signed-in carer's access;
each child's next review computed for a whole setting at once."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.caseload.selectors import caseload_children, current_allocations, on_roll_between
from keyworker.organisations.calendar import TermCalendar, calendar_for
from keyworker.organisations.models import Setting
from keyworker.people.carer_access import CARE_PLAN, CarerAccess
from keyworker.people.models import Child
from keyworker.people.selectors import children_visible_to

from .models_plans import (
    PLAN_KINDS,
    CarePlan,
    CarePlanComment,
    CarePlanReview,
    CarePlanSetup,
    CarePlanVersion,
)
from .plans_due import ReviewDays, ReviewDue, review_due


@dataclass
class ChildPlan:
    """One child, their plan (None before the first version) and when its next review is due."""

    child: Child
    plan: CarePlan | None
    due: ReviewDue

    @property
    def version(self) -> CarePlanVersion | None:
        return self.plan.current if self.plan else None


def on_roll(qs: QuerySet[Child], as_of: dt.date) -> QuerySet[Child]:
    return qs.filter(enrolled_on__lte=as_of).filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of))


def review_days(*, setting_ids: Iterable[int] = (), organisation_id: int | None = None) -> dict[int, ReviewDays]:
    """The review numbers each setting chose (setting id -> ReviewDays), of the settings given or of all the
    organisation's, in one query; a setting that chose none has the defaults (14 days each)."""
    out: dict[int, ReviewDays] = defaultdict(ReviewDays)
    ids = set(setting_ids)
    if organisation_id is None and not ids:
        return out
    rows = (CarePlanSetup.objects.filter(organisation_id=organisation_id) if organisation_id is not None
            else CarePlanSetup.objects.filter(setting_id__in=ids))
    for setting_id, request, change in rows.values_list("setting_id", "request_days", "change_days"):
        out[setting_id] = ReviewDays(request, change)
    return out


def due_for(child: Child, plan: CarePlan | None, cal: TermCalendar, days: ReviewDays, as_of: dt.date) -> ReviewDue:
    """The next review of the child's plan, with the calendar and the numbers of the child's setting."""
    current = plan.current if plan else None
    first_on = plan.created_at.date() if plan else None
    return review_due(
        cal=cal, jurisdiction=child.setting.jurisdiction, enrolled_on=child.enrolled_on,
        first_version_on=first_on if current else None, last_reviewed_on=plan.last_reviewed_on if plan else None,
        requested_on=plan.review_requested_on if plan else None,
        significant_change_on=plan.significant_change_on if plan else None,
        request_days=days.request, change_days=days.change, as_of=as_of,
    )


def with_plans(children: list[Child], as_of: dt.date, actor: Actor | None = None) -> list[ChildPlan]:
    """The children (with their settings) and their plans: one query for the plans, one for the numbers their
    settings chose, three per setting for its term calendar (read once per page when `actor` reads shared), whatever
    the number of children."""
    plans = {p.child_id: p for p in CarePlan.objects.filter(child__in=[c.pk for c in children]).select_related("current")}
    days = review_days(setting_ids={c.setting_id for c in children})
    calendars: dict[int, TermCalendar] = {}
    out = []
    for child in children:
        cal = calendars.get(child.setting_id)
        if cal is None:
            cal = calendars[child.setting_id] = calendar_for(child.setting, actor)
        plan = plans.get(child.pk)
        out.append(ChildPlan(child, plan, due_for(child, plan, cal, days[child.setting_id], as_of)))
    return out


def plan_children_visible_to(actor: Actor) -> QuerySet[Child]:
    if not actor.is_member:
        return Child.objects.none()
    return children_visible_to(actor).filter(setting__kind__in=PLAN_KINDS)


def access_child(actor: Actor, child_id: int) -> Child:
    """A child in a childcare setting the actor may see; otherwise 404."""
    child = plan_children_visible_to(actor).filter(pk=child_id).select_related("setting", "family", "group").first()
    if child is None:
        raise Http404("No such child")
    return child


def plans_visible_to(actor: Actor) -> QuerySet[CarePlan]:
    return CarePlan.objects.filter(organisation_id=actor.organisation_id, child__in=plan_children_visible_to(actor).values("id"))


def reviews_visible_to(actor: Actor) -> QuerySet[CarePlanReview]:
    return CarePlanReview.objects.filter(organisation_id=actor.organisation_id,
                                         child__in=plan_children_visible_to(actor).values("id"))


def versions_visible_to(actor: Actor) -> QuerySet[CarePlanVersion]:
    return CarePlanVersion.objects.filter(organisation_id=actor.organisation_id, plan__in=plans_visible_to(actor).values("id"))


def comments_visible_to(actor: Actor) -> QuerySet[CarePlanComment]:
    return CarePlanComment.objects.filter(organisation_id=actor.organisation_id,
                                          child__in=plan_children_visible_to(actor).values("id"))


def child_plan(child: Child, as_of: dt.date) -> ChildPlan:
    return with_plans([child], as_of)[0]


def plans_list(actor: Actor, as_of: dt.date) -> list[ChildPlan]:
    """The children on roll in the actor's childcare settings, with their plans, soonest review first."""
    children = list(on_roll(plan_children_visible_to(actor), as_of).select_related("setting", "family", "group")
                    .order_by("setting__name", "legal_last_name", "legal_first_name", "id"))
    rows = with_plans(children, as_of)
    return sorted(rows, key=lambda r: (r.due.on or dt.date.max, r.child.setting.name, r.child.legal_last_name))


def my_plans(actor: Actor, as_of: dt.date) -> list[ChildPlan]:
    """The children of the actor's own caseload (they are the key person) in childcare settings, on roll."""
    if not actor.is_member:
        return []
    # The caseload's children as My week reads them once for every panel.
    children = [c for c in caseload_children(actor) if c.setting.kind in PLAN_KINDS and on_roll_between(c, as_of, as_of)]
    return with_plans(children, as_of, actor)


def open_requests(plan_ids: list[int]) -> dict[int, list[CarePlanComment]]:
    """Carers' requests for a review not answered yet, per plan (one query)."""
    out: dict[int, list[CarePlanComment]] = defaultdict(list)
    for c in CarePlanComment.objects.filter(plan_id__in=plan_ids, asks_review=True, answered_by__isnull=True).order_by("created_at"):
        out[c.plan_id].append(c)
    return out


def setting_staff(setting: Setting) -> QuerySet[StaffMember]:
    """The active staff members holding a role in the setting: those a child may choose for their review."""
    return (StaffMember.objects.filter(organisation_id=setting.organisation_id, is_active=True,
                                       staff_roles__setting=setting).distinct().select_related("user").order_by("user__full_name"))


def key_workers_of(child: Child) -> list[StaffMember]:
    return [a.staff for a in current_allocations().filter(family_id=child.family_id, setting_id=child.setting_id)
            .select_related("staff__user")]


# The carers' side


def carer_children(access: CarerAccess, as_of: dt.date) -> list[Child]:
    family_ids = access.family_ids_with(CARE_PLAN)
    if not family_ids:
        return []
    return list(on_roll(Child.objects.filter(family_id__in=family_ids, setting__kind__in=PLAN_KINDS), as_of)
                .select_related("setting", "family").order_by("date_of_birth", "id"))


def carer_child(access: CarerAccess, child_id: int, as_of: dt.date) -> Child:
    """A child whose plan the carer may read; otherwise 404."""
    child = on_roll(Child.objects.filter(pk=child_id, setting__kind__in=PLAN_KINDS), as_of).select_related(
        "setting", "family").first()
    if child is None or not access.may(CARE_PLAN, child.family_id):
        raise Http404("No such child")
    return child
