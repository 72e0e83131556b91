from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "keyworker.accounts"
    label = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from keyworker.core.api.access import register_actor_resolver
        from keyworker.organisations.hooks import (
            SetupLink,
            register_organisation_created,
            register_setup_link,
        )

        from .api_actor import api_actor
        from .installation_services import is_installation_admin
        from .mfa import remember_devices_at_sign_in
        from .policies import can_search_audit
        from .services import roles_create_defaults

        # Whether the person has a second factor is looked up once, at sign-in, not on every page after it.
        user_logged_in.connect(remember_devices_at_sign_in, dispatch_uid="keyworker.mfa.remember_devices")
        # Core's API contracts learn from this app who the acting user of a request is.
        register_actor_resolver(api_actor)
        # A new organisation starts with the default roles of its kind.
        register_organisation_created("accounts.default_roles", lambda organisation: roles_create_defaults(organisation=organisation))
        # The Setup page links to the audit log for those who may search it.
        register_setup_link(SetupLink("audit", 10, "Audit log: who did what, and when", "audit:search", can_search_audit))
        # The installation's administrator finds every organisation, and adds one, from the Setup page.
        register_setup_link(SetupLink("installation", 20, "Organisations of this installation", "installation:organisations",
                                      lambda actor: is_installation_admin(actor.user)))
