"""The My week panel for a key person in childcare: their children's personal care plans whose review is overdue
or due within two weeks, and the reviews families asked for (CC-K3)."""

import datetime as dt
from dataclasses import dataclass

from keyworker.accounts.access import Actor
from keyworker.core.extensions import WeekPanel, register_week_panel

from .models_plans import PLAN_KINDS
from .plans_selectors import ChildPlan, my_plans

DUE_SOON_DAYS = 14


@dataclass
class CarePlanPanel:
    rows: list[ChildPlan]

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.due.overdue)


def build(actor: Actor, as_of: dt.date) -> CarePlanPanel | None:
    """None when none of the key person's children has a review due soon: a fixed number of queries (one for the
    children, one for their plans, three per setting for its calendar)."""
    rows = [r for r in my_plans(actor, as_of) if r.plan is None or r.due.due_within(DUE_SOON_DAYS)
            or r.plan.review_requested_on is not None]
    if not rows:
        return None
    rows.sort(key=lambda r: (r.due.on or dt.date.max, r.child.legal_last_name))
    return CarePlanPanel(rows)


def register() -> None:
    register_week_panel(WeekPanel("care_plans", 34, "care/plans_week_panel.html", build, PLAN_KINDS))
