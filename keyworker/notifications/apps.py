from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "keyworker.notifications"
    label = "notifications"
