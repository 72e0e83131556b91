from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "keyworker.standards"
    label = "standards"

    def ready(self) -> None:
        from . import builtin_sources

        builtin_sources.register()
