from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "keyworker.standards"
    label = "standards"

    def ready(self) -> None:
        from keyworker.core.periodic import register_periodic

        from . import builtin_sources
        from .services import policy_versions_switch

        builtin_sources.register()
        # A version issued for a later date comes into force on the day, from the worker's cycle.
        register_periodic("standards.policy_versions", policy_versions_switch)
