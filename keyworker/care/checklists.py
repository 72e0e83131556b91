"""The checklists' machinery, shared by the enrolment checklist (CC-K1) and the first-week induction (CC-K5): which
items a child's checklist has, which are in, what is missing, and the day it was complete.

`checklists_for(children, kind)` answers for any number of children in three queries (the setting's own items, the
ticks, the accepted enrolment forms); pages, the My week panel, the API and the evidence source all read it.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from keyworker.enrolment.models import EnrolmentForm, FormState
from keyworker.people.models import Child

from .models_checklists import ChecklistItem, ChecklistKind, ChecklistTick


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    hint: str = ""
    required: bool = True
    from_form: bool = False  # answered by the family in their enrolment form (CC-P1)
    own: bool = False  # one of the setting's own items


# The items every setting's checklists have, in order (the policy's words: paperwork, allergies, medical needs,
# outside agencies, family circumstances, consents; fire evacuation, tour of spaces, snack).
BUILT_IN: dict[str, tuple[Item, ...]] = {
    ChecklistKind.ENROLMENT: (
        Item("paperwork", "Registration paperwork", "The registration form and terms signed, with the sessions booked."),
        Item("allergies", "Allergies", "What the child is allergic to and what to do.", from_form=True),
        Item("medical_needs", "Medical needs", "Conditions, medicines and care plans.", from_form=True),
        Item("outside_agencies", "Outside agencies", "Health visitor, speech and language, social care.", from_form=True),
        Item("family_circumstances", "Family circumstances", "Who lives at home, changes, who may collect.",
             from_form=True),
        Item("consents", "Consents", "Photos, outings, sun cream and emergency treatment, each answered yes or no.",
             from_form=True),
    ),
    ChecklistKind.INDUCTION: (
        Item("fire_evacuation", "Fire evacuation", "The fire exits, the assembly point and what happens at a drill."),
        Item("tour", "Tour of the spaces", "The rooms, the toilets, the outdoor space and where belongings go."),
        Item("snack", "Snack", "How snack and meal times work, and any food the child may not have."),
    ),
}


def built_in(kind: str) -> tuple[Item, ...]:
    return BUILT_IN[kind]


def own_item(row: ChecklistItem) -> Item:
    return Item(row.code, row.label, row.hint, row.required, own=True)


@dataclass
class ItemState:
    item: Item
    tick: ChecklistTick | None = None
    form_accepted_on: dt.date | None = None  # the family's form, accepted by staff, answers it

    @property
    def done(self) -> bool:
        return self.tick is not None or self.form_accepted_on is not None

    @property
    def from_family_form(self) -> bool:
        return self.tick is None and self.form_accepted_on is not None

    @property
    def done_on(self) -> dt.date | None:
        if self.tick is not None:
            return self.tick.done_on
        return self.form_accepted_on


@dataclass
class Checklist:
    child: Child
    kind: str
    items: list[ItemState] = field(default_factory=list)
    due_on: dt.date | None = None  # the open obligation's due date, when the selector asked for it

    @property
    def label(self) -> str:
        return ChecklistKind(self.kind).label

    @property
    def missing(self) -> list[ItemState]:
        return [s for s in self.items if s.item.required and not s.done]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.items if s.done)

    @property
    def completed_on(self) -> dt.date | None:
        """The day the last required item was in (never before the child started: the obligation counts from then)."""
        if not self.complete:
            return None
        days = [s.done_on for s in self.items if s.item.required and s.done_on is not None]
        return max([self.child.enrolled_on, *days])

    def state(self, code: str) -> ItemState | None:
        return next((s for s in self.items if s.item.code == code), None)


def checklists_for(children: Iterable[Child], kind: str) -> dict[int, Checklist]:
    """Each child's checklist of `kind` (child id -> Checklist), in three queries whatever the number of children.

    The setting's own items apply to children who start on or after each one's `applies_from`, until it is removed.
    Given a queryset, the ticks and forms are read with it as a subquery (no list of ids, however many children)."""
    child_ids = children.values("id") if isinstance(children, QuerySet) else None
    children = list(children)
    if not children:
        return {}
    if child_ids is None:
        child_ids = [c.pk for c in children]
    own: dict[int, list[ChecklistItem]] = defaultdict(list)
    for row in ChecklistItem.objects.filter(setting_id__in={c.setting_id for c in children}, kind=kind,
                                            removed_on__isnull=True).order_by("position", "id"):
        own[row.setting_id].append(row)
    ticks: dict[int, dict[str, ChecklistTick]] = defaultdict(dict)
    for tick in ChecklistTick.objects.filter(child_id__in=child_ids, kind=kind).select_related("done_by__user"):
        ticks[tick.child_id][tick.item] = tick
    accepted: dict[int, dt.date] = {}
    if kind == ChecklistKind.ENROLMENT:
        accepted = dict(EnrolmentForm.objects.filter(child_id__in=child_ids, state=FormState.ACCEPTED)
                        .values_list("child_id", "accepted_on"))
    out = {}
    for child in children:
        theirs = [own_item(r) for r in own[child.setting_id] if r.applies_from <= child.enrolled_on]
        items = [*built_in(kind), *theirs]
        mine, form_on = ticks.get(child.pk, {}), accepted.get(child.pk)
        out[child.pk] = Checklist(child, kind, [
            ItemState(item, mine.get(item.code), form_on if item.from_form else None) for item in items
        ])
    return out


def items_of(setting_id: int, kind: str, enrolled_on: dt.date) -> list[Item]:
    """The items a child who starts on `enrolled_on` has in the setting: one query."""
    rows = ChecklistItem.objects.filter(setting_id=setting_id, kind=kind, removed_on__isnull=True,
                                        applies_from__lte=enrolled_on).order_by("position", "id")
    return [*built_in(kind), *(own_item(r) for r in rows)]
