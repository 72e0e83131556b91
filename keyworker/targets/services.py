"""Writes for learning targets and homework (SCH-8). Each is atomic; sharing the targets brings the family's
obligations up to date in the same transaction (the standards engine reads the sharing as evidence)."""

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.http import Http404

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.conflicts import version_claim
from keyworker.core.dates import on_screen
from keyworker.core.errors import RuleViolation
from keyworker.organisations.models import Group
from keyworker.people.carer_access import TARGETS, sections_for
from keyworker.people.models import Carer, Child
from keyworker.standards.obligations import obligations_refresh

from . import policies
from .models import (
    NOTE_MAX,
    TEXT_MAX,
    WHAT_MAX,
    HomeNote,
    Homework,
    HomeworkReturn,
    LearningTarget,
    ShareMethod,
    TargetReview,
    TargetSharing,
    TargetStatus,
)
from .selectors import children_visible_to, homework_children

REVIEW_AHEAD_DAYS = 366  # a review date within a year
DUE_AHEAD_DAYS = 120  # homework due within about a term of being set


class FieldErrors(RuleViolation):
    """Several inputs refused at once: a message for each."""

    def __init__(self, errors: dict[str, str]):
        field = next(iter(errors))
        super().__init__(errors[field], rule="fields", field=field)
        self.errors = errors

    def as_dict(self) -> dict[str, list[str]]:
        return {k: [v] for k, v in self.errors.items()}


def _text(errors: dict, name: str, value, *, label: str, required: bool = False, limit: int = TEXT_MAX) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[name] = f"Write {label}."
    elif len(text) > limit:
        errors[name] = f"Keep it to {limit} characters or fewer."
    return text


def _review_on(errors: dict, value: dt.date | None, today: dt.date, name: str = "review_on") -> None:
    if value is None:
        errors[name] = "Choose the day the target will be reviewed (each half term)."
    elif value < today:
        errors[name] = "The review date is in the past: choose today or a later day."
    elif value > today + dt.timedelta(days=REVIEW_AHEAD_DAYS):
        errors[name] = "Choose a review date within a year (targets are reviewed each half term)."


def _today(child_or_setting) -> dt.date:
    setting = getattr(child_or_setting, "setting", child_or_setting)
    return clock.today(setting.time_zone)


def _visible_child(actor: Actor, child: Child) -> None:
    if not actor.is_member or not children_visible_to(actor).filter(pk=child.pk).exists():
        raise Http404("No such child")


# Targets ----------------------------------------------------------------------------------------------------------


@transaction.atomic
def target_create(*, actor: Actor, child: Child, what: str, why: str = "", how_we_know: str = "", help_at_home: str = "",
                  review_on: dt.date | None, as_of: dt.date | None = None) -> LearningTarget:
    """A new target for the child, set by the class team or a leader."""
    _visible_child(actor, child)
    policies.require_set_targets(actor, child)
    today = as_of or _today(child)
    errors: dict[str, str] = {}
    values = {
        "what": _text(errors, "what", what, label="the target", required=True, limit=WHAT_MAX),
        "why": _text(errors, "why", why, label="why"),
        "how_we_know": _text(errors, "how_we_know", how_we_know, label="how we will know"),
        "help_at_home": _text(errors, "help_at_home", help_at_home, label="how the family can help"),
    }
    _review_on(errors, review_on, today)
    if errors:
        raise FieldErrors(errors)
    now = clock.now()
    target = LearningTarget.objects.create(
        organisation_id=child.organisation_id, child=child, family_id=child.family_id, setting_id=child.setting_id,
        review_on=review_on, created_by=actor.staff, created_at=now, updated_at=now, **values,
    )
    audit_record(organisation_id=target.organisation_id, actor=actor.user, event_type="target.created", obj=target,
                 summary=f"Learning target set for {child}")
    return target


EDITABLE = ("what", "why", "how_we_know", "help_at_home", "review_on")


