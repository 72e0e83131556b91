from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "keyworker.imports"
    label = "imports"
