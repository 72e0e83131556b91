from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "keyworker.standards"
    label = "standards"
