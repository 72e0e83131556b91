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


def _plain(value: Any) -> Any:
    """A value as the audit log keeps it: JSON types as they are, a related row by id, anything else as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return str(value)


def snapshot(obj: Any, fields: Any) -> dict[str, Any]:
    """The named fields of a row, ready to compare and to store (before an edit, and after it)."""
    meta = getattr(obj, "_meta", None)
    names = {f.name: f.attname for f in meta.concrete_fields} if meta else {}
    return {name: _plain(getattr(obj, names.get(name, name), None)) for name in fields}  # a related row by its id, no query


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`{"before": …, "after": …}` holding only what changed: the `data` of an audited edit."""
    changed = [k for k in after if before.get(k) != after[k]]
    return {"before": {k: before[k] for k in changed if k in before}, "after": {k: after[k] for k in changed}}


def audit_entry(
    *, organisation_id: int, actor: Any, event_type: str, obj: Any = None, summary: str, data: dict | None = None
) -> AuditEvent:
    """An audit row, not yet saved: services that write many records at once save theirs with `audit_record_many`."""
    return AuditEvent(
        organisation_id=organisation_id, actor=actor if getattr(actor, "pk", None) else None, event_type=event_type,
        object_type=type(obj).__name__ if obj is not None else "", object_id=getattr(obj, "pk", None),
        summary=summary[:300], data=data or {},
    )


def audit_record_many(entries: list[AuditEvent]) -> list[AuditEvent]:
    """Save audit rows built by `audit_entry`, a fixed number of queries for any number."""
    return AuditEvent.objects.bulk_create(entries, batch_size=500)
