from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The carers' pages: phone first, no JavaScript, every read through keyworker.people.carer_access."""

    name = "keyworker.portal"
    label = "portal"
    verbose_name = "Carers' portal"

    def ready(self) -> None:
        from keyworker.core.api.routes import ApiRoutes, register_api_routes
        from keyworker.people.hooks import register_carer_email_changed

        from . import api, services

        # Its API resources (staff: invitations), added to /api/v1/ when the API root builds its routes.
        register_api_routes(ApiRoutes("portal", api.register, api.urlpatterns))
        # A carer's portal account follows their address on record, whichever way it changes.
        register_carer_email_changed(
            "portal", lambda changes, actor: services.carer_accounts_follow_email(changes=changes, actor=actor))
