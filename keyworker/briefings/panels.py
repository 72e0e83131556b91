"""The My week panel "Changes to acknowledge": how many briefings wait for me, and the oldest few."""

import datetime as dt
from dataclasses import dataclass

from keyworker.accounts.access import Actor
from keyworker.core.extensions import WeekPanel, register_week_panel

from .models import BriefingRecipient
from .selectors import my_briefings, pending, with_details

OLDEST_SHOWN = 3


@dataclass
class ChangesToAcknowledge:
    count: int
    oldest: list[BriefingRecipient]


def changes_to_acknowledge(actor: Actor, as_of: dt.date) -> ChangesToAcknowledge | None:
    """Three queries whatever the number of briefings: the count, the oldest few, their change rows."""
    if not actor.is_member:
        return None
    waiting = pending(my_briefings(actor))
    count = waiting.count()
    if not count:
        return None
    return ChangesToAcknowledge(count, list(with_details(waiting)[:OLDEST_SHOWN]))


def register() -> None:
    register_week_panel(WeekPanel("briefings", 10, "briefings/_week_panel.html", changes_to_acknowledge))
