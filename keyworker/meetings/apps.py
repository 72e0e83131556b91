from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """Appointments with families: reviews, parents' evenings, inductions, introductions, transitions."""

    name = "keyworker.meetings"
    label = "meetings"
    verbose_name = "Meetings and reviews"

    def ready(self) -> None:
        from keyworker.core.api.routes import ApiRoutes, register_api_routes

        from . import reviews_api, reviews_evidence, reviews_panels

        # EHCP annual reviews: their steps' events and evidence, My week, the carers' home, the API.
        reviews_evidence.register()
        reviews_panels.register()
        register_api_routes(ApiRoutes("annual_reviews", reviews_api.register, reviews_api.urlpatterns))
