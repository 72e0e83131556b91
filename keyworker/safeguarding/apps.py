"""The safeguarding app: restricted concerns, chronologies, referrals, child-protection status and file transfer."""

from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "keyworker.safeguarding"
    label = "safeguarding"
    verbose_name = "Safeguarding"

    def ready(self) -> None:
        from keyworker.caseload.rules import register_protection_source
        from keyworker.core.api.routes import ApiRoutes, register_api_routes
        from keyworker.core.periodic import register_periodic

        from . import api, selectors, services, timeline

        timeline.register()
        from . import retention

        retention.register()  # how long child-protection files are kept
        # Each overdue action's assignee is told once, from the worker's cycle.
        register_periodic("safeguarding.overdue_actions", services.overdue_actions_notify)
        # SCH-A2: while a family has an open concern, only a teacher may be its key worker.
        register_protection_source("safeguarding.open_concern", selectors.families_with_open_concerns)
        # Its API resources, added to /api/v1/ when the API root builds its routes.
        register_api_routes(ApiRoutes("safeguarding", api.register, api.urlpatterns))
