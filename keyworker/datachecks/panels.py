"""The My week panel: the key worker's children still needing a carer's confirmation this half term."""

import datetime as dt
from dataclasses import dataclass

from keyworker.accounts.access import Actor
from keyworker.core.extensions import SCHOOL_KINDS, WeekPanel, register_week_panel

from .selectors import ChildCheck, my_children

FIRST_FEW = 5


@dataclass
class DataChecksPanel:
    waiting: list[ChildCheck]
    total: int

    @property
    def count(self) -> int:
        return len(self.waiting)

    @property
    def first_few(self) -> list[ChildCheck]:
        return self.waiting[:FIRST_FEW]

    @property
    def more(self) -> int:
        return max(0, self.count - FIRST_FEW)


def build(actor: Actor, as_of: dt.date) -> DataChecksPanel | None:
    """None for staff who are not key workers, or whose children are in no half term on as_of."""
    if not actor.is_key_worker:
        return None
    rows = [r for r in my_children(actor, as_of) if r.half_term is not None]
    if not rows:
        return None
    return DataChecksPanel([r for r in rows if r.needs_carer], len(rows))


def register() -> None:
    register_week_panel(WeekPanel("datachecks", 30, "datachecks/_week_panel.html", build, SCHOOL_KINDS))
