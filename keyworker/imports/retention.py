"""How long imports' reports are kept (registered with core.retention when the app starts)."""

from keyworker.core.retention import RetentionKind, register_retention_kind

from .models import CtfImport, ImportJob


def register() -> None:
    # A report lists the rows it read (names, contacts): once the import is a year old it has done its work.
    register_retention_kind(RetentionKind(
        "import_reports", "Import reports", "the date of the import", 1,
        "This product's choice: an import's report is checked at the time; 1 year",
        lambda org, cutoff: ImportJob.objects.filter(organisation_id=org, created_at__date__lt=cutoff),
    ))
    register_retention_kind(RetentionKind(
        "ctf_import_reports", "Common transfer file import reports", "the date of the import", 1,
        "This product's choice: the preview of a transfer file is checked at the time; 1 year",
        lambda org, cutoff: CtfImport.objects.filter(organisation_id=org, created_at__date__lt=cutoff),
    ))
