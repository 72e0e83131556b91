"""The care app: the childcare group's records of each child (care plans, journals, chat sessions, checklists,
introductions) and the manager's monitoring of them. Each part registers its evidence, panels, API routes and
monitoring sources when the app starts."""

from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "keyworker.care"
    label = "care"
    verbose_name = "Care and learning records"

    def ready(self) -> None:
        from . import retention

        retention.register()  # how long its records are kept
        from keyworker.core.api.routes import ApiRoutes, register_api_routes

        from . import monitoring_api, monitoring_evidence, monitoring_panels

        monitoring_evidence.register()
        monitoring_panels.register()
        register_api_routes(ApiRoutes("care_monitoring", monitoring_api.register, monitoring_api.urlpatterns))
        # Personal care plans
        from . import plans_api, plans_evidence, plans_monitoring, plans_panels

        plans_evidence.register()
        plans_panels.register()
        plans_monitoring.register()
        register_api_routes(ApiRoutes("care_plans", plans_api.register, plans_api.urlpatterns))
        # Learning journals (CC-K4)
        from . import journals_api, journals_evidence

        journals_evidence.register()
        register_api_routes(ApiRoutes("care.journals", journals_api.register, journals_api.urlpatterns))
        # Checklists (CC-K1, CC-K5), introductions (CC-M1), chat sessions (CC-K6)
        from . import (
            chats_evidence,
            checklists_api,
            checklists_evidence,
            checklists_panels,
            introductions_evidence,
        )

        checklists_evidence.register()
        introductions_evidence.register()
        chats_evidence.register()
        checklists_panels.register()
        register_api_routes(ApiRoutes("care_checklists", checklists_api.register, checklists_api.urlpatterns))
