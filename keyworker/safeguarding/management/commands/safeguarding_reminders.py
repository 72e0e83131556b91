"""`keyworker safeguarding_reminders`: tell each assignee of an overdue safeguarding action (once per action).

Run it daily (cron, or from the background worker): the notifications go out with the worker's next e-mail run.
"""

from django.core.management.base import BaseCommand

from keyworker.core import clock
from keyworker.organisations.models import Organisation, Setting
from keyworker.safeguarding.services import overdue_actions_notify


class Command(BaseCommand):
    help = "Notify the assignees of overdue safeguarding actions."

    def handle(self, *args, **options) -> None:
        told = 0
        for org_id in Organisation.objects.order_by("id").values_list("id", flat=True):
            tz = Setting.objects.filter(organisation_id=org_id).order_by("id").values_list("time_zone", flat=True).first()
            told += overdue_actions_notify(organisation_id=org_id, as_of=clock.today(tz or "Europe/London"), now=clock.now())
        self.stdout.write(f"Overdue safeguarding actions notified: {told}")
