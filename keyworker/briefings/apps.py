"""The briefings app: changes to a child's key aspects announced to the key worker and class team, acknowledged (SCH-3)."""

from django.apps import AppConfig


class BriefingsConfig(AppConfig):
    name = "keyworker.briefings"
    label = "briefings"
    verbose_name = "Key aspects briefings"
