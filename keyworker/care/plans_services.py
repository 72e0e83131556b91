"""Writes for personal care plans: a new version (never overwriting the last), a review (with whom the child chose,
CC-C1) that may change the plan, a carer's comment from the portal that may ask for a review, and the review
numbers a setting chooses on its set-up page."""

import datetime as dt

from django.db import transaction
from django.http import Http404
from django.urls import reverse

from keyworker.accounts.access import Actor
from keyworker.accounts.models import StaffMember
from keyworker.caseload.selectors import current_allocations
from keyworker.core import clock
from keyworker.core.audit import audit_record
from keyworker.core.errors import RuleViolation
from keyworker.notifications.services import notification_send
from keyworker.organisations.models import Jurisdiction, Setting
from keyworker.people.carer_access import CARE_PLAN, sections_for
from keyworker.people.models import Carer, Child
from keyworker.standards.obligations import obligations_refresh

from . import policies
from .models_plans import (
    COMMENT_MAX,
    DEFAULT_CHANGE_DAYS,
    DEFAULT_REQUEST_DAYS,
    NOTE_MAX,
    PLAN_KINDS,
    REVIEW_DAYS_MAX,
    REVIEW_DAYS_MIN,
    SECTION_NAMES,
    TEXT_MAX,
    CarePlan,
    CarePlanComment,
    CarePlanReview,
    CarePlanSetup,
    CarePlanVersion,
    ChildChose,
)
from .plans_selectors import plan_children_visible_to, setting_staff

SUMMARY_MAX = 300