@transaction.atomic
def target_update(*, actor: Actor, target: LearningTarget, changes: Mapping, version: int | None,
                  as_of: dt.date | None = None) -> LearningTarget:
    """Change what the target says or when it is reviewed (from the version the editor started from)."""
    child = target.child
    _visible_child(actor, child)
    policies.require_set_targets(actor, child)
    today = as_of or _today(child)
    errors: dict[str, str] = {}
    values = {}
    for name, label, required, limit in (("what", "the target", True, WHAT_MAX), ("why", "why", False, TEXT_MAX),
                                         ("how_we_know", "how we will know", False, TEXT_MAX),
                                         ("help_at_home", "how the family can help", False, TEXT_MAX)):
        if name in changes:
            values[name] = _text(errors, name, changes[name], label=label, required=required, limit=limit)
    if "review_on" in changes and changes["review_on"] != target.review_on:
        _review_on(errors, changes["review_on"], today)
        values["review_on"] = changes["review_on"]
    if errors:
        raise FieldErrors(errors)
    version_claim(target, expected=version)
    before = {k: str(getattr(target, k)) for k in values}
    for k, v in values.items():
        setattr(target, k, v)
    target.updated_at = clock.now()
    target.save(update_fields=[*values, "updated_at"])
    audit_record(organisation_id=target.organisation_id, actor=actor.user, event_type="target.updated", obj=target,
                 summary=f"Learning target of {child} changed",
                 data={k: {"before": before[k], "after": str(v)} for k, v in values.items() if before[k] != str(v)})
    return target


@transaction.atomic
def target_review(*, actor: Actor, target: LearningTarget, progress: str, status: str,
                  next_review_on: dt.date | None = None, as_of: dt.date | None = None) -> TargetReview:
    """Review the target with a progress note: still working on it (with the next review date), achieved, or
    no longer a target."""
    child = target.child
    _visible_child(actor, child)
    policies.require_set_targets(actor, child)
    today = as_of or _today(child)
    errors: dict[str, str] = {}
    progress = _text(errors, "progress", progress, label="how it is going (the progress note)", required=True)
    if status not in TargetStatus.values:
        errors["status"] = f"Choose one of: {', '.join(TargetStatus.labels)}."
    elif status == TargetStatus.WORKING:
        _review_on(errors, next_review_on, today, "next_review_on")
    if errors:
        raise FieldErrors(errors)
    locked = LearningTarget.objects.select_for_update().get(pk=target.pk)
    if locked.status != TargetStatus.WORKING:
        raise RuleViolation(f"This target is “{locked.get_status_display().lower()}”: only a current target is reviewed.",
                            rule="not_current", field="status")
    now = clock.now()
    review = TargetReview.objects.create(
        organisation_id=locked.organisation_id, target=locked, reviewed_on=today, progress=progress, status=status,
        next_review_on=next_review_on if status == TargetStatus.WORKING else None, reviewed_by=actor.staff, created_at=now,
    )
    locked.status = status
    if status == TargetStatus.WORKING:
        locked.review_on = next_review_on
    locked.updated_at = now
    locked.version += 1
    locked.save(update_fields=["status", "review_on", "updated_at", "version"])
    audit_record(organisation_id=locked.organisation_id, actor=actor.user, event_type="target.reviewed", obj=locked,
                 summary=f"Learning target of {child} reviewed: {locked.get_status_display()}")
    return review


