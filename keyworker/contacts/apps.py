"""The contacts app: contact logs, the key worker's record of each contact with a family (SCH-4, CC-K7)."""

from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "keyworker.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from . import evidence, timeline

        evidence.register()
        timeline.register()
