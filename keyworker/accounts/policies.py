"""Who may do what with the organisation's own records about people and access: the audit log."""

from . import capabilities as caps
from .access import Actor


def can_search_audit(actor: Actor) -> bool:
    """Leaders who manage staff across the organisation, and the data protection officer."""
    if not actor.is_member:
        return False
    return actor.can(caps.AUDIT_EXPORT) or (actor.has_organisation_scope and actor.can(caps.MANAGE_STAFF))


def can_export_audit(actor: Actor) -> bool:
    """The data protection officer (the audit.export capability; headteachers and managers by default)."""
    return actor.is_member and actor.can(caps.AUDIT_EXPORT)
