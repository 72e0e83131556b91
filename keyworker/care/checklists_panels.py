"""My week in childcare settings: the new children whose enrolment checklist or first-week induction is missing
something (CC-K1, CC-K5), and, for whoever introduces themselves to new families, the families waiting (CC-M1)."""

import datetime as dt
from dataclasses import dataclass

from keyworker.accounts.access import Actor
from keyworker.core.extensions import CHILDCARE_KINDS, WeekPanel, register_week_panel

from .checklists_selectors import NewChild, new_children
from .introductions_selectors import NewFamily, new_families

FIRST_FEW = 5


@dataclass
class ChecklistsPanel:
    rows: list[NewChild]

    @property
    def first_few(self) -> list[NewChild]:
        return self.rows[:FIRST_FEW]

    @property
    def more(self) -> int:
        return max(0, len(self.rows) - FIRST_FEW)


@dataclass
class IntroductionsPanel:
    rows: list[NewFamily]

    @property
    def first_few(self) -> list[NewFamily]:
        return self.rows[:FIRST_FEW]

    @property
    def more(self) -> int:
        return max(0, len(self.rows) - FIRST_FEW)


def build_checklists(actor: Actor, as_of: dt.date) -> ChecklistsPanel | None:
    """None when every new child's checklists are complete: eight queries."""
    rows = new_children(actor, as_of, incomplete_only=True)
    return ChecklistsPanel(rows) if rows else None


def build_introductions(actor: Actor, as_of: dt.date) -> IntroductionsPanel | None:
    """Only for whoever the setting names to introduce themselves; None when no family is waiting: four queries."""
    rows = new_families(actor, as_of, waiting_only=True, introducer_only=True)
    return IntroductionsPanel(rows) if rows else None


def register() -> None:
    kinds = CHILDCARE_KINDS | {"youth"}
    register_week_panel(WeekPanel("checklists", 33, "care/checklists_week_panel.html", build_checklists, kinds))
    register_week_panel(WeekPanel("introductions", 34, "care/introductions_week_panel.html", build_introductions, kinds))
