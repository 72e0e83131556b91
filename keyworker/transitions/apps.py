"""The transitions app: Year 6 transition plans, visits to the next school, and the family kept informed (SCH-10)."""

from django.apps import AppConfig


class TransitionsConfig(AppConfig):
    name = "keyworker.transitions"
    label = "transitions"
    verbose_name = "Transitions"

    def ready(self) -> None:
        from . import retention

        retention.register()  # how long its records are kept
        from keyworker.core.api.routes import ApiRoutes, register_api_routes

        from . import api, calendar, evidence, home, panels

        evidence.register()
        calendar.register()
        home.register()
        panels.register()
        register_api_routes(ApiRoutes("transitions", api.register, api.urlpatterns))
