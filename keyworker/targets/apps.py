"""The targets app: My Learning Targets and homework (SCH-8), set by the class team and shared with the family."""

from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "keyworker.targets"
    label = "targets"
    verbose_name = "Learning targets and homework"

    def ready(self) -> None:
        from . import retention

        retention.register()  # how long its records are kept
        from keyworker.core.api.routes import ApiRoutes, register_api_routes

        from . import api, booklet, evidence, home, panels, timeline

        evidence.register()
        home.register()
        panels.register()
        booklet.register()
        timeline.register()
        register_api_routes(ApiRoutes("targets", api.register, api.urlpatterns))
