"""How long the history of children's key aspects is kept (registered with core.retention when the app starts)."""

from keyworker.core.retention import RetentionKind, register_retention_kind

from .models import KeyAspectChange


def register() -> None:
    register_retention_kind(RetentionKind(
        "key_aspect_changes", "Key aspects history", "the child's date of birth", 25,
        "IRMS Information Management Toolkit for Schools: pupil record at the last school, date of birth + 25 years",
        lambda org, cutoff: KeyAspectChange.objects.filter(organisation_id=org, child__date_of_birth__lt=cutoff),
    ))
