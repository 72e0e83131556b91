from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "keyworker.caseload"
    label = "caseload"

    def ready(self) -> None:
        from . import evidence

        evidence.register()
