from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "keyworker.notifications"
    label = "notifications"

    def ready(self) -> None:
        from keyworker.core import clock
        from keyworker.core.health import register_heartbeat

        from .selectors import worker_heartbeat

        # /health/ reports when a background worker last finished a piece of work.
        register_heartbeat("worker", lambda: worker_heartbeat(clock.now()))
