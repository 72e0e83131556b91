"""Writes of the enrolment and induction checklists: tick an item in (or take a tick back), and the setting's own
items and who introduces themselves to new families (the set-up page). Each write about a child brings the family's
obligations up to date in the same transaction (CC-K1, CC-K5)."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import Setting
from keyworker.people.models import Child
from keyworker.standards.obligations import obligations_refresh

from . import policies
from .checklists import items_of
from .checklists_selectors import childcare_children, new_since, started_between
from .models_checklists import (
    CHECKLIST_KINDS,
    LABEL_MAX,
    NOTE_MAX,
    ChecklistItem,
    ChecklistKind,
    ChecklistTick,
    IntroducedBy,
    IntroductionSetup,
)

OWN_ITEMS_MAX = 20


class FieldErrors(RuleViolation):
    """Several inputs refused at once: a message for each."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())), rule="fields", field=next(iter(errors)))
        self.errors = errors

    def as_dict(self) -> dict[str, list[str]]:
        return {k: [v] for k, v in self.errors.items()}


def day_problem(day: dt.date | None, child: Child, today: dt.date, what: str = "The date") -> str | None:
    """Why a record's day is refused: in the future, or before the child started."""
    if day is None:
        return "Enter the date."
    if day > today:
        return f"{what} is in the future: enter today's date or an earlier one."
    if day < child.enrolled_on:
        return f"{what} is before {child.display_name} started on {on_screen(child.enrolled_on)}."
    return None


def visible_child(actor: Actor, child: Child, kinds=CHECKLIST_KINDS) -> Child:
    """The child, read again through the actor's scope: 404 outside it or outside the settings that keep the record."""
    found = (childcare_children(actor).filter(pk=child.pk, setting__kind__in=kinds).select_related("setting", "family")
             .first())
    if found is None:
        raise Http404("No such child")
    return found


def _kind(kind: str) -> str:
    if kind not in ChecklistKind.values:
        raise RuleViolation("Choose the enrolment checklist or the first-week induction.", rule="kind", field="kind")
    return kind


@transaction.atomic
def checklist_tick(*, actor: Actor, child: Child, kind: str, item: str, done_on: dt.date | None = None,
                   note: str = "") -> ChecklistTick:
    """Tick one item of the child's checklist in, dated the day it was done (today unless said)."""
    child = visible_child(actor, child)
    policies.checklists_require_tick(actor, child.setting_id)
    kind = _kind(kind)
    today = clock.today(child.setting.time_zone)
    done_on = done_on or today
    items = {i.code: i for i in items_of(child.setting_id, kind, child.enrolled_on)}
    errors: dict[str, str] = {}
    if item not in items:
        errors["item"] = f"Choose one of the items of {child.display_name}'s {ChecklistKind(kind).label.lower()}."
    if problem := day_problem(done_on, child, today):
        errors["done_on"] = problem
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = f"Keep the note to {NOTE_MAX} characters or fewer."
    if errors:
        raise FieldErrors(errors)
    now = clock.now()
    tick = ChecklistTick.objects.select_for_update().filter(child=child, kind=kind, item=item).first()
    if tick is None:
        try:
            with transaction.atomic():  # two people ticking at once keep one tick
                tick = ChecklistTick.objects.create(
                    organisation_id=child.organisation_id, child=child, family_id=child.family_id, kind=kind, item=item,
                    done_on=done_on, done_by=actor.staff, note=note, recorded_at=now)
        except IntegrityError:
            tick = ChecklistTick.objects.select_for_update().get(child=child, kind=kind, item=item)
    tick.done_on, tick.done_by, tick.note, tick.recorded_at = done_on, actor.staff, note, now
    tick.save()
    audit_record(organisation_id=child.organisation_id, actor=actor.user, event_type=f"checklist.{kind}.ticked", obj=tick,
                 summary=f"“{items[item].label}” ticked on the {ChecklistKind(kind).label.lower()} of {child}",
                 data={"item": item, "done_on": done_on.isoformat()})
    obligations_refresh(organisation_id=child.organisation_id, family_ids={child.family_id}, as_of=today, actor=actor)
    return tick


@transaction.atomic
def checklist_untick(*, actor: Actor, child: Child, kind: str, item: str) -> None:
    """Take a tick back (ticked by mistake): the item is missing again."""
    child = visible_child(actor, child)
    policies.checklists_require_tick(actor, child.setting_id)
    kind = _kind(kind)
    deleted, _ = ChecklistTick.objects.filter(child=child, kind=kind, item=item).delete()
    if not deleted:
        raise RuleViolation("That item is not ticked.", rule="not_ticked", field="item")
    audit_record(organisation_id=child.organisation_id, actor=actor.user, event_type=f"checklist.{kind}.unticked",
                 obj=child, summary=f"A tick taken back on the {ChecklistKind(kind).label.lower()} of {child}",
                 data={"item": item})
    obligations_refresh(organisation_id=child.organisation_id, family_ids={child.family_id},
                        as_of=clock.today(child.setting.time_zone), actor=actor)


