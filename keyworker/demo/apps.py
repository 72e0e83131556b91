from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "keyworker.demo"
    label = "demo"
