from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "keyworker.dashboard"
    label = "dashboard"

    def ready(self) -> None:
        from . import timeline_sources

        timeline_sources.register()
