"""Reads of learning targets and homework: scoped to the acting staff member's children, or to the signed-in
carer's access. Every page reads a fixed number of queries, whatever the number of rows."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.organisations.models import Group
from keyworker.people.carer_access import HOMEWORK, TARGETS, CarerAccess
from keyworker.people.models import Child
from keyworker.people.selectors import children_visible_to

from . import policies
from .models import (
    HomeNote,
    Homework,
    HomeworkReturn,
    LearningTarget,
    TargetReview,
    TargetSharing,
    TargetStatus,
)

HOMEWORK_SHOWN = 30  # the newest homework of a class or child on a page
NOTES_SHOWN = 20
SHARED_NEWS_DAYS = 14  # a sharing in the portal is "new" on the carers' home for this long
HOMEWORK_DUE_DAYS = 7  # homework due within this many days is on the carers' home


def on_roll(qs: QuerySet[Child], as_of: dt.date) -> QuerySet[Child]:
    return qs.filter(enrolled_on__lte=as_of).filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of))


# Staff ------------------------------------------------------------------------------------------------------------


def access_child(actor: Actor, child_id: int) -> Child:
    if not actor.is_member:
        raise Http404("No such child")
    child = children_visible_to(actor).select_related("family", "setting", "group").filter(pk=child_id).first()
    if child is None:
        raise Http404("No such child")
    return child


def targets_visible_to(actor: Actor) -> QuerySet[LearningTarget]:
    if not actor.is_member:
        return LearningTarget.objects.none()
    return LearningTarget.objects.filter(organisation_id=actor.organisation_id,
                                         child_id__in=children_visible_to(actor).values("id"))


def access_target(actor: Actor, target_id: int) -> LearningTarget:
    target = (targets_visible_to(actor).select_related("child__setting", "child__group", "child__family")
              .filter(pk=target_id).first())
    if target is None:
        raise Http404("No such target")
    return target


def with_reviews(qs: QuerySet[LearningTarget]) -> QuerySet[LearningTarget]:
    return qs.prefetch_related(Prefetch("reviews", queryset=TargetReview.objects.select_related("reviewed_by__user")))


def child_targets(child: Child) -> list[LearningTarget]:
    """The child's targets, current first, each with its reviews (two queries)."""
    rows = list(with_reviews(LearningTarget.objects.filter(child=child)).order_by("status", "review_on", "id"))
    order = {TargetStatus.WORKING: 0, TargetStatus.ACHIEVED: 1, TargetStatus.STOPPED: 2}
    return sorted(rows, key=lambda t: (order.get(t.status, 3), t.review_on, t.pk))


def child_sharings(child: Child) -> list[TargetSharing]:
    return list(TargetSharing.objects.filter(child=child).select_related("shared_by__user")
                .annotate(n_targets=Count("targets")).order_by("-shared_on", "-id")[:10])


def child_notes(child: Child) -> list[HomeNote]:
    return list(HomeNote.objects.filter(child=child).select_related("target").order_by("-created_at", "-id")[:NOTES_SHOWN])


def notes_visible_to(actor: Actor) -> QuerySet[HomeNote]:
    if not actor.is_member:
        return HomeNote.objects.none()
    return HomeNote.objects.filter(organisation_id=actor.organisation_id, child_id__in=children_visible_to(actor).values("id"))


def groups_for(actor: Actor) -> QuerySet[Group]:
    """The classes whose targets and homework the actor manages: their class teams, and every class of the
    settings they lead."""
    if not actor.is_member:
        return Group.objects.none()
    qs = Group.objects.filter(organisation_id=actor.organisation_id)
    led = policies.leads_settings(actor)
    if led is None:
        return qs.order_by("setting__name", "name", "id")
    return qs.filter(Q(pk__in=actor.group_ids) | Q(setting_id__in=led)).order_by("setting__name", "name", "id")


def access_group(actor: Actor, group_id: int) -> Group:
    group = groups_for(actor).select_related("setting").filter(pk=group_id).first()
    if group is None:
        raise Http404("No such class")
    return group


