from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """Appointments with families: reviews, parents' evenings, inductions, introductions, transitions."""

    name = "keyworker.meetings"
    label = "meetings"
    verbose_name = "Meetings and reviews"
