"""The contacts app: contact logs, the key worker's record of each contact with a family (SCH-4, CC-K7)."""

from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "keyworker.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from . import retention

        retention.register()  # how long its records are kept
        from keyworker.core.api.routes import ApiRoutes, register_api_routes

        from . import api, evidence, message_reads, timeline

        evidence.register()
        message_reads.register()
        timeline.register()
        # Its API resources, added to /api/v1/ when the API root builds its routes.
        register_api_routes(ApiRoutes("contacts", api.register, api.urlpatterns))
