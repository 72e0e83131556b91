"""How long celebrations are kept (registered with core.retention when the app starts)."""

from keyworker.core.retention import RetentionKind, register_retention_kind

from .models import Celebration


def register() -> None:
    register_retention_kind(RetentionKind(
        "celebrations", "Celebrations", "the day celebrated", 6,
        "This product's choice: good news shared with the family, kept as correspondence, 6 years",
        lambda org, cutoff: Celebration.objects.filter(organisation_id=org, celebrated_on__lt=cutoff),
    ))