@dataclass
class ChildRow:
    child: Child
    current: int = 0
    review_due: dt.date | None = None
    last_shared: dt.date | None = None


def class_targets(group: Group, as_of: dt.date) -> list[ChildRow]:
    """The class's children on roll with their number of current targets, the next review and when their targets
    were last shared (two queries)."""
    children = list(on_roll(Child.objects.filter(group=group), as_of).select_related("family")
                    .annotate(last_shared=Max("target_sharings__shared_on"))
                    .order_by("legal_last_name", "legal_first_name", "id"))
    stats = {r["child_id"]: r for r in LearningTarget.objects.filter(child__in=[c.pk for c in children], status=TargetStatus.WORKING)
             .values("child_id").annotate(n=Count("id"), due=Min("review_on"))}
    rows = []
    for c in children:
        s = stats.get(c.pk)
        rows.append(ChildRow(c, s["n"] if s else 0, s["due"] if s else None, c.last_shared))
    return rows


def homework_visible_to(actor: Actor) -> QuerySet[Homework]:
    """Homework of the classes the actor manages, and homework set for a child they may see."""
    if not actor.is_member:
        return Homework.objects.none()
    return Homework.objects.filter(organisation_id=actor.organisation_id).filter(
        Q(group_id__in=groups_for(actor).values("id")) | Q(child_id__in=children_visible_to(actor).values("id")))


def access_homework(actor: Actor, homework_id: int) -> Homework:
    hw = (homework_visible_to(actor).select_related("group", "child__group", "child__family", "setting", "set_by__user")
          .filter(pk=homework_id).first())
    if hw is None:
        raise Http404("No such homework")
    return hw


def homework_list(actor: Actor, group: Group | None = None) -> list[Homework]:
    """The newest homework of the actor's classes (or of one class), with how many children returned it."""
    qs = homework_visible_to(actor)
    if group is not None:
        qs = qs.filter(Q(group=group) | Q(child__group=group))
    return list(qs.select_related("group", "child", "set_by__user")
                .annotate(n_returned=Count("returns", filter=Q(returns__returned=True)),
                          n_marked=Count("returns"))
                .order_by("-due_on", "-id")[:HOMEWORK_SHOWN])


def homework_children(homework: Homework, as_of: dt.date) -> list[Child]:
    """The children the homework is for: its child, or the class's children on roll (one query)."""
    if homework.child_id is not None:
        return list(Child.objects.filter(pk=homework.child_id).select_related("family"))
    return list(on_roll(Child.objects.filter(group_id=homework.group_id), as_of).select_related("family")
                .order_by("legal_last_name", "legal_first_name", "id"))


@dataclass
class ReturnRow:
    child: Child
    ret: HomeworkReturn | None = None
    contact_url: str = ""  # the page's link to record a contact with the family
    errors: list[str] = field(default_factory=list)  # the page's messages on this child's feedback

    @property
    def state(self) -> str:
        if self.ret is None:
            return "not_marked"
        return "returned" if self.ret.returned else "not_returned"


@dataclass
class ClassHomework:
    homework: Homework
    rows: list[ReturnRow] = field(default_factory=list)

    @property
    def returned(self) -> list[ReturnRow]:
        return [r for r in self.rows if r.state == "returned"]

    @property
    def not_returned(self) -> list[ReturnRow]:
        return [r for r in self.rows if r.state == "not_returned"]

    @property
    def not_marked(self) -> list[ReturnRow]:
        return [r for r in self.rows if r.state == "not_marked"]


def class_homework(homework: Homework, as_of: dt.date) -> ClassHomework:
    """Who returned the homework and who did not (two queries)."""
    children = homework_children(homework, as_of)
    returns = {r.child_id: r for r in HomeworkReturn.objects.filter(homework=homework)}
    return ClassHomework(homework, [ReturnRow(c, returns.get(c.pk)) for c in children])


