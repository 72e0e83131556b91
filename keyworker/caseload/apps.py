from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "keyworker.caseload"
    label = "caseload"

    def ready(self) -> None:
        from keyworker.core.api.routes import ApiRoutes, register_api_routes
        from keyworker.people.scope import register_family_scope
        from keyworker.standards.responsibility import register_key_workers

        from . import api, evidence, selectors
        from .models import KeyWorkerAllocation

        evidence.register()
        # Which families a member of staff sees: their caseload, their settings, their classes.
        register_family_scope(selectors.family_scope)
        # Who is responsible for each family, for the standards engine and its figures.
        register_key_workers(KeyWorkerAllocation.objects.all)
        # Proposing and applying a key worker for every family without one, added to /api/v1/.
        register_api_routes(ApiRoutes("caseload", api.register, api.urlpatterns))
