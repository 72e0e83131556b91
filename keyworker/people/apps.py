from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "keyworker.people"
    label = "people"

    def ready(self) -> None:
        from . import retention

        retention.register()  # how long its records are kept
