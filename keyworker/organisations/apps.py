from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "keyworker.organisations"
    label = "organisations"
