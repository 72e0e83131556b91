from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "keyworker.api"
    label = "api"
