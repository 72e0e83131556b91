"""The attendance app: the register with the national codes, rates, celebrate, challenge, escalate (SCH-5)."""

from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "keyworker.attendance"
    label = "attendance"
    verbose_name = "Attendance"