def _setup_setting(actor: Actor, setting: Setting) -> Setting:
    if not actor.is_member or setting.organisation_id != actor.organisation_id or setting.kind not in CHECKLIST_KINDS:
        raise Http404("No such setting")
    policies.checklists_require_set_up(actor, setting.pk)
    return setting


@transaction.atomic
def checklist_item_add(*, actor: Actor, setting: Setting, kind: str, label: str, hint: str = "", required: bool = True,
                       include_started: bool = False, as_of: dt.date | None = None) -> ChecklistItem:
    """Add one of the setting's own items: it applies to children who start from `as_of` (today), and with
    `include_started` also to those who started in the last NEW_FOR_DAYS days (the new children of the checklists
    page): their checklists now have it, and a complete one is missing it until it is ticked. As when a tick is taken
    back, their obligations are brought up to date: one still open is not met until the item is in; a closed one
    stays as it was (the engine never reopens a closed period)."""
    _setup_setting(actor, setting)
    kind = _kind(kind)
    label, hint = (label or "").strip(), (hint or "").strip()
    errors: dict[str, str] = {}
    if len(label) < 3:
        errors["label"] = "Name the item, for example “Funding form signed”."
    elif len(label) > LABEL_MAX:
        errors["label"] = f"Keep the name to {LABEL_MAX} characters or fewer."
    if len(hint) > 300:
        errors["hint"] = "Keep the hint to 300 characters or fewer."
    items = ChecklistItem.objects.select_for_update().filter(setting=setting, kind=kind, removed_on__isnull=True)
    existing = list(items.values_list("label", "position"))
    if "label" not in errors and label.lower() in {x.lower() for x, _ in existing}:
        errors["label"] = "The checklist has an item of that name already."
    if len(existing) >= OWN_ITEMS_MAX:
        errors["label"] = f"A checklist has at most {OWN_ITEMS_MAX} of the setting's own items: remove one first."
    if errors:
        raise FieldErrors(errors)
    today = as_of or clock.today(setting.time_zone)
    applies_from = new_since(today) if include_started else today
    row = ChecklistItem.objects.create(
        organisation_id=setting.organisation_id, setting=setting, kind=kind, label=label, hint=hint, required=required,
        position=max((p for _, p in existing), default=0) + 1, added_on=today, applies_from=applies_from,
        added_by=actor.staff)
    started = (set(started_between(Child.objects.filter(setting=setting), applies_from, today)
                   .values_list("family_id", flat=True)) if include_started else set())
    audit_record(organisation_id=setting.organisation_id, actor=actor.user, event_type="checklist.item_added", obj=row,
                 summary=f"“{label}” added to the {ChecklistKind(kind).label.lower()} of {setting.name}"
                 + (f", asked also of the children who started from {on_screen(applies_from)}" if include_started else ""),
                 data={"applies_from": applies_from.isoformat(), "families_started": len(started)})
    # Their checklists changed: bring those families' obligations up to date with them.
    obligations_refresh(organisation_id=setting.organisation_id, family_ids=started, as_of=today, actor=actor)
    return row


@transaction.atomic
def checklist_item_remove(*, actor: Actor, item: ChecklistItem, as_of: dt.date | None = None) -> ChecklistItem:
    """Remove one of the setting's own items: children's ticks of it stay in their history."""
    setting = _setup_setting(actor, item.setting)
    locked = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    if locked.removed_on is None:
        locked.removed_on = as_of or clock.today(setting.time_zone)
        locked.save(update_fields=["removed_on"])
        audit_record(organisation_id=setting.organisation_id, actor=actor.user, event_type="checklist.item_removed",
                     obj=locked, summary=f"“{locked.label}” removed from the checklists of {setting.name}")
    return locked


@transaction.atomic
def introduction_setup_save(*, actor: Actor, setting: Setting, introduced_by: str) -> IntroductionSetup:
    """Who introduces themselves to each new child and family in the setting (CC-M1)."""
    _setup_setting(actor, setting)
    if introduced_by not in IntroducedBy.values:
        raise RuleViolation(f"Choose one of: {', '.join(IntroducedBy.labels)}.", rule="introduced_by",
                            field="introduced_by")
    row, _ = IntroductionSetup.objects.update_or_create(
        setting=setting, defaults={"organisation_id": setting.organisation_id, "introduced_by": introduced_by,
                                   "updated_by": actor.staff, "updated_at": clock.now()})
    audit_record(organisation_id=setting.organisation_id, actor=actor.user, event_type="introduction.setup", obj=row,
                 summary=f"Introductions to new families in {setting.name}: {row.get_introduced_by_display().lower()}")
    return row
