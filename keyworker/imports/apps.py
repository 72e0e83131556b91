from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "keyworker.imports"
    label = "imports"

    def ready(self) -> None:
        from . import retention

        retention.register()  # how long its records are kept
        from keyworker.core.periodic import register_periodic

        from . import services

        # Uploaded files are removed once their import ends; the worker removes those kept longer or left unimported.
        register_periodic("imports.uploaded_files", services.import_files_clean_periodic)
        # An import whose run stopped with the database is queued again (the run is all-or-nothing).
        register_periodic("imports.resume", services.imports_resume_periodic)
        # A run whose worker dies every time is given up after KEYWORKER_TASKS_MAX_ATTEMPTS: the import fails.
        from keyworker.core.tasks import register_task_given_up

        from .tasks import import_file, import_given_up

        register_task_given_up(import_file, import_given_up)
        # The nightly MIS sync: a saved mapping's export, imported when its file changes.
        from . import sync

        register_periodic("imports.sync", sync.sync_from_drop_paths)

        from keyworker.core.api.routes import ApiRoutes, register_api_routes

        from . import ctf_api

        register_api_routes(ApiRoutes("imports_ctf", ctf_api.register, ctf_api.urlpatterns))
