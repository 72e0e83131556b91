"""Reads of transition plans: scoped to the acting staff member's families, or to the signed-in carer's access.

Each page reads a fixed number of queries whatever the number of pupils or visits: the cohort view four (the pupils
with their plans, the visits, the dates shared, the obligations not met in time).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.people.carer_access import TRANSITIONS, CarerAccess
from keyworker.people.models import Child
from keyworker.people.selectors import children_visible_to, families_visible_to
from keyworker.standards.models import Obligation, ObligationState

from .models import LEAVING_YEARS, TransitionDatesShare, TransitionPlan, TransitionVisit

SCHOOL = "school"
DATES_SHARED = "transition_dates_shared"
WRITE_UP_SHARED = "transition_write_up_shared"
LATE_STATES = (ObligationState.OVERDUE, ObligationState.ESCALATED, ObligationState.MISSED)


def year_group_of(child: Child) -> str:
    return child.year_group or (child.group.year_group if child.group_id and child.group else "")


def is_leaving(child: Child) -> bool:
    return year_group_of(child) in LEAVING_YEARS


def leaving_warning(child: Child) -> str:
    """A plan for a child not in a leaving year is allowed (a pupil may move school early), with this warning."""
    if is_leaving(child):
        return ""
    year = year_group_of(child) or "no year group"
    return (f"{child.display_name} is in {year}, not a leaving year ({', '.join(sorted(LEAVING_YEARS))}): check this is "
            "the right child before planning visits.")


def _on_roll(qs: QuerySet[Child], as_of: dt.date) -> QuerySet[Child]:
    return qs.filter(enrolled_on__lte=as_of).filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of))


def plans_visible_to(actor: Actor) -> QuerySet[TransitionPlan]:
    if not actor.is_member:
        return TransitionPlan.objects.none()
    return TransitionPlan.objects.filter(organisation_id=actor.organisation_id,
                                         family_id__in=families_visible_to(actor).values("id"))


def visits_visible_to(actor: Actor) -> QuerySet[TransitionVisit]:
    if not actor.is_member:
        return TransitionVisit.objects.none()
    return TransitionVisit.objects.filter(organisation_id=actor.organisation_id,
                                          family_id__in=families_visible_to(actor).values("id"))


def access_plan(actor: Actor, plan_id: int) -> TransitionPlan:
    plan = (plans_visible_to(actor).select_related("child__group", "child__setting", "family", "setting", "created_by__user")
            .filter(pk=plan_id).first())
    if plan is None:
        raise Http404("No such transition plan")
    return plan


def access_visit(actor: Actor, visit_id: int) -> TransitionVisit:
    visit = visits_visible_to(actor).select_related("plan__child__setting", "plan__setting").filter(pk=visit_id).first()
    if visit is None:
        raise Http404("No such visit")
    return visit


def school_child(actor: Actor, child_id: int | None) -> Child | None:
    """A child of one of the actor's schools whom they may see, or None (outside the school: as if it did not exist)."""
    if not child_id or not actor.is_member:
        return None
    return (children_visible_to(actor).filter(pk=child_id, setting__kind=SCHOOL)
            .select_related("setting", "family", "group").first())


def staff_choices(actor: Actor, plan: TransitionPlan) -> QuerySet[StaffMember]:
    """Who may go on a visit: the child's class team, the family's current key worker, and the school's staff whose
    role covers the whole school or more (leaders, the office, the safeguarding team). One query."""
    from keyworker.accounts.models import Scope
    from keyworker.caseload.models import KeyWorkerAllocation

    key_workers = KeyWorkerAllocation.objects.filter(family_id=plan.family_id, ends_at__isnull=True).values("staff_id")
    wide = Q(staff_roles__setting_id=plan.setting_id, staff_roles__role__scope__in=(Scope.SETTING, Scope.ORGANISATION))
    team = Q(group_memberships__group_id=plan.child.group_id) if plan.child.group_id else Q(pk__in=[])
    ids = StaffMember.objects.filter(wide | team | Q(pk__in=key_workers)).values("pk")
    return (StaffMember.objects.filter(organisation_id=actor.organisation_id, is_active=True, pk__in=ids)
            .select_related("user").order_by("user__full_name", "id"))


# --- One plan ------------------------------------------------------------------------------------------------------

@dataclass
class VisitRow:
    visit: TransitionVisit
    staff: list[StaffMember]
    # Held before the family was told the dates (no share before it started): shown, never hidden.
    before_dates_shared: bool
    done: bool          # it has started: write it up and share how it went

    @property
    def write_up_due(self) -> bool:
        return self.done and not self.visit.is_shared


