from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "keyworker.dashboard"
    label = "dashboard"
