from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "keyworker.dashboard"
    label = "dashboard"

    def ready(self) -> None:
        from keyworker.accounts.policies import is_leader
        from keyworker.organisations.hooks import SetupLink, register_setup_link

        from . import timeline_sources

        timeline_sources.register()
        # The Setup page links leaders to what is left to set up.
        register_setup_link(SetupLink("getting_started", 0, "Getting started: what is left to set up",
                                      "getting_started:checklist", lambda actor: is_leader(actor)))