@dataclass
class PlanView:
    plan: TransitionPlan
    visits: list[VisitRow]
    shares: list[TransitionDatesShare]
    late: list[Obligation] = field(default_factory=list)

    @property
    def first_share(self) -> TransitionDatesShare | None:
        return self.shares[0] if self.shares else None

    @property
    def last_share(self) -> TransitionDatesShare | None:
        return self.shares[-1] if self.shares else None

    @property
    def first_visit(self) -> TransitionVisit | None:
        return self.visits[0].visit if self.visits else None

    @property
    def dates_shared(self) -> bool:
        return bool(self.shares)

    @property
    def unshared_visits(self) -> list[VisitRow]:
        """Visits planned after the dates were last shared: the family has not been told these."""
        last = self.last_share
        return [r for r in self.visits if last is None or r.visit.created_at > last.shared_at]

    @property
    def visits_done(self) -> int:
        return sum(1 for r in self.visits if r.done)

    @property
    def write_ups_shared(self) -> int:
        return sum(1 for r in self.visits if r.visit.is_shared)

    @property
    def write_ups_due(self) -> int:
        return sum(1 for r in self.visits if r.write_up_due)

    @property
    def flagged(self) -> int:
        return sum(1 for r in self.visits if r.before_dates_shared)


def _visit_rows(visits: list[TransitionVisit], first_share_at: dt.datetime | None, now: dt.datetime,
                staff_of: dict[int, list[StaffMember]]) -> list[VisitRow]:
    out = []
    for v in visits:
        done = v.starts_at <= now
        before = done and (first_share_at is None or first_share_at > v.starts_at)
        out.append(VisitRow(v, staff_of.get(v.pk, []), before, done))
    return out


def _late(organisation_id: int, child_ids: list[int]) -> dict[int, list[Obligation]]:
    """SCH-10's obligations not met in time (overdue, escalated, missed), by child: one query."""
    out: dict[int, list[Obligation]] = defaultdict(list)
    if not child_ids:
        return out
    rows = (Obligation.objects.filter(organisation_id=organisation_id, child_id__in=child_ids, state__in=LATE_STATES,
                                      standard__evidence__in=(DATES_SHARED, WRITE_UP_SHARED))
            .select_related("standard").order_by("due_on", "id"))
    for o in rows:
        out[o.child_id].append(o)
    return out


def plan_view(plan: TransitionPlan, now: dt.datetime) -> PlanView:
    """The plan with its visits (and staff going), the dates shared and what is late: four queries."""
    visits = list(plan.visits.prefetch_related(
        Prefetch("staff", queryset=StaffMember.objects.select_related("user").order_by("user__full_name"))
    ).select_related("written_by__user", "shared_by__user").order_by("starts_at", "id"))
    shares = list(plan.shares.select_related("shared_by__user").order_by("shared_at", "id"))
    first = shares[0].shared_at if shares else None
    rows = _visit_rows(visits, first, now, {v.pk: list(v.staff.all()) for v in visits})
    return PlanView(plan, rows, shares, _late(plan.organisation_id, [plan.child_id]).get(plan.child_id, []))


# --- The Year 6 cohort -----------------------------------------------------------------------------------------------

@dataclass
class CohortRow:
    child: Child
    plan: PlanView | None


def cohort_children(actor: Actor, as_of: dt.date) -> QuerySet[Child]:
    """Every leaving pupil on roll in the actor's schools whom they may see (and any child with a plan), in order."""
    leaving = sorted(LEAVING_YEARS)
    return _on_roll(children_visible_to(actor).filter(setting__kind=SCHOOL), as_of).filter(
        Q(year_group__in=leaving) | Q(year_group="", group__year_group__in=leaving) | Q(transition_plan__isnull=False)
    ).select_related("setting", "family", "group", "transition_plan").order_by("setting__name", "legal_last_name",
                                                                             "legal_first_name", "id")


@dataclass
class CohortSummary:
    pupils: int
    without_plan: int
    dates_not_shared: int
    late: int


def cohort_summary(children: QuerySet[Child]) -> CohortSummary:
    """The cohort's numbers, in one query whatever its size."""
    shared = TransitionDatesShare.objects.filter(plan__child_id=OuterRef("pk"))
    late = Obligation.objects.filter(child_id=OuterRef("pk"), state__in=LATE_STATES,
                                     standard__evidence__in=(DATES_SHARED, WRITE_UP_SHARED))
    numbers = children.order_by().aggregate(
        pupils=Count("id"), without_plan=Count("id", filter=Q(transition_plan__isnull=True)),
        dates_not_shared=Count("id", filter=Q(transition_plan__isnull=False) & ~Exists(shared)),
        late=Count("id", filter=Exists(late)),
    )
    return CohortSummary(**numbers)


