"""The data checks app: each half term, each child's data confirmed by a carer and the admin office (SCH-2)."""

from django.apps import AppConfig


class DatachecksConfig(AppConfig):
    name = "keyworker.datachecks"
    label = "datachecks"
    verbose_name = "Data checks"

    def ready(self) -> None:
        from . import evidence, panels, timeline

        evidence.register()
        panels.register()
        timeline.register()
