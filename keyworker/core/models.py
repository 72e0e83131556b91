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
