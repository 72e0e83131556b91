"""The data checks app: each half term, each child's data confirmed by a carer and the admin office (SCH-2)."""

from django.apps import AppConfig


class DatachecksConfig(AppConfig):
    name = "keyworker.datachecks"
    label = "datachecks"
    verbose_name = "Data checks"

    def ready(self) -> None:
        from . import retention

        retention.register()  # how long its records are kept
        from keyworker.core.api.routes import ApiRoutes, register_api_routes

        from . import api, evidence, home, panels, timeline

        evidence.register()
        home.register()
        panels.register()
        timeline.register()
        # Its API resources, added to /api/v1/ when the API root builds its routes.
        register_api_routes(ApiRoutes("datachecks", api.register, api.urlpatterns))
