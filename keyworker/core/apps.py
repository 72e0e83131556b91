from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "keyworker.core"
    label = "core"

    def ready(self) -> None:
        from .logs import connect_task_signals

        connect_task_signals()  # background tasks log with their task's id
        from .export_jobs import export_build, export_given_up, exports_remove_expired
        from .periodic import register_periodic
        from .tasks import register_task_given_up

        # Prepared downloads are removed after KEYWORKER_EXPORT_KEEP_HOURS; one whose worker dies each time fails.
        register_periodic("core.exports_remove_expired", exports_remove_expired)
        register_task_given_up(export_build, export_given_up)
