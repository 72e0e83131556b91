"""Reads of the enrolment and induction checklists, scoped to the acting staff member: a child they may not see does
not exist for them (404)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.people.models import Child
from keyworker.people.selectors import children_visible_to
from keyworker.standards.models import OPEN_STATES, Obligation

from .checklists import Checklist, checklists_for
from .models_checklists import CHECKLIST_KINDS, ChecklistItem, ChecklistKind, IntroductionSetup

# The evidence code each checklist meets: the due date on its page is that obligation's.
EVIDENCE = {ChecklistKind.ENROLMENT: "enrolment_checklist", ChecklistKind.INDUCTION: "induction_completed"}
# Children who started within this many days are "new": the checklists page lists them.
NEW_FOR_DAYS = 42


def on_roll(qs: QuerySet[Child], as_of: dt.date) -> QuerySet[Child]:
    return qs.filter(enrolled_on__lte=as_of).filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of))


def new_since(as_of: dt.date, days: int = NEW_FOR_DAYS) -> dt.date:
    """The first start day of the children who started in the last `days` days, today included."""
    return as_of - dt.timedelta(days=days - 1)


def started_between(qs: QuerySet[Child], since: dt.date, as_of: dt.date) -> QuerySet[Child]:
    """The children on roll who started from `since` to `as_of`."""
    return on_roll(qs, as_of).filter(enrolled_on__gte=since)


def childcare_children(actor: Actor) -> QuerySet[Child]:
    if not actor.is_member:
        return Child.objects.none()
    return children_visible_to(actor).filter(setting__kind__in=CHECKLIST_KINDS)


def access_child(actor: Actor, child_id: int) -> Child:
    child = childcare_children(actor).filter(pk=child_id).select_related("setting", "family", "group").first()
    if child is None:
        raise Http404("No such child")
    return child


def due_dates(child_ids: list[int], evidence: str) -> dict[int, dt.date]:
    """The due date of each child's open obligation of this evidence (child id -> date), in one query."""
    if not child_ids:
        return {}
    rows = (Obligation.objects.filter(child_id__in=child_ids, standard__evidence=evidence, state__in=OPEN_STATES)
            .order_by("due_on").values_list("child_id", "due_on"))
    out: dict[int, dt.date] = {}
    for child_id, due in rows:
        out.setdefault(child_id, due)
    return out


def child_checklists(child: Child) -> list[Checklist]:
    """Both checklists of one child, with their due dates: seven queries."""
    out = []
    for kind in ChecklistKind.values:
        checklist = checklists_for([child], kind)[child.pk]
        checklist.due_on = due_dates([child.pk], EVIDENCE[kind]).get(child.pk)
        out.append(checklist)
    return out


@dataclass
class NewChild:
    child: Child
    enrolment: Checklist
    induction: Checklist

    @property
    def complete(self) -> bool:
        return self.enrolment.complete and self.induction.complete


def new_children(actor: Actor, as_of: dt.date, *, incomplete_only: bool = False,
                 days: int = NEW_FOR_DAYS) -> list[NewChild]:
    """The children who started in the actor's childcare settings in the last `days` days, with both checklists and
    their due dates: eight queries whatever the number of children."""
    children = list(started_between(childcare_children(actor), new_since(as_of, days), as_of)
                    .select_related("setting", "family", "group").order_by("-enrolled_on", "legal_last_name", "id"))
    ids = [c.pk for c in children]
    enrolment = checklists_for(children, ChecklistKind.ENROLMENT)
    induction = checklists_for(children, ChecklistKind.INDUCTION)
    for kind, lists in ((ChecklistKind.ENROLMENT, enrolment), (ChecklistKind.INDUCTION, induction)):
        for child_id, due in due_dates(ids, EVIDENCE[kind]).items():
            lists[child_id].due_on = due
    rows = [NewChild(c, enrolment[c.pk], induction[c.pk]) for c in children]
    return [r for r in rows if not r.complete] if incomplete_only else rows


def setup_settings(actor: Actor) -> list:
    """The childcare settings whose checklists and introductions the actor sets up."""
    from . import policies

    return [s for s in actor.settings().filter(kind__in=CHECKLIST_KINDS).order_by("name", "id")
            if policies.checklists_can_set_up(actor, s.pk)]


def item_started_children(actor: Actor, item: ChecklistItem, as_of: dt.date) -> QuerySet[Child]:
    """The children of the item's setting the actor sees who had started by `as_of` and have the item on their
    checklist (it was asked of the children who started recently too)."""
    return started_between(childcare_children(actor).filter(setting_id=item.setting_id), item.applies_from, as_of)


def own_items(setting_id: int) -> dict[str, list[ChecklistItem]]:
    """The setting's own items in use, by kind: one query."""
    out: dict[str, list[ChecklistItem]] = {k: [] for k in ChecklistKind.values}
    for row in ChecklistItem.objects.filter(setting_id=setting_id, removed_on__isnull=True).order_by("kind", "position",
                                                                                                      "id"):
        out[row.kind].append(row)
    return out


def introduction_setup(setting_id: int) -> IntroductionSetup | None:
    return IntroductionSetup.objects.filter(setting_id=setting_id).first()
