"""The My week panel "Changes to acknowledge": how many briefings wait for me, and the oldest few."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Window

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
    """Two queries whatever the number of briefings: the oldest few with how many wait in all, their change rows."""
    if not actor.is_member:
        return None
    # The count rides on the oldest rows (a window over every waiting row, counted before the limit).
    oldest = list(with_details(pending(my_briefings(actor))).annotate(waiting=Window(Count("id")))[:OLDEST_SHOWN])
    if not oldest:
        return None
    return ChangesToAcknowledge(oldest[0].waiting, oldest)


def register() -> None:
    register_week_panel(WeekPanel("briefings", 10, "briefings/_week_panel.html", changes_to_acknowledge))
