from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "keyworker.accounts"
    label = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from keyworker.core.api.access import register_actor_resolver

        from .api_actor import api_actor
        from .mfa import remember_devices_at_sign_in

        # Whether the person has a second factor is looked up once, at sign-in, not on every page after it.
        user_logged_in.connect(remember_devices_at_sign_in, dispatch_uid="keyworker.mfa.remember_devices")
        # Core's API contracts learn from this app who the acting user of a request is.
        register_actor_resolver(api_actor)
