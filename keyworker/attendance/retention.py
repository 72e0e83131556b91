"""How long attendance register entries are kept: 6 years from the entry (IRMS toolkit for schools)."""

from keyworker.core.retention import RetentionKind, register_retention_kind

from .models import AttendanceMark


def register() -> None:
    register_retention_kind(RetentionKind(
        "attendance_marks", "Attendance register entries", "the date of the entry", 6,
        "IRMS Information Management Toolkit for Schools: attendance registers, 6 years from the entry",
        lambda organisation_id, cutoff: AttendanceMark.objects.filter(organisation_id=organisation_id, date__lt=cutoff),
    ))
