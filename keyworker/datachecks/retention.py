"""How long data checks and corrections are kept (registered with core.retention when the app starts)."""

from django.db.models import Exists, OuterRef

from keyworker.core.retention import RetentionKind, register_retention_kind

from .models import Correction, DataCheck


def register() -> None:
    register_retention_kind(RetentionKind(
        "data_checks", "Data checks", "the date the check began", 6,
        "This product's choice: a check is superseded each half term; kept as the registers, 6 years",
        # Destroying a check destroys its corrections, which are their own kind, counted from when they were
        # proposed (later than the check began, and perhaps kept longer): a check waits until they are destroyed.
        lambda org, cutoff: DataCheck.objects.filter(organisation_id=org, created_at__date__lt=cutoff).exclude(
            Exists(Correction.objects.filter(data_check=OuterRef("pk")))),
    ))
    register_retention_kind(RetentionKind(
        "corrections", "Data corrections", "the date the correction was proposed", 6,
        "This product's choice: what a carer asked to correct, kept as the registers, 6 years",
        lambda org, cutoff: Correction.objects.filter(organisation_id=org, proposed_at__date__lt=cutoff),
    ))
