"""The care app: the childcare group's records of each child (care plans, journals, chat sessions, checklists,
introductions) and the manager's monitoring of them. Each part registers its evidence, panels, API routes and
monitoring sources when the app starts."""

from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "keyworker.care"
    label = "care"
    verbose_name = "Care and learning records"

    def ready(self) -> None:
        # Learning journals (CC-K4)
        from keyworker.core.api.routes import ApiRoutes, register_api_routes

        from . import journals_api, journals_evidence

        journals_evidence.register()
        register_api_routes(ApiRoutes("care.journals", journals_api.register, journals_api.urlpatterns))
