"""The My week panel in schools: the class team's learning targets due for review this week (or overdue), and
homework past its due day whose returns are not marked yet."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from keyworker.accounts.access import Actor
from keyworker.core.extensions import SCHOOL_KINDS, WeekPanel, register_week_panel

from .models import Homework, LearningTarget
from .selectors import groups_for, targets_due_for_review

FIRST_FEW = 5
MARKING_DAYS = 14  # homework due in the last fortnight


@dataclass
class TargetsPanel:
    due: list[LearningTarget]
    to_mark: list[Homework]

    @property
    def first_few(self) -> list[LearningTarget]:
        return self.due[:FIRST_FEW]

    @property
    def more(self) -> int:
        return max(0, len(self.due) - FIRST_FEW)


def build(actor: Actor, as_of: dt.date) -> TargetsPanel | None:
    """Two queries. None for someone on no class team with nothing due."""
    if not actor.is_member:
        return None
    due = list(targets_due_for_review(actor, as_of))
    to_mark = list(Homework.objects.filter(organisation_id=actor.organisation_id, group_id__in=groups_for(actor).values("id"),
                                           due_on__lt=as_of, due_on__gte=as_of - dt.timedelta(days=MARKING_DAYS))
                   .annotate(n_marked=Count("returns")).filter(n_marked=0).select_related("group").order_by("due_on", "id"))
    if not due and not to_mark and not actor.group_ids:
        return None  # a class team always has the panel: it leads to their classes' targets and homework
    return TargetsPanel(due, to_mark[:FIRST_FEW])


def register() -> None:
    register_week_panel(WeekPanel("targets", 40, "targets/_week_panel.html", build, SCHOOL_KINDS))
