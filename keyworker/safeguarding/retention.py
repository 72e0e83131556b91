"""How long child-protection files are kept: until the child is 25 (IRMS toolkit for schools: date of birth + 25
years). A concern goes with its chronology."""

from keyworker.core.retention import RetentionKind, register_retention_kind

from .models import Concern


def register() -> None:
    register_retention_kind(RetentionKind(
        "child_protection_files", "Child-protection files (concerns and their chronologies)", "the child's date of birth", 25,
        "IRMS Information Management Toolkit for Schools: child protection files, date of birth + 25 years",
        lambda organisation_id, cutoff: Concern.objects.filter(organisation_id=organisation_id, child__date_of_birth__lt=cutoff),
    ))