def child_homework(child: Child) -> list[tuple[Homework, HomeworkReturn | None]]:
    """The newest homework set for the child or their class, with the child's return (two queries)."""
    q = Q(child=child)
    if child.group_id is not None:
        q |= Q(group_id=child.group_id)
    rows = list(Homework.objects.filter(q, organisation_id=child.organisation_id).order_by("-due_on", "-id")[:HOMEWORK_SHOWN])
    returns = {r.homework_id: r for r in HomeworkReturn.objects.filter(child=child, homework__in=[h.pk for h in rows])}
    return [(h, returns.get(h.pk)) for h in rows]


def targets_due_for_review(actor: Actor, as_of: dt.date, within_days: int = 7) -> QuerySet[LearningTarget]:
    """Current targets of the classes the actor manages whose review is due within a week, or overdue."""
    return (LearningTarget.objects.filter(organisation_id=actor.organisation_id, status=TargetStatus.WORKING,
                                          review_on__lte=as_of + dt.timedelta(days=within_days),
                                          child__group_id__in=groups_for(actor).values("id"))
            .select_related("child").order_by("review_on", "id"))


# Carers -----------------------------------------------------------------------------------------------------------


def carer_children(access: CarerAccess, section: str, as_of: dt.date) -> list[Child]:
    family_ids = access.family_ids_with(section)
    if not family_ids:
        return []
    return list(on_roll(Child.objects.filter(family_id__in=family_ids), as_of).select_related("setting", "group")
                .order_by("date_of_birth", "id"))


def carer_child(access: CarerAccess, section: str, child_id: int, as_of: dt.date) -> Child:
    """A child on roll in a family whose `section` the carer may open; otherwise 404."""
    child = on_roll(Child.objects.filter(pk=child_id), as_of).select_related("setting", "group", "family").first()
    if child is None or not access.may(section, child.family_id):
        raise Http404("No such child")
    return child


def shared_targets(child: Child) -> list[LearningTarget]:
    """The targets the family may see: those shared with them, current first (two queries)."""
    rows = list(with_reviews(LearningTarget.objects.filter(child=child, shared_on__isnull=False))
                .exclude(status=TargetStatus.STOPPED))
    return sorted(rows, key=lambda t: (t.status != TargetStatus.WORKING, t.review_on, t.pk))


def carer_new_sharings(access: CarerAccess, as_of: dt.date) -> list[TargetSharing]:
    family_ids = access.family_ids_with(TARGETS)
    if not family_ids:
        return []
    return list(TargetSharing.objects.filter(family_id__in=family_ids, shared_on__gte=as_of - dt.timedelta(days=SHARED_NEWS_DAYS),
                                             shared_on__lte=as_of)
                .select_related("child").order_by("-shared_on", "-id"))


def carer_homework_due(access: CarerAccess, as_of: dt.date) -> list[tuple[Child, Homework]]:
    """Homework due from today for a week, of each child the carer may see homework of, not yet handed in: one query
    when there is none, three when there is some."""
    family_ids = access.family_ids_with(HOMEWORK)
    if not family_ids:
        return []
    mine = on_roll(Child.objects.filter(family_id__in=family_ids), as_of)
    rows = list(Homework.objects.filter(Q(group_id__in=mine.filter(group__isnull=False).values("group_id"))
                                        | Q(child_id__in=mine.values("id")),
                                        due_on__gte=as_of, due_on__lte=as_of + dt.timedelta(days=HOMEWORK_DUE_DAYS))
                .order_by("due_on", "id"))
    if not rows:
        return []
    children = list(mine.order_by("date_of_birth", "id"))
    done = set(HomeworkReturn.objects.filter(homework__in=[h.pk for h in rows], child_id__in=[c.pk for c in children],
                                             returned=True).values_list("homework_id", "child_id"))
    out = []
    for h in rows:
        for c in children:
            if (c.pk == h.child_id or (h.child_id is None and c.group_id == h.group_id)) and (h.pk, c.pk) not in done:
                out.append((c, h))
    return out
