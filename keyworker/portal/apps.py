from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The carers' pages: phone first, no JavaScript, every read through keyworker.people.carer_access."""

    name = "keyworker.portal"
    label = "portal"
    verbose_name = "Carers' portal"
