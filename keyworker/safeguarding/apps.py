"""The safeguarding app: restricted concerns, chronologies, referrals, child-protection status and file transfer."""

from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "keyworker.safeguarding"
    label = "safeguarding"
    verbose_name = "Safeguarding"

    def ready(self) -> None:
        from keyworker.standards.periodic import register_periodic

        from . import services, timeline

        timeline.register()
        # Each overdue action's assignee is told once, from the worker's cycle.
        register_periodic("safeguarding.overdue_actions", services.overdue_actions_notify)
