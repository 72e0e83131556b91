"""The personal care plan as a source for the manager's monitoring (CC-M3): where each child's plan stands."""

import datetime as dt

from django.urls import reverse

from keyworker.organisations.calendar import TermCalendar
from keyworker.organisations.models import Setting
from keyworker.people.models import Child

from .models_plans import PLAN_KINDS, CarePlan
from .monitoring_sources import MonitoredRecord, MonitoringSource, register_monitoring_source
from .plans_selectors import due_for, on_roll, review_days


def _reason(plan: CarePlan | None, due, as_of: dt.date) -> str:
    if plan is None or plan.current is None:
        return "No care plan yet" + (f": due by {due.on:%-d/%-m/%Y}" if due.on else "")
    if due.on is None:
        return "Reviewed; no review date in the term calendar yet"
    if due.overdue:
        days = (as_of - due.on).days
        return f"Review overdue by {days} day{'s' if days != 1 else ''}: {due.rule_label}"
    return f"Review due by {due.on:%-d/%-m/%Y}: {due.rule_label}"


def records(setting: Setting, as_of: dt.date) -> dict[int, MonitoredRecord]:
    """Each child on roll of the setting: six queries whatever the number of children (children, plans with their
    current version, the setting's review numbers and its term calendar)."""
    children = list(on_roll(Child.objects.filter(setting=setting), as_of).order_by("id"))
    plans = {p.child_id: p for p in CarePlan.objects.filter(setting=setting).select_related("current")}
    days = review_days(setting_ids=[setting.pk])[setting.pk]
    cal = TermCalendar.for_setting(setting)
    out = {}
    for child in children:
        child.setting = setting
        plan = plans.get(child.pk)
        due = due_for(child, plan, cal, days, as_of)
        has_plan = plan is not None and plan.current is not None
        out[child.pk] = MonitoredRecord(
            child_id=child.pk, kind="care_plan", last_updated=plan.current.saved_on if has_plan else None,
            last_reviewed=plan.last_reviewed_on if plan else None, next_due=due.on,
            up_to_date=has_plan and not due.overdue, reason=_reason(plan, due, as_of),
            url=reverse("care:plan", args=[child.pk]),
        )
    return out


def register() -> None:
    register_monitoring_source(MonitoringSource(kind="care_plan", label="Personal care plan",
                                                setting_kinds=tuple(sorted(PLAN_KINDS)), records=records))
