from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """Appointments with families: reviews, parents' evenings, inductions, introductions, transitions."""

    name = "keyworker.meetings"
    label = "meetings"
    verbose_name = "Meetings and reviews"

    def ready(self) -> None:
        from keyworker.core.api.routes import ApiRoutes, register_api_routes

        from . import calendars_api, reminders, reminders_panels

        # Reminders before appointments (SCH-6): the evidence, the periodic run, and the key worker's tasks.
        reminders.register()
        reminders_panels.register()
        register_api_routes(ApiRoutes("meetings_calendars", calendars_api.register, calendars_api.urlpatterns))
