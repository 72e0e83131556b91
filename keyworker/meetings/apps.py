from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """Appointments with families: reviews, parents' evenings, inductions, introductions, transitions."""

    name = "keyworker.meetings"
    label = "meetings"
    verbose_name = "Meetings and reviews"

    def ready(self) -> None:
        # Parents' evenings: the carers' home page (to book, booked), My week and the API routes.
        from keyworker.core.api.routes import ApiRoutes, register_api_routes

        from . import evenings, evenings_api

        evenings.register_carer_home()
        evenings.register_week_panel()
        register_api_routes(ApiRoutes("meetings_evenings", evenings_api.register, evenings_api.urlpatterns))
