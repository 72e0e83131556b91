from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """Appointments with families: reviews, parents' evenings, inductions, introductions, transitions."""

    name = "keyworker.meetings"
    label = "meetings"
    verbose_name = "Meetings and reviews"

    def ready(self) -> None:
        from keyworker.core.api.routes import ApiRoutes, register_api_routes
        from keyworker.core.extensions import COMING, TO_DO, CarerHomeSource, register_carer_home_source

        from . import (
            api,
            calendars_api,
            evenings,
            evenings_api,
            evidence,
            panels,
            reminders,
            reminders_panels,
            reviews_api,
            reviews_evidence,
            reviews_panels,
            selectors,
        )

        evidence.register()
        from . import retention

        retention.register()  # how long SEN files are kept
        panels.register()
        # The carers' home: their next appointments, and invitations waiting for an answer.
        register_carer_home_source(CarerHomeSource("appointments", COMING, selectors.carer_home_coming))
        register_carer_home_source(CarerHomeSource("appointment_answers", TO_DO, selectors.carer_home_to_do))
        register_api_routes(ApiRoutes("meetings", api.register, api.urlpatterns))
        # Reminders before appointments (SCH-6): the evidence, the periodic run, and the key worker's tasks.
        reminders.register()
        reminders_panels.register()
        register_api_routes(ApiRoutes("meetings_calendars", calendars_api.register, calendars_api.urlpatterns))
        # Parents' evenings: the carers' home page (to book, booked), My week and the API routes.
        evenings.register_carer_home()
        evenings.register_week_panel()
        register_api_routes(ApiRoutes("meetings_evenings", evenings_api.register, evenings_api.urlpatterns))
        # EHCP annual reviews: their steps' events and evidence, My week, the carers' home, the API.
        reviews_evidence.register()
        reviews_panels.register()
        register_api_routes(ApiRoutes("annual_reviews", reviews_api.register, reviews_api.urlpatterns))
