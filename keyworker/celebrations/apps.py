"""The celebrations app: Well Done postcards, Star of the week, DoJo points, milestones; positivity (SCH-1)."""

from django.apps import AppConfig


class CelebrationsConfig(AppConfig):
    name = "keyworker.celebrations"
    label = "celebrations"
    verbose_name = "Celebrations"

    def ready(self) -> None:
        from . import evidence, panel, timeline

        evidence.register()
        timeline.register()
        panel.register()
