from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "keyworker.dashboard"
    label = "dashboard"

    def ready(self) -> None:
        from keyworker.accounts.policies import is_leader
        from keyworker.core.periodic import register_periodic
        from keyworker.organisations.hooks import SetupLink, register_setup_link
        from keyworker.people.policies import can_handle_data_rights

        from . import retention, timeline_sources

        timeline_sources.register()
        # The Setup page links leaders to what is left to set up.
        register_setup_link(SetupLink("getting_started", 0, "Getting started: what is left to set up",
                                      "getting_started:checklist", lambda actor: is_leader(actor)))
        # Retention: the data protection officer's page, and the worker's monthly notice of records past it.
        register_setup_link(SetupLink("retention", 90, "Retention: how long records are kept, and those past it",
                                      "week:retention", can_handle_data_rights))
        register_periodic("retention.notify", retention.retention_notify)
        # Large downloads prepared by the worker: their kinds, the whole organisation's archive on the Setup page.
        from keyworker.accounts.policies import can_export_organisation

        from . import export_kinds

        export_kinds.register()
        register_setup_link(SetupLink("organisation_archive", 95, "The whole organisation in one archive",
                                      "exports:organisation_archive", can_export_organisation))