@transaction.atomic
def targets_share(*, actor: Actor, child: Child, method: str, note: str = "", as_of: dt.date | None = None) -> TargetSharing:
    """Record that the child's current targets were shared with the family today (in the portal, on paper or at a
    meeting): the SCH-8 evidence. From then on the family sees them in the portal."""
    _visible_child(actor, child)
    policies.require_share(actor, child)
    today = as_of or _today(child)
    errors: dict[str, str] = {}
    if method not in ShareMethod.values:
        errors["method"] = f"Choose how they were shared: {', '.join(ShareMethod.labels)}."
    note = _text(errors, "note", note, label="a note", limit=300)
    if errors:
        raise FieldErrors(errors)
    current = list(LearningTarget.objects.select_for_update().filter(child=child, status=TargetStatus.WORKING))
    if not current:
        raise RuleViolation("Set at least one current target before sharing them with the family.", rule="no_targets")
    sharing = TargetSharing.objects.create(
        organisation_id=child.organisation_id, child=child, family_id=child.family_id, setting_id=child.setting_id,
        shared_on=today, method=method, note=note, shared_by=actor.staff, created_at=clock.now(),
    )
    sharing.targets.set(current)
    LearningTarget.objects.filter(pk__in=[t.pk for t in current], shared_on__isnull=True).update(shared_on=today)
    audit_record(organisation_id=sharing.organisation_id, actor=actor.user, event_type="targets.shared", obj=sharing,
                 summary=f"Learning targets of {child} shared with the family ({sharing.get_method_display().lower()})",
                 data={"targets": [t.pk for t in current]})
    obligations_refresh(organisation_id=child.organisation_id, family_ids={child.family_id}, as_of=today, actor=actor)
    return sharing


@transaction.atomic
def home_note_add(*, link: Carer, child: Child, text: str, target: LearningTarget | None = None) -> HomeNote:
    """A carer says how it is going at home, about the targets or one of them."""
    if link.family_id != child.family_id or TARGETS not in sections_for(link):
        raise Http404("No such child")
    if target is not None and not LearningTarget.objects.filter(pk=target.pk, child=child, shared_on__isnull=False).exists():
        raise RuleViolation("Choose one of your child's targets.", rule="target", field="target")
    errors: dict[str, str] = {}
    text = _text(errors, "text", text, label="how it is going at home", required=True, limit=NOTE_MAX)
    if errors:
        raise FieldErrors(errors)
    note = HomeNote.objects.create(organisation_id=child.organisation_id, child=child, family_id=child.family_id, carer=link,
                                   carer_name=link.full_name, target=target, text=text, created_at=clock.now())
    audit_record(organisation_id=note.organisation_id, actor=link.user, event_type="targets.home_note", obj=note,
                 summary=f"Note from home about {child}'s targets from {link.full_name}")
    return note


# Homework ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def homework_set(*, actor: Actor, group: Group | None = None, child: Child | None = None, title: str, what_to_do: str,
                 how_to_help: str = "", due_on: dt.date | None, set_on: dt.date | None = None) -> Homework:
    """Set homework for a class, or for one child of it (give both: the child must be in that class)."""
    errors: dict[str, str] = {}
    if child is not None:
        _visible_child(actor, child)
        if group is not None and child.group_id != group.pk:
            raise FieldErrors({"child": f"{child.display_name} is not in {group.name}: choose a child of the class."})
        group = group or child.group
        if group is None:
            raise FieldErrors({"child": f"{child.display_name} is in no class: homework is set by a class's team."})
    if group is None:
        raise FieldErrors({"group": "Choose the class."})
    policies.require_set_homework(actor, group)
    today = clock.today(group.setting.time_zone)
    set_on = set_on or today
    values = {
        "title": _text(errors, "title", title, label="a short title", required=True, limit=WHAT_MAX),
        "what_to_do": _text(errors, "what_to_do", what_to_do, label="what to do", required=True),
        "how_to_help": _text(errors, "how_to_help", how_to_help, label="how to help"),
    }
    if due_on is None:
        errors["due_on"] = "Choose the day it is due."
    elif due_on < set_on:
        errors["due_on"] = f"It is due before it was set ({on_screen(set_on)}): choose that day or a later one."
    elif due_on > set_on + dt.timedelta(days=DUE_AHEAD_DAYS):
        errors["due_on"] = "Choose a due date within a term of setting it."
    if errors:
        raise FieldErrors(errors)
    hw = Homework.objects.create(
        organisation_id=group.organisation_id, setting_id=group.setting_id, group=None if child else group, child=child,
        set_on=set_on, due_on=due_on, set_by=actor.staff, created_at=clock.now(), **values,
    )
    audit_record(organisation_id=hw.organisation_id, actor=actor.user, event_type="homework.set", obj=hw,
                 summary=f"Homework “{hw.title}” set for {child or group}")
    return hw


