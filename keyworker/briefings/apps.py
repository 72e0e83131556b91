"""The briefings app: changes to a child's key aspects announced to the key worker and class team, acknowledged (SCH-3)."""

from django.apps import AppConfig


class BriefingsConfig(AppConfig):
    name = "keyworker.briefings"
    label = "briefings"
    verbose_name = "Key aspects briefings"

    def ready(self) -> None:
        from keyworker.core.api.routes import ApiRoutes, register_api_routes
        from keyworker.people.hooks import register_key_aspects_changed

        from . import api, evidence, panels, services, timeline

        evidence.register()
        panels.register()
        timeline.register()
        register_key_aspects_changed("briefings", services.on_key_aspects_changed,
                                     many=services.on_many_key_aspects_changed)
        # Its API resources, added to /api/v1/ when the API root builds its routes.
        register_api_routes(ApiRoutes("briefings", api.register, api.urlpatterns))
