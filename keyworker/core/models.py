"""The append-only audit log: who did what to which record, and when.

Database triggers refuse UPDATE and DELETE of its rows (`core.append_only`); so nothing points at it with a
cascade, and its actor is a plain id (db_constraint=False) that outlives the person's account.
"""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    organisation_id = models.BigIntegerField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    event_type = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.BigIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation_id", "object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["organisation_id", "-created_at"], name="audit_recent_idx"),  # the audit search page
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type}: {self.summary}"


class RetentionRule(models.Model):
    """How long an organisation keeps one kind of record, when it keeps it longer than the default
    (`keyworker.core.retention`). No row: the default. An organisation may lengthen a period, never shorten it."""

    organisation_id = models.BigIntegerField()
    kind = models.CharField(max_length=64)
    years = models.PositiveSmallIntegerField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation_id", "kind"], name="retention_rule_unique_kind")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.years} years"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for its turn"
    RUNNING = "running", "Being prepared"
    DONE = "done", "Ready to download"
    FAILED = "failed", "Could not be prepared"


class ExportJob(models.Model):
    """A large download prepared by the worker (`keyworker.core.export_jobs`): who asked for what, how far it has got,
    and the finished file in the storage, downloadable by the person who asked until `expires_at`."""

    organisation_id = models.BigIntegerField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)  # a registered kind of export, e.g. "subject_access"
    params = models.JSONField(default=dict, blank=True)  # ids and dates only: what to build
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done while being prepared")
    message = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)  # what the file holds (counts), for the page and the audit
    file = models.FileField(max_length=255, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # A person's own exports (the pages), and the periodic removal of those past their time.
            models.Index(fields=["organisation_id", "requested_by", "-created_at"], name="export_job_owner_idx"),
            models.Index(fields=["organisation_id", "created_at"], name="export_job_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    @property
    def pending(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
