"""The celebrations app: Well Done postcards, Star of the week, Dojo Points, milestones; positivity (SCH-1)."""

from django.apps import AppConfig


class CelebrationsConfig(AppConfig):
    name = "keyworker.celebrations"
    label = "celebrations"
    verbose_name = "Celebrations"

    def ready(self) -> None:
        from . import retention

        retention.register()  # how long its records are kept
        from keyworker.core.api.routes import ApiRoutes, register_api_routes

        from . import api, evidence, panel, portal, timeline

        evidence.register()
        portal.register()  # good news on the carers' portal home
        timeline.register()
        panel.register()
        # Its API resources, added to /api/v1/ when the API root builds its routes.
        register_api_routes(ApiRoutes("celebrations", api.register, api.urlpatterns))
