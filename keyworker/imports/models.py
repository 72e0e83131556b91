"""An import of children or staff from an MIS export: the file, its column mapping, the report and the outcome."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models

from keyworker.organisations.models import OrganisationOwned, Setting


class ImportKind(models.TextChoices):
    CHILDREN = "children", "Children, families and carers"
    STAFF = "staff", "Staff"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    VALIDATED = "validated", "Checked, ready to import"
    FAILED = "failed", "Has problems"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Imported"


def import_upload_to(instance: "ImportJob", filename: str) -> str:
    """A random name under imports/<organisation>/: the original name (often a class list) stays in the row."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"imports/{instance.organisation_id}/{uuid.uuid4().hex}{suffix}"


class ImportJob(OrganisationOwned):
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="import_jobs")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    original_name = models.CharField(max_length=255)
    file = models.FileField(
        upload_to=import_upload_to, max_length=255, blank=True,
        help_text="Empty once the import has ended and the file is removed (KEYWORKER_UPLOAD_RETENTION_HOURS)",
    )
    headers = models.JSONField(default=list, blank=True)
    samples = models.JSONField(default=list, blank=True, help_text="The first rows as text, for the mapping page")
    mapping = models.JSONField(default=dict, blank=True, help_text="Target field -> column number (from 0)")
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    row_count = models.PositiveIntegerField(default=0)
    family_count = models.PositiveIntegerField(default=0)
    carer_count = models.PositiveIntegerField(default=0)
    child_count = models.PositiveIntegerField(default=0)
    staff_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    progress = models.PositiveIntegerField(default=0, help_text="Rows processed while importing")
    report = models.JSONField(default=dict, blank=True)
    # Staff imports: new people's e-mails to choose a password wait until the organisation invites everyone.
    hold_sign_in_emails = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="import_job_org_created_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.original_name}"

    @property
    def progress_percent(self) -> int:
        if not self.row_count:
            return 0
        return min(100, round(100 * self.progress / self.row_count))


class SavedMapping(OrganisationOwned):
    """The columns of an MIS export, saved under a name, so the same export can be imported every night unattended
    (`keyworker import children FILE --mapping NAME`, or the worker from `drop_path`)."""

    name = models.CharField(max_length=60)
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="saved_mappings")
    kind = models.CharField(max_length=16, choices=ImportKind.choices, default=ImportKind.CHILDREN)
    columns = models.JSONField(default=dict, help_text="Target field -> the column's heading in the export")
    drop_path = models.CharField(max_length=500, blank=True,
                                 help_text="A file on the server the MIS writes its export to every night; the worker "
                                           "imports it when it changes")
    max_leaver_share = models.PositiveSmallIntegerField(
        default=10, help_text="A run that would mark more than this percentage of the roll as leavers stops and asks a person")
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_file_mtime = models.FloatField(null=True, blank=True)
    last_report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="saved_mapping_unique_name")]

    def __str__(self) -> str:
        return self.name
class CtfImportStatus(models.TextChoices):
    CHECKED = "checked", "Checked, ready to import"
    FAILED = "failed", "Has problems"
    DONE = "done", "Imported"


class CtfImport(OrganisationOwned):
    """A Common Transfer File uploaded into one setting: its preview, then (all or nothing) its import.

    The file is kept only until it is imported; the preview stays as the record of what was done.
    """

    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="ctf_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    original_name = models.CharField(max_length=255)
    data = models.BinaryField(blank=True, help_text="The file as uploaded; emptied once it is imported")
    parsed = models.JSONField(default=dict, blank=True,
                              help_text="The file as read for the preview, so that importing it does not read it "
                                        "again; emptied once it is imported")
    source_school = models.CharField(max_length=200, blank=True)
    pupil_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=CtfImportStatus.choices, default=CtfImportStatus.CHECKED)
    preview = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="ctf_import_org_created_idx")]

    def __str__(self) -> str:
        return f"Common transfer file {self.original_name}"


class ChildTransferDetails(OrganisationOwned):
    """What a Common Transfer File says about a child that the child's record has no field for: kept so that it
    is shown on the preview, changes are seen, and the child's own CTF, when they leave, carries it on."""

    child = models.OneToOneField("people.Child", on_delete=models.CASCADE, related_name="transfer_details")
    former_upn = models.CharField("former UPN", max_length=13, blank=True)
    middle_names = models.CharField(max_length=80, blank=True)
    preferred_last_name = models.CharField(max_length=80, blank=True)
    gender = models.CharField(max_length=1, blank=True)
    medical_flag = models.BooleanField(null=True, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text='[{"type": "F", "code": "ENG"}]')
    sen_history = models.JSONField(default=list, blank=True, help_text='[{"start", "end", "provision"}], newest first')
    sen_needs = models.JSONField(default=list, blank=True, help_text='[{"start", "rank", "type"}], by rank')
    school_history = models.JSONField(default=list, blank=True)
    phones = models.JSONField(default=list, blank=True, help_text='The pupil\'s own phones: [{"type", "number"}]')
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "children's transfer details"

    def __str__(self) -> str:
        return f"Transfer details of {self.child_id}"