class FieldErrors(RuleViolation):
    """Several inputs refused at once: a message for each (the API reports the first)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())), rule="fields", field=next(iter(errors)))
        self.errors = errors

    def as_dict(self) -> dict[str, list[str]]:
        return {k: [v] for k, v in self.errors.items()}


def _visible(actor: Actor, child: Child) -> None:
    if not actor.is_member or not plan_children_visible_to(actor).filter(pk=child.pk).exists():
        raise Http404("No such child")


def _clean_sections(sections: dict) -> tuple[dict[str, str], dict[str, str]]:
    clean, errors = {}, {}
    for name in SECTION_NAMES:
        text = (sections.get(name) or "").strip()
        if len(text) > TEXT_MAX:
            errors[name] = f"Keep it to {TEXT_MAX} characters or fewer."
        clean[name] = text
    return clean, errors


def _new_version(plan: CarePlan, sections: dict[str, str], *, actor: Actor, summary: str, significant_change: bool,
                 review: CarePlanReview | None, day: dt.date) -> CarePlanVersion:
    last = plan.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = CarePlanVersion.objects.create(
        organisation_id=plan.organisation_id, plan=plan, number=last + 1, summary=summary,
        significant_change=significant_change, saved_at=clock.now(), saved_on=day, saved_by=actor.staff,
        saved_by_name=actor.user.full_name, review=review, **sections,
    )
    plan.current = version
    return version


def _locked_plan(child: Child) -> CarePlan | None:
    return CarePlan.objects.select_for_update(of=("self",)).select_related("current").filter(child=child).first()


@transaction.atomic
def care_plan_save(*, actor: Actor, child: Child, sections: dict, summary: str = "", significant_change: bool = False,
                   as_of: dt.date | None = None) -> CarePlanVersion:
    """Save the plan as a new version (the first one makes the plan). Nothing is overwritten: the last version stays
    in the history. A significant change asks for a review (in Scotland, within the days the setting chose)."""
    _visible(actor, child)
    if child.setting.kind not in PLAN_KINDS:
        raise Http404("No such child")
    policies.care_plan_require_edit(actor, child.setting_id)
    clean, errors = _clean_sections(sections)
    summary = (summary or "").strip()
    if len(summary) > SUMMARY_MAX:
        errors["summary"] = f"Keep it to {SUMMARY_MAX} characters or fewer."
    if not errors and not any(clean.values()):
        errors[SECTION_NAMES[0]] = "Write at least one part of the plan."
    if errors:
        raise FieldErrors(errors)
    day = as_of or clock.today(child.setting.time_zone)
    plan = _locked_plan(child)
    if plan is None:
        plan = CarePlan.objects.create(organisation_id=child.organisation_id, child=child, family_id=child.family_id,
                                       setting_id=child.setting_id, created_at=clock.now())
    elif plan.current is not None and all(getattr(plan.current, n) == clean[n] for n in SECTION_NAMES):
        raise RuleViolation("Nothing changed: the plan is the same as the current version.", rule="unchanged")
    version = _new_version(plan, clean, actor=actor, summary=summary, significant_change=significant_change,
                           review=None, day=day)
    if significant_change and (plan.significant_change_on is None or plan.significant_change_on > day):
        plan.significant_change_on = day
    plan.save()
    audit_record(organisation_id=plan.organisation_id, actor=actor.user, event_type="care_plan.saved", obj=version,
                 summary=f"Version {version.number} of {child}'s personal care plan saved",
                 data={"significant_change": significant_change})
    return version


def _staff_of_setting(staff: StaffMember | None, child: Child) -> bool:
    return staff is not None and setting_staff(child.setting).filter(pk=staff.pk).exists()


@transaction.atomic
def care_plan_review_record(
    *, actor: Actor, child: Child, reviewed_on: dt.date, child_chose: str, chosen_staff: StaffMember | None = None,
    done_by: StaffMember | None = None, notes: str = "", sections: dict | None = None, summary: str = "",
    as_of: dt.date | None = None,
) -> CarePlanReview:
    """Record a review of the child's plan (CC-K3), done by any staff member of the setting, with whom the child
    chose (CC-C1). With `sections` that differ from the current version, the plan changed: a new version is saved
    with the review. Requests for a review made by the review's day are answered by it."""
    _visible(actor, child)
    policies.care_plan_require_review(actor, child.setting_id)
    today = as_of or clock.today(child.setting.time_zone)
    done_by = done_by or actor.staff
    notes = (notes or "").strip()
    plan = _locked_plan(child)
    if plan is None or plan.current is None:
        raise RuleViolation("Write the plan first: a review looks at the current plan.", rule="no_plan")
    errors: dict[str, str] = {}
    first_day = plan.versions.order_by("number").values_list("saved_on", flat=True).first()
    if reviewed_on > today:
        errors["reviewed_on"] = "The review's date cannot be in the future: record it on the day or after."
    elif first_day is not None and reviewed_on < first_day:
        errors["reviewed_on"] = f"The plan was written on {first_day:%-d/%-m/%Y}: a review cannot be dated before it."
    if not _staff_of_setting(done_by, child):
        errors["done_by"] = f"Choose a staff member of {child.setting.name}."
    if child_chose not in ChildChose.values:
        errors["child_chose"] = "Say whom the child chose, or that it was not recorded."
    elif child_chose == ChildChose.STAFF:
        if chosen_staff is None:
            errors["chosen_staff"] = "Choose the staff member the child chose."
        elif not _staff_of_setting(chosen_staff, child):
            errors["chosen_staff"] = f"The child chooses a staff member of {child.setting.name}."
    else:
        chosen_staff = None
    if len(notes) > NOTE_MAX:
        errors["notes"] = f"Keep it to {NOTE_MAX} characters or fewer."
    clean: dict[str, str] | None = None
    if sections is not None:
        clean, more = _clean_sections(sections)
        errors.update(more)
    if errors:
        raise FieldErrors(errors)
    changed = clean is not None and any(getattr(plan.current, n) != clean[n] for n in SECTION_NAMES)
    review = CarePlanReview.objects.create(
        organisation_id=plan.organisation_id, plan=plan, child=child, family_id=child.family_id,
        setting_id=child.setting_id, reviewed_on=reviewed_on, done_by=done_by, child_chose=child_chose,
        chosen_staff=chosen_staff, notes=notes, plan_changed=changed, recorded_at=clock.now(), recorded_by=actor.staff,
    )
    if changed:
        version = _new_version(plan, clean, actor=actor, summary=(summary or "").strip()[:SUMMARY_MAX] or "Changed at a review",
                               significant_change=False, review=review, day=reviewed_on)
        review.version = version
        review.save(update_fields=["version"])
    if plan.last_reviewed_on is None or reviewed_on > plan.last_reviewed_on:
        plan.last_reviewed_on = reviewed_on
    if plan.significant_change_on is not None and reviewed_on >= plan.significant_change_on:
        plan.significant_change_on = None
    CarePlanComment.objects.filter(plan=plan, asks_review=True, answered_by__isnull=True,
                                   made_on__lte=reviewed_on).update(answered_by=review)
    plan.review_requested_on = (CarePlanComment.objects.filter(plan=plan, asks_review=True, answered_by__isnull=True)
                                .order_by("made_on").values_list("made_on", flat=True).first())
    plan.save()
    audit_record(organisation_id=plan.organisation_id, actor=actor.user, event_type="care_plan.reviewed", obj=review,
                 summary=f"{child}'s personal care plan reviewed on {reviewed_on:%-d/%-m/%Y}",
                 data={"child_chose": child_chose, "chosen_staff": chosen_staff.pk if chosen_staff else None,
                       "plan_changed": changed})
    obligations_refresh(organisation_id=plan.organisation_id, family_ids={child.family_id}, as_of=today, actor=actor)
    return review


