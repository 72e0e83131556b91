from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "keyworker.caseload"
    label = "caseload"
