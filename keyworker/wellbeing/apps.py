"""The wellbeing app: families who are struggling (SCH-9), the agency directory, signposting and referrals."""

from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    name = "keyworker.wellbeing"
    label = "wellbeing"
    verbose_name = "Family wellbeing"

    def ready(self) -> None:
        from . import evidence, panel, timeline

        evidence.register()
        timeline.register()
        panel.register()
