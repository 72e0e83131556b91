"""The wellbeing app: families who are struggling (SCH-9), the agency directory, signposting and referrals."""

from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    name = "keyworker.wellbeing"
    label = "wellbeing"
    verbose_name = "Family wellbeing"

    def ready(self) -> None:
        from . import retention

        retention.register()  # how long its records are kept
        from keyworker.core.api.routes import ApiRoutes, register_api_routes

        from . import api, evidence, panel, timeline

        evidence.register()
        timeline.register()
        panel.register()
        # Its API resources, added to /api/v1/ when the API root builds its routes.
        register_api_routes(ApiRoutes("wellbeing", api.register, api.urlpatterns))
