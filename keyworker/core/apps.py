from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "keyworker.core"
    label = "core"

    def ready(self) -> None:
        from .logs import connect_task_signals

        connect_task_signals()  # background tasks log with their task's id
