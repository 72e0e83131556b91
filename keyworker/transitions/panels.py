"""The My week panel in schools: the key worker's leaving pupils with something to do for SCH-10: visit dates not yet
shared with the family, and visits to write up and share."""

import datetime as dt
from dataclasses import dataclass

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.extensions import SCHOOL_KINDS, WeekPanel, register_week_panel

from . import policies
from .selectors import PlanView, key_worker_plans


@dataclass
class TransitionsPanel:
    dates_to_share: list[PlanView]
    to_write_up: list[tuple[PlanView, object]]  # (plan, visit row)
    leads: bool = False  # a leader: the panel links to the Year 6 cohort


def build(actor: Actor, as_of: dt.date) -> TransitionsPanel | None:
    """None when the actor has nothing to do for a transition and leads no school: four queries at most."""
    now = clock.now()
    plans = key_worker_plans(actor, now)
    share = [p for p in plans if p.visits and (not p.dates_shared or p.unshared_visits)
             and any(not r.done for r in p.visits)]
    write = [(p, r) for p in plans for r in p.visits if r.write_up_due]
    leads = policies.leads(actor)
    if not share and not write and not leads:
        return None
    return TransitionsPanel(share, write, leads)


def register() -> None:
    register_week_panel(WeekPanel("transitions", 45, "transitions/_week_panel.html", build, SCHOOL_KINDS))
