"""The enrolment app: the family's enrolment form, filled in by a carer in the portal and accepted by staff (CC-P1)."""

from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "keyworker.enrolment"
    label = "enrolment"
    verbose_name = "Enrolment"

    def ready(self) -> None:
        from keyworker.core.api.routes import ApiRoutes, register_api_routes

        from . import api, evidence, home, panels

        evidence.register()
        home.register()
        panels.register()
        register_api_routes(ApiRoutes("enrolment", api.register, api.urlpatterns))
