"""The My week panel in childcare settings: enrolment forms sent by families and waiting for review, and how many
children's enrolment is still incomplete (CC-P1)."""

import datetime as dt
from dataclasses import dataclass

from keyworker.accounts.access import Actor
from keyworker.core.extensions import CHILDCARE_KINDS, WeekPanel, register_week_panel

from .selectors import ChildEnrolment, enrolments

FIRST_FEW = 5


@dataclass
class EnrolmentPanel:
    to_review: list[ChildEnrolment]
    incomplete: int

    @property
    def first_few(self) -> list[ChildEnrolment]:
        return self.to_review[:FIRST_FEW]

    @property
    def more(self) -> int:
        return max(0, len(self.to_review) - FIRST_FEW)


def build(actor: Actor, as_of: dt.date) -> EnrolmentPanel | None:
    """None when none of the actor's childcare children has an enrolment to finish: two queries."""
    rows = enrolments(actor, as_of, "incomplete")
    if not rows:
        return None
    return EnrolmentPanel([r for r in rows if r.to_review], len(rows))


def register() -> None:
    register_week_panel(WeekPanel("enrolment", 32, "enrolment/_week_panel.html", build, CHILDCARE_KINDS | {"youth"}))
