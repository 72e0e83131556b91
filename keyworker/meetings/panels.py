"""The My week panel: my appointments in the coming seven days, and those just past whose attendance is not recorded."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from keyworker.accounts.access import Actor
from keyworker.core import clock
from keyworker.core.extensions import WeekPanel, register_week_panel

from .models import Appointment, AppointmentStatus, Invitee
from .selectors import with_details

AHEAD = dt.timedelta(days=7)
BEHIND = dt.timedelta(days=14)
FIRST_FEW = 6


@dataclass
class MeetingsPanel:
    coming: list[Appointment]
    to_record: list[Appointment]


def build(actor: Actor, as_of: dt.date) -> MeetingsPanel | None:
    """None when the actor has nothing coming and nothing to record (two queries)."""
    if not actor.is_member:
        return None
    start = clock.start_of_day(as_of)
    now = max(start, min(clock.now(), start + dt.timedelta(days=1)))
    invited = Invitee.objects.filter(organisation_id=actor.organisation_id, staff_id=actor.staff.pk).values("appointment_id")
    # Those the actor organised or is invited to are always in their scope (appointments_visible_to): no need to
    # join the families they see.
    mine = Appointment.objects.filter(Q(pk__in=invited) | Q(created_by_id=actor.user.pk),
                                      organisation_id=actor.organisation_id, status=AppointmentStatus.SCHEDULED)
    rows = list(with_details(mine.filter(starts_at__gte=now - BEHIND, starts_at__lt=start + AHEAD)).order_by("starts_at", "id"))
    coming = [a for a in rows if a.ends_at >= now][:FIRST_FEW]
    to_record = [a for a in rows if a.ends_at < now][:FIRST_FEW]
    if not coming and not to_record:
        return None
    return MeetingsPanel(coming, to_record)


def register() -> None:
    register_week_panel(WeekPanel("meetings", 35, "meetings/_week_panel.html", build))