def cohort_rows(children: list[Child], organisation_id: int, now: dt.datetime) -> list[CohortRow]:
    """These pupils (from cohort_children) with their plans, visits, dates shared and what is late: three queries."""
    plan_ids = [c.transition_plan.pk for c in children if _plan_of(c) is not None]
    visits: dict[int, list[TransitionVisit]] = defaultdict(list)
    shares: dict[int, list[TransitionDatesShare]] = defaultdict(list)
    if plan_ids:
        for v in TransitionVisit.objects.filter(plan_id__in=plan_ids).order_by("starts_at", "id"):
            visits[v.plan_id].append(v)
        for s in TransitionDatesShare.objects.filter(plan_id__in=plan_ids).order_by("shared_at", "id"):
            shares[s.plan_id].append(s)
    late = _late(organisation_id, [c.pk for c in children if _plan_of(c) is not None])
    out = []
    for c in children:
        p = _plan_of(c)
        if p is None:
            out.append(CohortRow(c, None))
            continue
        first = shares[p.pk][0].shared_at if shares[p.pk] else None
        out.append(CohortRow(c, PlanView(p, _visit_rows(visits[p.pk], first, now, {}), shares[p.pk], late.get(c.pk, []))))
    return out


def cohort(actor: Actor, as_of: dt.date, now: dt.datetime) -> list[CohortRow]:
    """Every leaving pupil with their plan: four queries whatever the number of pupils."""
    return cohort_rows(list(cohort_children(actor, as_of)), actor.organisation_id, now)


def _plan_of(child: Child) -> TransitionPlan | None:
    try:
        return child.transition_plan
    except TransitionPlan.DoesNotExist:
        return None


def key_worker_plans(actor: Actor, now: dt.datetime) -> list[PlanView]:
    """The plans of the families the actor is the current key worker of, with their visits and shares: four queries
    (only the caseload's, which My week reads once for every panel, when the actor is no one's key worker)."""
    from keyworker.caseload.selectors import caseload_family_ids

    if not actor.is_member or actor.staff is None:
        return []
    mine = caseload_family_ids(actor)  # read once for every panel of My week
    if not mine:
        return []
    plans = list(TransitionPlan.objects.filter(organisation_id=actor.organisation_id, family_id__in=mine)
                 .select_related("child__setting", "child__group").order_by("child__legal_last_name", "id"))
    if not plans:
        return []
    ids = [p.pk for p in plans]
    visits: dict[int, list[TransitionVisit]] = defaultdict(list)
    shares: dict[int, list[TransitionDatesShare]] = defaultdict(list)
    for v in TransitionVisit.objects.filter(plan_id__in=ids).order_by("starts_at", "id"):
        visits[v.plan_id].append(v)
    for s in TransitionDatesShare.objects.filter(plan_id__in=ids).order_by("shared_at", "id"):
        shares[s.plan_id].append(s)
    out = []
    for p in plans:
        first = shares[p.pk][0].shared_at if shares[p.pk] else None
        out.append(PlanView(p, _visit_rows(visits[p.pk], first, now, {}), shares[p.pk]))
    return out


# --- The family's side ---------------------------------------------------------------------------------------------

@dataclass
class CarerPlan:
    plan: TransitionPlan
    visits: list[TransitionVisit]   # the visits the family has been told of (planned before the last share)
    write_ups: list[TransitionVisit]  # the write-ups shared with the family, in visit order
    shared_on: dt.date | None


def carer_plans(access: CarerAccess, as_of: dt.date, family_id: int | None = None) -> list[CarerPlan]:
    """The plans of the carer's children whose dates have been shared with the family: the dates as shared, and the
    write-ups shared. Three queries (none without the section)."""
    family_ids = access.family_ids_with(TRANSITIONS)
    if family_id is not None:
        family_ids = family_ids & {family_id}
    if not family_ids:
        return []
    plans = list(TransitionPlan.objects.filter(family_id__in=family_ids, shares__isnull=False).distinct()
                 .select_related("child", "setting").order_by("child__date_of_birth", "id"))
    if not plans:
        return []
    ids = [p.pk for p in plans]
    last: dict[int, TransitionDatesShare] = {}
    for s in TransitionDatesShare.objects.filter(plan_id__in=ids).order_by("shared_at", "id"):
        last[s.plan_id] = s
    visits: dict[int, list[TransitionVisit]] = defaultdict(list)
    for v in TransitionVisit.objects.filter(plan_id__in=ids).order_by("starts_at", "id"):
        visits[v.plan_id].append(v)
    out = []
    for p in plans:
        share = last[p.pk]
        told = [v for v in visits[p.pk] if v.created_at <= share.shared_at]
        out.append(CarerPlan(p, told, [v for v in visits[p.pk] if v.is_shared], share.shared_on))
    return out


def carer_plan(access: CarerAccess, plan_id: int, as_of: dt.date) -> CarerPlan:
    """One plan the carer may read (its dates shared with the family); otherwise 404."""
    family_id = TransitionPlan.objects.filter(pk=plan_id).values_list("family_id", flat=True).first()
    if family_id is None or not access.may(TRANSITIONS, family_id):
        raise Http404("No such plan")
    for row in carer_plans(access, as_of, family_id):
        if row.plan.pk == plan_id:
            return row
    raise Http404("No such plan")
