"""The My week panel: reminders the key worker gives themselves (by phone, in person, by letter) before appointments."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from keyworker.accounts.policies import is_leader, led_setting_ids
from keyworker.core.clock import start_of_day
from keyworker.core.extensions import WeekPanel, register_week_panel

from .models_reminders import AppointmentReminder, ReminderState
from .reminders import task_label

SHOWN = 20


# Beside a task that falls to the setting's leaders.
NOBODYS = "The family has no key worker here: a leader of the setting gives this reminder."


@dataclass
class Task:
    reminder: AppointmentReminder
    label: str
    note: str = ""


@dataclass
class RemindersPanel:
    tasks: list[Task]
    total: int

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.tasks))


def build(actor, as_of: dt.date) -> RemindersPanel | None:
    """The actor's reminders still to give for appointments from as_of on, soonest first, in two queries; None when
    there are none: their own (as the family's key worker, or as the one who made the appointment of a family with
    none), and, for a leader, those of their settings that are nobody's. (One whose appointment has passed is no
    longer a reminder: SCH-6 shows it as missed.)"""
    if not actor.is_member:
        return None
    whose = Q(key_worker=actor.staff)
    if is_leader(actor):
        leads = led_setting_ids(actor)
        nobodys = Q(key_worker__isnull=True)
        whose |= nobodys if leads is None else nobodys & Q(appointment__setting_id__in=sorted(leads))
    qs = AppointmentReminder.objects.filter(whose, organisation_id=actor.organisation_id, state=ReminderState.TO_DO,
                                            appointment__status="scheduled", appointment__starts_at__gte=start_of_day(as_of))
    rows = list(qs.select_related("appointment__setting", "carer", "family").order_by("appointment__starts_at", "id")[:SHOWN])
    if not rows:
        return None
    total = len(rows) if len(rows) < SHOWN else qs.count()
    return RemindersPanel([Task(r, task_label(r), "" if r.key_worker_id else NOBODYS) for r in rows], total)


def register() -> None:
    register_week_panel(WeekPanel("appointment_reminders", 15, "meetings/reminder_week_panel.html", build))
