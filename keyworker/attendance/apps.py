"""The attendance app: the register with the national codes, rates, celebrate, challenge, escalate (SCH-5)."""

from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "keyworker.attendance"
    label = "attendance"
    verbose_name = "Attendance"

    def ready(self) -> None:
        from keyworker.core.api.routes import ApiRoutes, register_api_routes
        from keyworker.core.extensions import SCHOOL_KINDS, WeekPanel, register_week_panel

        from . import api, celebrate, challenge, timeline

        challenge.register()
        timeline.register()
        register_week_panel(WeekPanel("attendance", 5, "attendance/_week_panel.html", challenge.week_panel, SCHOOL_KINDS))
        register_week_panel(WeekPanel("attendance_celebrate", 25, "attendance/_celebrate_panel.html", celebrate.week_panel, SCHOOL_KINDS))

        from . import escalation

        escalation.register()
        from . import retention

        retention.register()  # how long register entries are kept
        # Its API resources, added to /api/v1/ when the API root builds its routes.
        register_api_routes(ApiRoutes("attendance", api.register, api.urlpatterns))

        # A common transfer file's attendance summaries, for the whole-file CTF import and a leaver's CTF.
        from keyworker.imports.ctf_sections import CtfAttendance, register_ctf_attendance

        from . import ctf

        register_ctf_attendance(CtfAttendance(check=ctf.ctf_section_check, write=ctf.ctf_section_write,
                                              for_child=ctf.ctf_section_for_child))