def _homework_child(homework: Homework, child_id: int, as_of: dt.date) -> Child:
    for c in homework_children(homework, as_of):
        if c.pk == child_id:
            return c
    raise FieldErrors({"child": "That child is not in the class this homework was set for."})


@transaction.atomic
def homework_returns_mark(*, actor: Actor, homework: Homework, returned: Mapping[int, bool],
                          as_of: dt.date | None = None) -> list[HomeworkReturn]:
    """Mark each child's homework returned or not (child id -> returned); children of the class only."""
    policies.require_mark_homework(actor, homework)
    today = as_of or clock.today(homework.setting.time_zone)
    children = {c.pk: c for c in homework_children(homework, today)}
    outside = [pk for pk in returned if pk not in children]
    if outside:
        raise FieldErrors({"child": "That child is not in the class this homework was set for."})
    existing = {r.child_id: r for r in HomeworkReturn.objects.select_for_update().filter(homework=homework, child_id__in=list(returned))}
    now = clock.now()
    new, changed = [], []
    for child_id, value in returned.items():
        row = existing.get(child_id)
        if row is None:
            new.append(HomeworkReturn(organisation_id=homework.organisation_id, homework=homework, child_id=child_id,
                                      family_id=children[child_id].family_id, returned=bool(value), marked_on=today,
                                      marked_by=actor.staff, updated_at=now))
        elif row.returned != bool(value):
            row.returned, row.marked_on, row.marked_by, row.updated_at = bool(value), today, actor.staff, now
            changed.append(row)
    HomeworkReturn.objects.bulk_create(new)
    if changed:
        HomeworkReturn.objects.bulk_update(changed, ["returned", "marked_on", "marked_by", "updated_at"])
    if new or changed:
        audit_record(organisation_id=homework.organisation_id, actor=actor.user, event_type="homework.returns", obj=homework,
                     summary=f"Returns of “{homework.title}” marked", data={str(k): bool(v) for k, v in returned.items()})
    return new + changed


@transaction.atomic
def homework_feedback_give(*, actor: Actor, homework: Homework, child_id: int, feedback: str,
                           as_of: dt.date | None = None) -> HomeworkReturn:
    """Feedback to the family on one child's homework (shown to them in the portal)."""
    policies.require_mark_homework(actor, homework)
    today = as_of or clock.today(homework.setting.time_zone)
    child = _homework_child(homework, child_id, today)
    errors: dict[str, str] = {}
    feedback = _text(errors, "feedback", feedback, label="the feedback", required=True, limit=NOTE_MAX)
    if errors:
        raise FieldErrors(errors)
    row = HomeworkReturn.objects.select_for_update().filter(homework=homework, child=child).first()
    now = clock.now()
    if row is None:
        row = HomeworkReturn.objects.create(organisation_id=homework.organisation_id, homework=homework, child=child,
                                            family_id=child.family_id, returned=True, marked_on=today, feedback=feedback,
                                            marked_by=actor.staff, updated_at=now)
    else:
        row.feedback, row.marked_by, row.updated_at = feedback, actor.staff, now
        row.save(update_fields=["feedback", "marked_by", "updated_at"])
    audit_record(organisation_id=homework.organisation_id, actor=actor.user, event_type="homework.feedback", obj=row,
                 summary=f"Feedback on “{homework.title}” for {child}")
    return row

