"""Writing to the audit log. Services call `audit_record` inside their transaction."""

from typing import Any

from .models import AuditEvent


def audit_record(
    *, organisation_id: int, actor: Any, event_type: str, obj: Any = None, summary: str, data: dict | None = None
) -> AuditEvent:
    return AuditEvent.objects.create(
        organisation_id=organisation_id,
        actor=actor if getattr(actor, "pk", None) else None,
        event_type=event_type,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "pk", None),
        summary=summary[:300],
        data=data or {},
    )
