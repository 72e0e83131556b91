"""The safeguarding app: restricted concerns, chronologies, referrals, child-protection status and file transfer."""

from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "keyworker.safeguarding"
    label = "safeguarding"
    verbose_name = "Safeguarding"

    def ready(self) -> None:
        from . import timeline

        timeline.register()