def _carer_may(link: Carer, child: Child) -> None:
    """The carer's link opens the care plan for this child's family; else 404."""
    if link.family_id != child.family_id or CARE_PLAN not in sections_for(link) or child.setting.kind not in PLAN_KINDS:
        raise Http404("No such child")


@transaction.atomic
def care_plan_comment_add(*, link: Carer, child: Child, body: str, asks_review: bool = False) -> CarePlanComment:
    """A carer's comment on the current plan. Asking for a review sets it due within the days the setting chose
    (CarePlanSetup.request_days) and tells the
    child's key person (it shows on their My week)."""
    _carer_may(link, child)
    plan = _locked_plan(child)
    if plan is None or plan.current is None:
        raise Http404("No care plan yet")
    body = (body or "").strip()
    if len(body) < 2:
        raise RuleViolation("Write your comment.", rule="required", field="body")
    if len(body) > COMMENT_MAX:
        raise RuleViolation(f"Keep it to {COMMENT_MAX} characters or fewer.", rule="too_long", field="body")
    day = clock.today(child.setting.time_zone)
    comment = CarePlanComment.objects.create(
        organisation_id=plan.organisation_id, plan=plan, child=child, family_id=child.family_id, carer=link,
        author_name=link.full_name, body=body, asks_review=asks_review, version_number=plan.current.number,
        created_at=clock.now(), made_on=day,
    )
    if asks_review and (plan.review_requested_on is None or day < plan.review_requested_on):
        plan.review_requested_on = day
        plan.save(update_fields=["review_requested_on"])
    audit_record(organisation_id=plan.organisation_id, actor=link.user, event_type="care_plan.commented", obj=comment,
                 summary=f"{link.full_name} commented on {child}'s personal care plan", data={"asks_review": asks_review})
    allocations = current_allocations().filter(family_id=child.family_id, setting_id=child.setting_id).select_related("staff__user")
    for a in allocations:
        notification_send(
            recipient=a.staff.user, organisation_id=plan.organisation_id, kind="care_plan_comment",
            subject=(f"Care plan review asked for: {child.display_name}" if asks_review
                     else f"Comment on {child.display_name}'s care plan"),
            body=f"{link.full_name} wrote: “{body[:300]}”" + (" They ask for a review of the plan." if asks_review else ""),
            link=reverse("care:plan", args=[child.pk]), dedupe_key=f"care-plan-comment:{comment.pk}", now=comment.created_at,
        )
    return comment




DAYS_PROBLEM = (f"Enter a whole number of days from {REVIEW_DAYS_MIN} to {REVIEW_DAYS_MAX}, "
                f"for example {DEFAULT_REQUEST_DAYS}.")


def _days(value) -> int | None:
    """A number of days from REVIEW_DAYS_MIN to REVIEW_DAYS_MAX, or None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return days if REVIEW_DAYS_MIN <= days <= REVIEW_DAYS_MAX else None


@transaction.atomic
def care_plan_setup_save(*, actor: Actor, setting: Setting, request_days: int | str,
                         change_days: int | str | None = None) -> CarePlanSetup:
    """The review numbers the setting chooses (those who set it up: as for its checklists): a family's request for a
    review is met within `request_days`; a significant change is reviewed within `change_days` (Scotland only: None
    keeps the number chosen before). Each from REVIEW_DAYS_MIN to REVIEW_DAYS_MAX days."""
    if not actor.is_member or setting.organisation_id != actor.organisation_id or setting.kind not in PLAN_KINDS:
        raise Http404("No such setting")
    policies.checklists_require_set_up(actor, setting.pk)
    row = CarePlanSetup.objects.select_for_update().filter(setting=setting).first()
    before = (row.request_days, row.change_days) if row else (DEFAULT_REQUEST_DAYS, DEFAULT_CHANGE_DAYS)
    errors: dict[str, str] = {}
    request = _days(request_days)
    if request is None:
        errors["request_days"] = DAYS_PROBLEM
    change = before[1] if change_days is None else _days(change_days)
    if change is None:
        errors["change_days"] = DAYS_PROBLEM
    if errors:
        raise FieldErrors(errors)
    if row is None:
        row = CarePlanSetup(organisation_id=setting.organisation_id, setting=setting)
    row.request_days, row.change_days = request, change
    row.updated_by, row.updated_at = actor.staff, clock.now()
    row.save()
    scotland = setting.jurisdiction == Jurisdiction.SCOTLAND
    audit_record(organisation_id=setting.organisation_id, actor=actor.user, event_type="care_plan.setup", obj=row,
                 summary=f"Care plan reviews at {setting.name}: within {request} days of a family's request"
                 + (f", within {change} days of a significant change" if scotland else ""),
                 data={"request_days": [before[0], request], "change_days": [before[1], change]})
    return row
